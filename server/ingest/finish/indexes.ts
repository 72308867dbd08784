// Indexes of a loaded table where filters, facets and charts look.
import type { Knex } from 'knex';
import { quoteIdent, tableSql } from '../../db/datastore';
import type { InferredColumn } from '../plan/infer';

/** Tables up to this size get exact statistics and no extra indexes (a scan is as fast). */
export const INDEX_MIN_ROWS = 10_000;

/** Columns worth an index: where filters, facets and charts look (region and time); `_id` gets one too. */
export function indexedColumns<C extends Pick<InferredColumn, 'role'>>(columns: C[]): C[] {
  return columns.filter((c) => c.role === 'region' || c.role === 'time');
}

/**
 * Builds the indexes of a loaded table, each on its own connection, all at once. Called once the
 * version is a draft (the report needs no index; reads are correct without them, only slower on
 * large tables meanwhile). Idempotent; a table dropped meanwhile (a reload) is no error.
 */
export async function buildIndexes(db: Knex, table: string, columns: Array<Pick<InferredColumn, 'name' | 'role'>>, rows: number): Promise<void> {
  if (rows <= INDEX_MIN_ROWS) return;
  const exists = async () => (await db.raw(`SELECT to_regclass(?) IS NOT NULL AS ok`, [`datastore.${table}`])).rows[0].ok as boolean;
  if (!(await exists())) return;
  try {
    await Promise.all([
      ...indexedColumns(columns).map((c, i) =>
        db.raw(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_i${i}`)} ON ${tableSql(table)} (${quoteIdent(c.name)})`),
      ),
      // File order: the table preview's pages, the rows API's default order and the downloads
      // read it from here instead of sorting the whole table for each page.
      db.raw(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_id`)} ON ${tableSql(table)} ("_id")`),
    ]);
  } catch (err) {
    if (await exists()) throw err;
  }
}

