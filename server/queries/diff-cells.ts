import type { Knex } from 'knex';
import { quoteIdent } from '../db/datastore';
import { Invalid } from '../errors';
import { diffColumns, type DiffSide } from './diff-columns';
import { anyDistinct, from, joinSql, keyJoin, keyObject, ordered, pair, pickedPairs, tableOf } from './diff-sql';

/**
 * One page of changed cells of a keyed diff (`key` unique in both versions, as diffVersions chose
 * it), in the target's row order then column order, with the total number of changed cells.
 */
export async function changedCells(
  db: Knex,
  base: DiffSide,
  target: DiffSide,
  key: string[],
  page: { limit: number; offset: number },
): Promise<{ cells: Array<{ key: Record<string, unknown>; column: string; before: unknown; after: unknown }>; total: number }> {
  const a = tableOf(base);
  const b = tableOf(target);
  const shared = diffColumns(base.columns, target.columns).shared;
  const keyCols = key.map((n) => {
    const c = shared.find((s) => s.name === n);
    if (!c) throw new Invalid(`Kolom kunci "${n}" tidak ada di kedua versi.`, `Key column "${n}" is not in both versions.`);
    return c;
  });
  const values = shared.filter((c) => !keyCols.includes(c));
  if (!keyCols.length || !values.length) return { cells: [], total: 0 };
  const joined = `FROM ${from(a, 'a')} JOIN ${from(b, 'b')} ON ${keyJoin(keyCols)}`;
  // One VALUES row per compared column turns a changed row into its changed cells; the page is
  // picked on cheap (row, position) pairs and only its cells are turned into jsonb.
  const cellRows = values.map((c, i) => `(${i}, ${c.a} IS DISTINCT FROM ${c.b})`).join(', ');
  const inner = joinSql([
    `SELECT ${pair(a, b)}, x.pos ${joined} CROSS JOIN LATERAL (VALUES ${cellRows}) AS x(pos, diff)`,
    `WHERE ${anyDistinct(values)} AND x.diff ORDER BY b."_id", x.pos`,
    { text: 'LIMIT ? OFFSET ?', bindings: [page.limit, page.offset] },
  ]);
  const pick = (alias: 'a' | 'b') => `CASE s.pos ${values.map((c, i) => `WHEN ${i} THEN to_jsonb(${alias}.${quoteIdent(c.name)})`).join(' ')} END`;
  const list = joinSql([
    'SELECT', keyObject('b', keyCols), `AS key, s.pos, ${pick('a')} AS before, ${pick('b')} AS after FROM`, pickedPairs(inner),
    'ORDER BY b."_id", s.pos',
  ]);
  const [total, pageRows] = await Promise.all([
    db.raw(`SELECT coalesce(sum(${values.map((c) => `(${c.a} IS DISTINCT FROM ${c.b})::int`).join(' + ')}), 0) AS n ${joined}`),
    db.raw(list.text, list.bindings),
  ]);
  return {
    cells: pageRows.rows.map((r: { key: Record<string, unknown>; pos: number; before: unknown; after: unknown }) => ({ key: ordered(r.key, key), column: values[r.pos].name, before: r.before, after: r.after })),
    total: Number(total.rows[0].n),
  };
}
