import type { Knex } from 'knex';
import { quoteIdent, tableSql } from '../db/datastore';
import { Conflict } from '../errors';
import type { DiffSide, SharedColumn } from './diff-columns';

/** SQL text with its positional bindings; identifiers in the text are generated names only. */
export interface Sql {
  text: string;
  bindings: Knex.RawBinding[];
}

/** Both joined rows as typed composites `ra`, `rb` (what pickedPairs unpacks). */
export function pair(a: string, b: string): string {
  return `ROW(a.*)::${tableSql(a)} AS ra, ROW(b.*)::${tableSql(b)} AS rb`;
}

/** A side's table name; a version without one (failed, or loaded with errors) cannot be compared. */
export function tableOf(side: DiffSide): string {
  if (!side.table_name) throw new Conflict(`Versi ${side.number} belum memiliki tabel data.`, `Version ${side.number} has no data table.`);
  return side.table_name;
}

/** `FROM`-able reference to a version's table under alias `a` (base) or `b` (target). */
export function from(table: string, alias: 'a' | 'b'): string {
  return `${tableSql(table)} ${alias}`;
}

/** Join condition on the key. Plain `=` so a FULL JOIN can hash or merge; keys are known non-null. */
export function keyJoin(key: SharedColumn[]): string {
  return key.map((k) => `${k.a} = ${k.b}`).join(' AND ');
}

/** True when any of `cols` differs between the joined rows (`false` when there is nothing to compare). */
export function anyDistinct(cols: SharedColumn[]): string {
  return cols.length ? `(${cols.map((c) => `${c.a} IS DISTINCT FROM ${c.b}`).join(' OR ')})` : 'false';
}

/**
 * `{"col": value, …}` of the key columns from one side, as jsonb. Built by concatenating one-pair
 * objects because jsonb_build_object takes at most 50 pairs and a detected key can be wider.
 */
export function keyObject(alias: 'a' | 'b', key: SharedColumn[]): Sql {
  if (!key.length) return { text: "'{}'::jsonb", bindings: [] };
  return {
    text: key.map((k) => `jsonb_build_object(?::text, ${alias}.${quoteIdent(k.name)})`).join(' || '),
    bindings: key.map((k) => k.name),
  };
}

/** jsonb array of `{column, before, after}` for the columns whose values differ (raw typed values shown). */
export function changesArray(cols: SharedColumn[]): Sql {
  if (!cols.length) return { text: "'[]'::jsonb", bindings: [] };
  const parts = cols.map(
    (c) =>
      `CASE WHEN ${c.a} IS DISTINCT FROM ${c.b} THEN jsonb_build_array(jsonb_build_object('column', ?::text, 'before', a.${quoteIdent(c.name)}, 'after', b.${quoteIdent(c.name)})) ELSE '[]'::jsonb END`,
  );
  return { text: parts.join(' || '), bindings: cols.map((c) => c.name) };
}

/**
 * FROM clause exposing, under the aliases `a` and `b` again, the few row pairs that `inner` keeps
 * (it selects the whole rows as `ra` and `rb`, ordered and limited). PostgreSQL computes a select
 * list before a top-N sort, so building jsonb straight from the join would do it for every row.
 */
export function pickedPairs(inner: Sql): Sql {
  // inner must build ra/rb as ROW(a.*)::<table type>: a bare `a` would mean a column named "a" if there is one.
  return joinSql(['(', inner, ') s CROSS JOIN LATERAL (SELECT (s.ra).*) a CROSS JOIN LATERAL (SELECT (s.rb).*) b'], '');
}

/**
 * The first `limit` rows of a table in file order as `{key, row}` jsonb; the jsonb is built after the
 * LIMIT (see pickedPairs). `alias.*` names the whole row even when a column is called `a` or `b`.
 */
export function firstRows(table: string, alias: 'a' | 'b', key: SharedColumn[], limit: number): Sql {
  return joinSql([
    'SELECT', keyObject(alias, key), `AS key, to_jsonb(${alias}.*) AS row FROM (SELECT * FROM ${from(table, alias)} ORDER BY ${alias}."_id"`,
    { text: `LIMIT ?) ${alias} ORDER BY ${alias}."_id"`, bindings: [limit] },
  ]);
}

/** Joins fragments with `sep`, concatenating their bindings in order. */
export function joinSql(parts: Array<Sql | string>, sep = ' '): Sql {
  const norm = parts.map((p) => (typeof p === 'string' ? { text: p, bindings: [] } : p));
  return { text: norm.map((p) => p.text).join(sep), bindings: norm.flatMap((p) => p.bindings) };
}

/** A jsonb object's fields in `names` order (jsonb sorts keys; the UI wants the table's order). */
export function ordered(obj: Record<string, unknown> | null, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) if (obj && n in obj) out[n] = obj[n];
  return out;
}
