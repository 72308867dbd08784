import type { Knex } from 'knex';
import { diffColumns, type DiffSide, type SharedColumn } from './diff-columns';
import { chooseKey, type KeySource } from './diff-key';
import { anyDistinct, changesArray, firstRows, from, joinSql, keyJoin, keyObject, ordered, pair, pickedPairs, tableOf, type Sql } from './diff-sql';
import { wholeRowDiff } from './diff-whole';

export type { DiffColumn, DiffSide } from './diff-columns';
export { changedCells } from './diff-cells';

export interface CellChange {
  column: string;
  before: unknown;
  after: unknown;
}

export interface DiffExample {
  kind: 'changed' | 'added' | 'removed';
  key: Record<string, unknown>;
  /** Changed rows: the cells that differ. */
  changes?: CellChange[];
  /** Added or removed rows: the whole row as it is in its version. */
  row?: Record<string, unknown>;
}

export interface RowCounts {
  added: number;
  removed: number;
  changed: number;
}

export interface VersionDiff {
  against: number | null;
  columns: { added: string[]; removed: string[]; retyped: Array<{ name: string; from: string; to: string }> };
  rows: RowCounts & { key: string[]; key_unique: boolean; key_source: KeySource; examples: DiffExample[] };
}

export interface DiffOptions {
  /** Declared key columns (must exist in both versions). */
  key?: string[];
  /** How many example rows to return in all (default 10). */
  examples?: number;
}

/** Splits `total` example slots over the kinds round-robin, so a rare kind still shows up. */
export function exampleQuotas(counts: RowCounts, total: number): RowCounts {
  const q: RowCounts = { changed: 0, added: 0, removed: 0 };
  const kinds = ['changed', 'added', 'removed'] as const;
  let left = total;
  while (left > 0 && kinds.some((k) => q[k] < counts[k])) {
    for (const k of kinds) {
      if (left > 0 && q[k] < counts[k]) {
        q[k]++;
        left--;
      }
    }
  }
  return q;
}

/** Counts of a keyed diff in one FULL OUTER JOIN. */
async function keyedCounts(db: Knex, a: string, b: string, key: SharedColumn[], values: SharedColumn[]): Promise<RowCounts> {
  const { rows } = await db.raw(
    `SELECT count(*) FILTER (WHERE a."_id" IS NULL) AS added,
            count(*) FILTER (WHERE b."_id" IS NULL) AS removed,
            count(*) FILTER (WHERE a."_id" IS NOT NULL AND b."_id" IS NOT NULL AND ${anyDistinct(values)}) AS changed
       FROM ${from(a, 'a')} FULL JOIN ${from(b, 'b')} ON ${keyJoin(key)}`,
  );
  return { added: Number(rows[0].added), removed: Number(rows[0].removed), changed: Number(rows[0].changed) };
}

/**
 * The first changed/added/removed rows (in file order) of a keyed diff, in one statement. Each
 * branch orders and limits cheap rows first and builds jsonb only for those it keeps.
 */
async function keyedExamples(db: Knex, a: string, b: string, key: SharedColumn[], values: SharedColumn[], quotas: RowCounts) {
  const limit = (n: number): Sql => ({ text: ' LIMIT ?', bindings: [n] });
  const branches: Sql[] = [];
  if (quotas.changed) {
    const inner = joinSql([
      `SELECT ${pair(a, b)} FROM ${from(a, 'a')} JOIN ${from(b, 'b')} ON ${keyJoin(key)} WHERE ${anyDistinct(values)} ORDER BY b."_id"`,
      limit(quotas.changed),
    ], '');
    branches.push(joinSql([
      "(SELECT 'changed' AS kind, ", keyObject('b', key), ' AS key, ', changesArray(values), ' AS changes, NULL::jsonb AS row, b."_id" AS ord FROM ',
      pickedPairs(inner), ')',
    ], ''));
  }
  // Rows only one side has: `a`/`b` name the subquery of those rows, so the fragments still apply.
  const lonely = (kind: 'added' | 'removed', mine: 'a' | 'b', table: string, other: string, n: number) =>
    joinSql([
      `(SELECT '${kind}' AS kind, `, keyObject(mine, key), ` AS key, NULL::jsonb AS changes, to_jsonb(${mine}.*) AS row, ${mine}."_id" AS ord`,
      ` FROM (SELECT * FROM ${from(table, mine)} WHERE NOT EXISTS (SELECT 1 FROM ${from(other, mine === 'a' ? 'b' : 'a')} WHERE ${keyJoin(key)}) ORDER BY ${mine}."_id"`,
      limit(n), `) ${mine})`,
    ], '');
  if (quotas.added) branches.push(lonely('added', 'b', b, a, quotas.added));
  if (quotas.removed) branches.push(lonely('removed', 'a', a, b, quotas.removed));
  if (!branches.length) return [];
  const q = joinSql(branches, ' UNION ALL ');
  const { rows } = await db.raw(q.text, q.bindings);
  const rank = { changed: 0, added: 1, removed: 2 };
  type Found = { kind: DiffExample['kind']; key: Record<string, unknown>; changes: CellChange[] | null; row: Record<string, unknown> | null; ord: number };
  return (rows as Found[]).sort((x, y) => rank[x.kind] - rank[y.kind] || Number(x.ord) - Number(y.ord));
}

/** A first version: every row of the target is added; the examples are its first rows. */
async function allAdded(db: Knex, b: string, key: SharedColumn[], limit: number) {
  const first = firstRows(b, 'b', key, limit);
  const [count, rows] = await Promise.all([db.raw(`SELECT count(*) AS n FROM ${from(b, 'b')}`), db.raw(first.text, first.bindings)]);
  return { added: Number(count.rows[0].n), rows: rows.rows as Array<{ key: Record<string, unknown>; row: Record<string, unknown> }> };
}

/**
 * The diff from `base` to `target` (SPEC §3/§5): columns added/removed/retyped and rows
 * added/removed/changed by key, computed in SQL so the tables never pass through Node.
 * `base` null (a first version): everything in the target counts as added.
 */
export async function diffVersions(db: Knex, base: DiffSide | null, target: DiffSide, opts: DiffOptions = {}): Promise<VersionDiff> {
  const limit = opts.examples ?? 10;
  const b = tableOf(target);
  const names = target.columns.map((c) => c.name);
  if (!base) {
    const self = diffColumns(target.columns, target.columns).shared;
    const chosen = await chooseKey(db, null, target, self, opts.key);
    const keyNames = chosen.key.map((k) => k.name);
    const { added, rows } = await allAdded(db, b, chosen.key, limit);
    return {
      against: null,
      columns: { added: names, removed: [], retyped: [] },
      rows: {
        key: keyNames, key_unique: chosen.unique, key_source: chosen.source, added, removed: 0, changed: 0,
        examples: rows.map((r) => ({ kind: 'added' as const, key: ordered(r.key, keyNames), row: ordered(r.row, names) })),
      },
    };
  }
  const a = tableOf(base);
  const cols = diffColumns(base.columns, target.columns);
  const chosen = await chooseKey(db, base, target, cols.shared, opts.key);
  const columns = { added: cols.added, removed: cols.removed, retyped: cols.retyped };
  const keyInfo = { key: chosen.key.map((k) => k.name), key_unique: chosen.unique, key_source: chosen.source };
  if (!chosen.key.length) {
    const whole = await wholeRowDiff(db, base, target, cols.shared, limit);
    return { against: base.number, columns, rows: { ...keyInfo, ...whole } };
  }
  const values = cols.shared.filter((c) => !chosen.key.includes(c));
  const counts = await keyedCounts(db, a, b, chosen.key, values);
  const found = await keyedExamples(db, a, b, chosen.key, values, exampleQuotas(counts, limit));
  const baseNames = base.columns.map((c) => c.name);
  const examples: DiffExample[] = found.map((r) => {
    const key = ordered(r.key, keyInfo.key);
    if (r.kind === 'changed') return { kind: r.kind, key, changes: (r.changes ?? []).map((c) => ({ column: c.column, before: c.before, after: c.after })) };
    return { kind: r.kind, key, row: ordered(r.row, r.kind === 'added' ? names : baseNames) };
  });
  return { against: base.number, columns, rows: { ...keyInfo, ...counts, examples } };
}
