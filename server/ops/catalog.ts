// What the backup and the restore read of the database's catalog: the portal's tables (its own
// in `public`, the loader's in `datastore`), their columns, keys, indexes and sequences.
import type pg from 'pg';

/** Tables of `public` that are not kept: the migrations' bookkeeping (recreated by migrating) and short-lived state. */
export const UNSAVED_TABLES = new Set(['knex_migrations', 'knex_migrations_lock', 'sessions', 'rate_limits']);
/** Tables the portal fills itself on every start (reference rows): present in an empty portal. */
export const REFERENCE_TABLES = new Set(['topics', 'wilayah']);

export interface CatalogTable {
  oid: number;
  schema: 'public' | 'datastore';
  name: string;
}

export interface CatalogColumn {
  name: string;
  type: string;
  not_null: boolean;
  /** '' none, 'a' always, 'd' by default. */
  identity: '' | 'a' | 'd';
  generated: boolean;
}

/** Ordinary tables of `public` and `datastore` (not an extension's), by schema and name. */
export async function listTables(client: pg.ClientBase): Promise<CatalogTable[]> {
  const { rows } = await client.query<{ oid: number; schema: 'public' | 'datastore'; name: string }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'datastore') AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY n.nspname DESC, c.relname`,
  );
  return rows;
}

/** The columns of each table (by oid), in their order. */
export async function columnsOf(client: pg.ClientBase, oids: number[]): Promise<Map<number, CatalogColumn[]>> {
  const { rows } = await client.query<CatalogColumn & { oid: number }>(
    `SELECT attrelid::int AS oid, attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS not_null,
            attidentity::text AS identity, attgenerated::text <> '' AS generated
       FROM pg_attribute WHERE attrelid = ANY($1::oid[]) AND attnum > 0 AND NOT attisdropped
      ORDER BY attrelid, attnum`,
    [oids],
  );
  const out = new Map<number, CatalogColumn[]>();
  for (const { oid, ...c } of rows) {
    if (!out.has(oid)) out.set(oid, []);
    out.get(oid)!.push(c);
  }
  return out;
}

/** Foreign keys between tables: referencing → referenced (oids). */
export async function foreignKeyEdges(client: pg.ClientBase): Promise<Array<{ from: number; to: number }>> {
  const { rows } = await client.query<{ from: number; to: number }>("SELECT conrelid::int AS from, confrelid::int AS to FROM pg_constraint WHERE contype = 'f'");
  return rows;
}

/** The last value of each sequence owned by a column of these tables (serial or identity); unused sequences are left out. */
export async function sequenceValues(client: pg.ClientBase, oids: number[]): Promise<Map<number, Array<{ column: string; last_value: string }>>> {
  const { rows } = await client.query<{ oid: number; column: string; last_value: string | null }>(
    `SELECT a.attrelid::int AS oid, a.attname AS column, s.last_value::text AS last_value
       FROM pg_depend d
       JOIN pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S'
       JOIN pg_namespace sn ON sn.oid = sc.relnamespace
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
       JOIN pg_sequences s ON s.schemaname = sn.nspname AND s.sequencename = sc.relname
      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        AND d.refobjid = ANY($1::oid[])
      ORDER BY 1, 2`,
    [oids],
  );
  const out = new Map<number, Array<{ column: string; last_value: string }>>();
  for (const r of rows) {
    if (r.last_value === null) continue;
    if (!out.has(r.oid)) out.set(r.oid, []);
    out.get(r.oid)!.push({ column: r.column, last_value: r.last_value });
  }
  return out;
}

export interface CatalogIndex {
  name: string;
  columns: string[];
  unique: boolean;
  method: string;
  /** An expression or partial index, or one with a constraint: not the loader's kind. */
  plain: boolean;
}

/** The indexes of each table (by oid). */
export async function indexesOf(client: pg.ClientBase, oids: number[]): Promise<Map<number, CatalogIndex[]>> {
  const { rows } = await client.query<CatalogIndex & { oid: number }>(
    `SELECT i.indrelid::int AS oid, ci.relname AS name, i.indisunique AS unique, am.amname AS method,
            (i.indexprs IS NULL AND i.indpred IS NULL AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)) AS plain,
            array(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_am am ON am.oid = ci.relam
      WHERE i.indrelid = ANY($1::oid[])
      ORDER BY ci.relname`,
    [oids],
  );
  const out = new Map<number, CatalogIndex[]>();
  for (const { oid, ...ix } of rows) {
    if (!out.has(oid)) out.set(oid, []);
    out.get(oid)!.push(ix);
  }
  return out;
}

/**
 * Tables in an order where each comes after the tables it references (cycles, such as datasets ⇄
 * versions, are broken by name order; the restore does not depend on the order, but triggers
 * reading other tables see more of them this way).
 */
export function dependencyOrder<T extends { oid: number; name: string }>(tables: T[], edges: Array<{ from: number; to: number }>): T[] {
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  const deps = new Map<number, Set<number>>(tables.map((t) => [t.oid, new Set()]));
  for (const e of edges) if (e.from !== e.to && byOid.has(e.from) && byOid.has(e.to)) deps.get(e.from)!.add(e.to);
  const out: T[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (oid: number) => {
    if (state.get(oid)) return; // done, or on the current path (a cycle)
    state.set(oid, 'visiting');
    for (const d of [...deps.get(oid)!].sort((a, b) => byOid.get(a)!.name.localeCompare(byOid.get(b)!.name))) visit(d);
    state.set(oid, 'done');
    out.push(byOid.get(oid)!);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t.oid);
  return out;
}

/** Connection settings that make COPY's text the same whatever the server's defaults. */
export async function setDumpSettings(client: pg.ClientBase): Promise<void> {
  await client.query("SET client_encoding = 'UTF8'; SET datestyle = 'ISO, YMD'; SET intervalstyle = 'postgres'; SET extra_float_digits = 3; SET TimeZone = 'UTC'; SET bytea_output = 'hex'");
}
