import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { quoteIdent, tableSql } from '../db/datastore';
import type { InferredColumn } from './infer';

/** Tables up to this size get exact statistics and no extra indexes (a scan is as fast). */
export const INDEX_MIN_ROWS = 10_000;

/** Columns counted per scan: four select-list entries each, under PostgreSQL's 1,664. */
const STATS_COLUMNS_PER_SCAN = 400;

/** Per-column figures kept for charts, facets and the column dictionary. */
export interface ColumnStats {
  nulls: number;
  distinct: number | null;
  min: string | number | null;
  max: string | number | null;
  top?: Array<{ value: string; count: number }>;
  /** Estimated from PostgreSQL's sample (large tables) rather than counted. */
  approximate?: boolean;
}

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

const isNumeric = (c: InferredColumn) => c.type === 'integer' || c.type === 'number' || c.type === 'year';

/**
 * Statistics of a loaded table after ANALYZE. Small tables are counted exactly in one scan;
 * large ones take PostgreSQL's own estimates from `pg_stats` (no scan), with exact minimum and
 * maximum where an index makes them free.
 */
export async function columnStats(client: PoolClient, table: string, columns: InferredColumn[], rows: number): Promise<Record<string, ColumnStats>> {
  const t = tableSql(table);
  await client.query(`ANALYZE ${t}`);
  const conv = (c: InferredColumn, v: string | null) => (v === null ? null : isNumeric(c) ? Number(v) : v);
  const out: Record<string, ColumnStats> = {};

  if (rows <= INDEX_MIN_ROWS) {
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

  const { rows: pgStats } = await client.query(
    `SELECT attname, null_frac, n_distinct, most_common_vals::text::text[] AS vals, most_common_freqs AS freqs,
            histogram_bounds::text::text[] AS bounds
       FROM pg_stats WHERE schemaname = 'datastore' AND tablename = $1`,
    [table],
  );
  const byName = new Map(pgStats.map((s) => [s.attname as string, s]));
  const indexed = new Set(indexedColumns(columns).map((c) => c.name));
  const exact = columns.filter((c) => indexed.has(c.name) && c.type !== 'boolean');
  let minMax: unknown[] = [];
  if (exact.length) {
    // min()/max() of an indexed column read one index entry each.
    const sel = exact.flatMap((c) => [`(SELECT min(${quoteIdent(c.name)})::text FROM ${t})`, `(SELECT max(${quoteIdent(c.name)})::text FROM ${t})`]);
    minMax = (await client.query({ text: `SELECT ${sel.join(', ')}`, rowMode: 'array' })).rows[0];
  }
  for (const c of columns) {
    const s = byName.get(c.name);
    const nd = Number(s?.n_distinct ?? 0);
    const candidates = [...((s?.vals as string[] | null) ?? []), ...((s?.bounds as string[] | null) ?? [])].map((v) => conv(c, v));
    const sorted = c.type === 'boolean' ? [] : [...candidates].sort((a, b) => (isNumeric(c) ? Number(a) - Number(b) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
    const k = exact.indexOf(c);
    out[c.name] = {
      nulls: Math.round(Number(s?.null_frac ?? 0) * rows),
      distinct: s ? (nd >= 0 ? nd : Math.round(-nd * rows)) : null,
      min: k >= 0 ? conv(c, minMax[k * 2] as string | null) : (sorted[0] ?? null),
      max: k >= 0 ? conv(c, minMax[k * 2 + 1] as string | null) : (sorted[sorted.length - 1] ?? null),
      ...(s?.vals && (c.type === 'text' || c.role === 'time')
        ? { top: (s.vals as string[]).slice(0, 10).map((value, j) => ({ value, count: Math.round((s.freqs as number[])[j] * rows) })) }
        : {}),
      approximate: true,
    };
  }
  return out;
}
