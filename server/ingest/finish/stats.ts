// Per-column figures of a loaded table, for charts, facets and the column dictionary.
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { quoteIdent, tableSql } from '../../db/datastore';
import { withClient } from '../../db/knex';
import type { InferredColumn } from '../plan/infer';
import { INDEX_MIN_ROWS } from './indexes';

/** Columns counted per scan: four select-list entries each, under PostgreSQL's 1,664. */
const STATS_COLUMNS_PER_SCAN = 400;

/** Per-column figures kept for charts, facets and the column dictionary. */
export interface ColumnStats {
  nulls: number;
  distinct: number | null;
  min: string | number | null;
  max: string | number | null;
  top?: Array<{ value: string; count: number }>;
  /** The figures taken from PostgreSQL's sample (large tables) rather than counted: shown with "≈". */
  estimated?: Array<'distinct' | 'top'>;
}

const isNumeric = (c: InferredColumn) => c.type === 'integer' || c.type === 'number' || c.type === 'year';

/**
 * Statistics of a loaded table, with ANALYZE run on it. Small tables are counted exactly in one
 * scan; large ones count empty cells, minimum and maximum exactly in one scan while ANALYZE runs
 * beside it on another connection (the scan needs no statistics), then take distinct and most
 * common values from PostgreSQL's estimates in `pg_stats`.
 */
export async function columnStats(db: Knex, table: string, columns: InferredColumn[], rows: number): Promise<Record<string, ColumnStats>> {
  if (rows <= INDEX_MIN_ROWS) return withClient(db, (client) => exactStats(client, table, columns, rows));
  const [counted] = await Promise.all([
    withClient(db, (client) => countScan(client, table, columns)),
    withClient(db, (client) => client.query(`ANALYZE ${tableSql(table)}`)),
  ]);
  return withClient(db, (client) => estimatedStats(client, table, columns, rows, counted));
}

const conv = (c: InferredColumn, v: string | null) => (v === null ? null : isNumeric(c) ? Number(v) : v);

/** Every figure counted exactly (small tables). */
async function exactStats(client: PoolClient, table: string, columns: InferredColumn[], rows: number): Promise<Record<string, ColumnStats>> {
  const t = tableSql(table);
  await client.query(`ANALYZE ${t}`);
  const out: Record<string, ColumnStats> = {};
  // Four figures per column; a select list holds at most 1,664 entries, so wide tables (up to
  // MAX_COLUMNS) take several scans.
  const agg: unknown[] = [];
  for (let from = 0; from < columns.length; from += STATS_COLUMNS_PER_SCAN) {
    const parts = columns.slice(from, from + STATS_COLUMNS_PER_SCAN).flatMap((c) => {
      const q = quoteIdent(c.name);
      const ordered = c.type !== 'boolean';
      return [`count(${q})::bigint`, `count(DISTINCT ${q})::bigint`, ordered ? `min(${q})::text` : 'NULL::text', ordered ? `max(${q})::text` : 'NULL::text'];
    });
    const { rows: [part] } = await client.query({ text: `SELECT ${parts.join(', ')} FROM ${t}`, rowMode: 'array' });
    agg.push(...part);
  }
  for (const [i, c] of columns.entries()) {
    const q = quoteIdent(c.name);
    let top: ColumnStats['top'];
    if (c.type === 'text' || c.role === 'time') {
      const { rows: tv } = await client.query(
        `SELECT ${q}::text AS value, count(*)::int AS count FROM ${t} WHERE ${q} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`,
      );
      top = tv;
    }
    out[c.name] = {
      nulls: rows - Number(agg[i * 4]),
      distinct: Number(agg[i * 4 + 1]),
      min: conv(c, agg[i * 4 + 2] as string | null),
      max: conv(c, agg[i * 4 + 3] as string | null),
      ...(top ? { top } : {}),
    };
  }
  return out;
}

/** Empty cells, minimum and maximum of every column, counted in one scan (per 400 columns). */
async function countScan(client: PoolClient, table: string, columns: InferredColumn[]): Promise<unknown[]> {
  const counted: unknown[] = [];
  for (let from = 0; from < columns.length; from += STATS_COLUMNS_PER_SCAN) {
    const parts = columns.slice(from, from + STATS_COLUMNS_PER_SCAN).flatMap((c) => {
      const q = quoteIdent(c.name);
      const ordered = c.type !== 'boolean';
      return [`count(${q})::bigint`, ordered ? `min(${q})::text` : 'NULL::text', ordered ? `max(${q})::text` : 'NULL::text'];
    });
    const { rows: [part] } = await client.query({ text: `SELECT ${parts.join(', ')} FROM ${tableSql(table)}`, rowMode: 'array' });
    counted.push(...part);
  }
  return counted;
}

/** The counted figures, with distinct and most common values from ANALYZE's sample (and saying so). */
async function estimatedStats(client: PoolClient, table: string, columns: InferredColumn[], rows: number, counted: unknown[]): Promise<Record<string, ColumnStats>> {
  const out: Record<string, ColumnStats> = {};
  const { rows: pgStats } = await client.query(
    `SELECT attname, n_distinct, most_common_vals::text::text[] AS vals, most_common_freqs AS freqs
       FROM pg_stats WHERE schemaname = 'datastore' AND tablename = $1`,
    [table],
  );
  const byName = new Map(pgStats.map((s) => [s.attname as string, s]));
  for (const [i, c] of columns.entries()) {
    const s = byName.get(c.name);
    const nd = Number(s?.n_distinct ?? 0);
    const top = s?.vals && (c.type === 'text' || c.role === 'time');
    out[c.name] = {
      nulls: rows - Number(counted[i * 3]),
      distinct: s ? (nd >= 0 ? nd : Math.round(-nd * rows)) : null,
      min: conv(c, counted[i * 3 + 1] as string | null),
      max: conv(c, counted[i * 3 + 2] as string | null),
      ...(top ? { top: (s.vals as string[]).slice(0, 10).map((value, j) => ({ value, count: Math.round((s.freqs as number[])[j] * rows) })) } : {}),
      estimated: top ? ['distinct', 'top'] : ['distinct'],
    };
  }
  return out;
}
