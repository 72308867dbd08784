import type { Knex } from 'knex';
import { quoteIdent } from '../db/datastore';
import { chooseKey } from './diff-key';

/**
 * The columns that identify a loaded table's rows, as the diff detects them (region + time
 * columns, else the non-measure columns) when they are unique and never empty; [] when none is.
 */
export async function detectedKey(db: Knex, table: string | null, columns: Array<{ name: string; type: string; role: string }>): Promise<string[]> {
  if (!table) return [];
  const shared = columns.map((c) => ({ name: c.name, from: c.type, to: c.type, a: `a.${quoteIdent(c.name)}`, b: `b.${quoteIdent(c.name)}` }));
  const chosen = await chooseKey(db, null, { number: 0, table_name: table, columns }, shared);
  return chosen.unique ? chosen.key.map((k) => k.name) : [];
}
