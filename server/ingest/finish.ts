import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { quoteIdent, tableSql } from '../db/datastore';
import type { InferredColumn } from './infer';

/** Tables smaller than this get no extra indexes: a scan is as fast. */
export const INDEX_MIN_ROWS = 10_000;

/** Columns whose figures one scan computes (3 select-list entries each, under PostgreSQL's 1,664). */
const STATS_COLUMNS_PER_SCAN = 500;

/** Per-column figures kept for charts, facets and the column dictionary. */
export interface ColumnStats {
  nulls: number;
  distinct: number | null;
  min: string | number | null;
  max: string | number | null;
  top?: Array<{ value: string; count: number }>;
}

/** Columns worth an index: where filters, facets and charts look (region and time). */
export function indexedColumns(columns: InferredColumn[]): InferredColumn[] {
  return columns.filter((c) => c.role === 'region' || c.role === 'time');
}

/** Builds the indexes of a committed table, each on its own connection, all at once. */
export async function buildIndexes(db: Knex, table: string, columns: InferredColumn[], rows: number): Promise<void> {
  if (rows < INDEX_MIN_ROWS) return;
  await Promise.all(
    indexedColumns(columns).map((c, i) =>
      db.raw(`CREATE INDEX ${quoteIdent(`${table}_i${i}`)} ON ${tableSql(table)} (${quoteIdent(c.name)})`),
    ),
  );
}

/**
 * Statistics of a loaded table. Small tables are counted exactly; large ones take PostgreSQL's
 * own estimates from `pg_stats` after ANALYZE, plus exact min/max/nulls in one scan.
 */
export async function columnStats(client: PoolClient, table: string, columns: InferredColumn[], rows: number): Promise<Record<string, ColumnStats>> {
  const t = tableSql(table);
  await client.query(`ANALYZE ${t}`);
  // Three figures per column; PostgreSQL allows 1,664 entries in a select list, so a wide table
  // (up to MAX_COLUMNS = 1,000 columns) is read in several scans.
  const agg: unknown[] = [];
  for (let from = 0; from < columns.length; from += STATS_COLUMNS_PER_SCAN) {
    const parts = columns.slice(from, from + STATS_COLUMNS_PER_SCAN).flatMap((c) => {
      const q = quoteIdent(c.name);
      const ordered = c.type !== 'boolean';
      return [
        `count(${q})::bigint`,
        ordered ? `min(${q})::text` : 'NULL::text',
        ordered ? `max(${q})::text` : 'NULL::text',
      ];
    });
    const { rows: [part] } = await client.query({ text: `SELECT ${parts.join(', ')} FROM ${t}`, rowMode: 'array' });
    agg.push(...part);
  }
  const { rows: pgStats } = await client.query(
    `SELECT attname, n_distinct, most_common_vals::text::text[] AS vals, most_common_freqs AS freqs
       FROM pg_stats WHERE schemaname = 'datastore' AND tablename = $1`,
    [table],
  );
  const byName = new Map(pgStats.map((s) => [s.attname as string, s]));
  const out: Record<string, ColumnStats> = {};
  for (const [i, c] of columns.entries()) {
    const count = Number(agg[i * 3]);
    const numeric = c.type === 'integer' || c.type === 'number' || c.type === 'year';
    const conv = (v: string | null) => (v === null ? null : numeric ? Number(v) : v);
    const s = byName.get(c.name);
    let distinct: number | null = null;
    let top: ColumnStats['top'];
    if (rows <= INDEX_MIN_ROWS) {
      const q = quoteIdent(c.name);
      const { rows: d } = await client.query(`SELECT count(DISTINCT ${q})::int AS n FROM ${t}`);
      distinct = d[0].n;
      if (c.type === 'text' || c.role === 'time') {
        const { rows: tv } = await client.query(
          `SELECT ${q}::text AS value, count(*)::int AS count FROM ${t} WHERE ${q} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`,
        );
        top = tv;
      }
    } else if (s) {
      const nd = Number(s.n_distinct);
      distinct = nd >= 0 ? nd : Math.round(-nd * rows);
      if (s.vals && (c.type === 'text' || c.role === 'time')) {
        top = (s.vals as string[]).slice(0, 10).map((value, k) => ({ value, count: Math.round((s.freqs as number[])[k] * rows) }));
      }
    }
    out[c.name] = { nulls: rows - count, distinct, min: conv(agg[i * 3 + 1] as string | null), max: conv(agg[i * 3 + 2] as string | null), ...(top ? { top } : {}) };
  }
  return out;
}
