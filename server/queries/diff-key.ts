import type { Knex } from 'knex';
import { tableSql } from '../db/datastore';
import { Invalid } from '../errors';
import type { DiffSide, SharedColumn } from './diff-columns';

/** Where the key of a diff came from; `none` means whole rows were compared. */
export type KeySource = 'declared' | 'region_time' | 'dimensions' | 'none';

export interface ChosenKey {
  key: SharedColumn[];
  unique: boolean;
  source: KeySource;
}

/**
 * True when `key` identifies rows in every given table: no two rows share a key and no key cell is
 * NULL. NULL keys are refused rather than matched, because the join compares keys with `=` (which
 * PostgreSQL can hash or merge for a FULL JOIN; `IS NOT DISTINCT FROM` it cannot).
 */
async function keyUsable(db: Knex, tables: Array<{ table: string; alias: 'a' | 'b' }>, key: SharedColumn[]): Promise<boolean> {
  const checks = tables.map(({ table, alias }) => {
    const exprs = key.map((k) => k[alias]);
    const anyNull = exprs.map((e) => `${e} IS NULL`).join(' OR ');
    return `NOT EXISTS (SELECT 1 FROM ${tableSql(table)} ${alias} GROUP BY ${exprs.join(', ')} HAVING count(*) > 1 OR bool_or(${anyNull}))`;
  });
  const { rows } = await db.raw(`SELECT (${checks.join(' AND ')}) AS ok`);
  return rows[0].ok === true;
}

/**
 * The key rows are matched on: the declared one; else the region column(s) plus time column(s);
 * else every shared non-measure column; the first that is unique and non-null in both versions.
 * None fits → `key: []` and whole rows are compared.
 */
export async function chooseKey(
  db: Knex,
  base: DiffSide | null,
  target: DiffSide,
  shared: SharedColumn[],
  declared?: string[],
): Promise<ChosenKey> {
  const roleBefore = new Map((base?.columns ?? target.columns).map((c) => [c.name, c.role]));
  const roleAfter = new Map(target.columns.map((c) => [c.name, c.role]));
  const both = (c: SharedColumn, test: (role: string | undefined) => boolean) => test(roleBefore.get(c.name)) && test(roleAfter.get(c.name));
  const tables: Array<{ table: string; alias: 'a' | 'b' }> = [{ table: target.table_name!, alias: 'b' }];
  if (base) tables.unshift({ table: base.table_name!, alias: 'a' });

  const candidates: Array<{ key: SharedColumn[]; source: KeySource }> = [];
  if (declared?.length) {
    const byName = new Map(shared.map((c) => [c.name, c]));
    const unknown = declared.filter((n) => !byName.has(n));
    if (unknown.length) {
      throw new Invalid(
        `Kolom kunci tidak ada di kedua versi: ${unknown.join(', ')}.`,
        `Key columns not present in both versions: ${unknown.join(', ')}.`,
        unknown.map((n) => ({ path: 'key', message: `unknown column ${n}` })),
      );
    }
    candidates.push({ key: [...new Set(declared)].map((n) => byName.get(n)!), source: 'declared' });
  } else {
    const region = shared.filter((c) => both(c, (r) => r === 'region'));
    const time = shared.filter((c) => both(c, (r) => r === 'time'));
    if (region.length) candidates.push({ key: [...region, ...time], source: 'region_time' });
    // Fractional numbers make poor identities, so they never join a detected key.
    const dims = shared.filter((c) => both(c, (r) => r !== undefined && r !== 'measure') && c.from !== 'number' && c.to !== 'number');
    const same = (x: SharedColumn[], y: SharedColumn[] = []) => x.length === y.length && x.every((c) => y.includes(c));
    if (dims.length && !same(dims, candidates[0]?.key)) candidates.push({ key: dims, source: 'dimensions' });
  }
  for (const c of candidates) {
    if (await keyUsable(db, tables, c.key)) return { key: c.key, unique: true, source: c.source };
  }
  return { key: [], unique: false, source: 'none' };
}
