import type { Knex } from 'knex';
import type { DiffSide, SharedColumn } from './diff-columns';
import { firstRows, from, ordered } from './diff-sql';

type Example = { kind: 'added' | 'removed'; key: Record<string, unknown>; row: Record<string, unknown> };

/** Without shared columns nothing can match: all base rows are removed and all target rows added. */
async function disjoint(db: Knex, base: DiffSide, target: DiffSide, limit: number) {
  const count = (s: DiffSide, alias: 'a' | 'b') => db.raw(`SELECT count(*) AS n FROM ${from(s.table_name!, alias)}`).then((r) => Number(r.rows[0].n));
  const first = (s: DiffSide, alias: 'a' | 'b') => {
    const q = firstRows(s.table_name!, alias, [], limit);
    return db.raw(q.text, q.bindings).then((r) => r.rows.map((x: { row: Record<string, unknown> }) => ordered(x.row, s.columns.map((c) => c.name))));
  };
  const [removed, added, before, after] = await Promise.all([count(base, 'a'), count(target, 'b'), first(base, 'a'), first(target, 'b')]);
  const examples: Example[] = [
    ...after.map((row: Record<string, unknown>) => ({ kind: 'added' as const, key: {}, row })),
    ...before.map((row: Record<string, unknown>) => ({ kind: 'removed' as const, key: {}, row })),
  ].slice(0, limit);
  return { added, removed, changed: 0, examples };
}

/**
 * Whole-row comparison when no key identifies rows: the two tables as multisets of their shared
 * columns (a column added or removed alone would otherwise make every row differ). GROUP BY treats
 * NULLs as equal, which a join would not; `changed` is always 0 because rows have no identity.
 * One statement: counts and the first surplus rows of each side.
 */
export async function wholeRowDiff(db: Knex, base: DiffSide, target: DiffSide, shared: SharedColumn[], limit: number) {
  const a = base.table_name!;
  const b = target.table_name!;
  if (!shared.length) return disjoint(db, base, target, limit);
  // Positional aliases c0… keep the bookkeeping columns (na, nb, ida, idb) apart from data names.
  const alias = shared.map((_, i) => `c${i}`);
  const side = (s: 'a' | 'b', t: string) =>
    `SELECT ${shared.map((c, i) => `${c[s]} AS ${alias[i]}`).join(', ')}, ${s === 'a' ? '1, 0, a."_id", NULL::bigint' : '0, 1, NULL::bigint, b."_id"'} FROM ${from(t, s)}`;
  const sql = `
    WITH g AS (
      SELECT ${alias.join(', ')}, sum(na) AS na, sum(nb) AS nb, min(ida) AS ida, min(idb) AS idb
        FROM (${side('a', a)} UNION ALL ${side('b', b)}) AS u(${alias.join(', ')}, na, nb, ida, idb)
       GROUP BY ${alias.join(', ')}
    )
    SELECT (SELECT coalesce(sum(greatest(nb - na, 0)), 0) FROM g) AS added,
           (SELECT coalesce(sum(greatest(na - nb, 0)), 0) FROM g) AS removed,
           (SELECT coalesce(jsonb_agg(x.r ORDER BY x.o), '[]') FROM (SELECT to_jsonb(g.*) AS r, idb AS o FROM g WHERE nb > na ORDER BY idb LIMIT ?) x) AS added_rows,
           (SELECT coalesce(jsonb_agg(x.r ORDER BY x.o), '[]') FROM (SELECT to_jsonb(g.*) AS r, ida AS o FROM g WHERE na > nb ORDER BY ida LIMIT ?) x) AS removed_rows`;
  const { rows } = await db.raw(sql, [limit, limit]);
  const r = rows[0];
  const names = shared.map((c) => c.name);
  const byName = (row: Record<string, unknown>) => ordered(Object.fromEntries(alias.map((al, i) => [names[i], row[al]])), names);
  const added: Example[] = r.added_rows.map((row: Record<string, unknown>) => ({ kind: 'added', key: {}, row: byName(row) }));
  const removed: Example[] = r.removed_rows.map((row: Record<string, unknown>) => ({ kind: 'removed', key: {}, row: byName(row) }));
  // Share the example slots between the two kinds, as the keyed diff does.
  const examples: Example[] = [];
  for (let i = 0; examples.length < limit && (i < added.length || i < removed.length); i++) {
    if (i < added.length) examples.push(added[i]);
    if (i < removed.length && examples.length < limit) examples.push(removed[i]);
  }
  examples.sort((x, y) => (x.kind === y.kind ? 0 : x.kind === 'added' ? -1 : 1));
  return { added: Number(r.added), removed: Number(r.removed), changed: 0, examples };
}
