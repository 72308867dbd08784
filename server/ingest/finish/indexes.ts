// Indexes of a loaded table where filters, facets and charts look.
import type { Knex } from 'knex';
import { quoteIdent, tableSql } from '../../db/datastore';
import type { InferredColumn } from '../plan/infer';

/** Tables up to this size get exact statistics and no extra indexes (a scan is as fast). */
export const INDEX_MIN_ROWS = 10_000;

/** Columns worth an index: where filters, facets and charts look (region and time). */
export function indexedColumns(columns: InferredColumn[]): InferredColumn[] {
  return columns.filter((c) => c.role === 'region' || c.role === 'time');
}

/** Builds the indexes of a committed table, each on its own connection, all at once. */
export async function buildIndexes(db: Knex, table: string, columns: InferredColumn[], rows: number): Promise<void> {
  if (rows <= INDEX_MIN_ROWS) return;
  await Promise.all(
    indexedColumns(columns).map((c, i) =>
      db.raw(`CREATE INDEX ${quoteIdent(`${table}_i${i}`)} ON ${tableSql(table)} (${quoteIdent(c.name)})`),
    ),
  );
}

