import type { Knex } from 'knex';
import { qualified } from '../db/datastore';
import type { ColumnRow, DatasetJoinedRow } from '../db/rows';
import { visibleDatasetsScope } from '../policies/dataset';
import { datasetQuery, versionColumns } from './datasets';

export const HEADLINE_FUNCTIONS = ['sum', 'avg', 'min', 'max'] as const;
export type HeadlineFn = (typeof HEADLINE_FUNCTIONS)[number];
/** At most this many indicators on the home page. */
export const MAX_HEADLINES = 6;
/** Periods drawn in a sparkline (the latest ones). */
export const SPARK_PERIODS = 12;

/** One configured indicator, as stored. */
export interface HeadlineRow {
  id: number;
  dataset_id: number;
  measure: string;
  fn: HeadlineFn;
  position: number;
}

/** One period of an indicator: the time columns' values, the combined figure and how many rows made it. */
export interface HeadlinePeriod {
  parts: Record<string, unknown>;
  value: number | null;
  rows: number;
}

/** An indicator with what the home page shows: its dataset, measure column, time columns and latest periods (oldest first). */
export interface HeadlineFigure {
  indicator: HeadlineRow;
  dataset: DatasetJoinedRow;
  measure: ColumnRow;
  /** Every column of the current version (a unit column beside the measure names its unit). */
  columns: ColumnRow[];
  times: ColumnRow[];
  periods: HeadlinePeriod[];
}

const NUMERIC = ['integer', 'number'];

/** The measures an indicator may use: numeric measure columns. */
export function numericMeasures(columns: ColumnRow[]): ColumnRow[] {
  return columns.filter((c) => NUMERIC.includes(c.type) && c.role === 'measure');
}

/** The stored list of indicators, in order (whatever their datasets' state). */
export function headlineRows(db: Knex): Promise<HeadlineRow[]> {
  return db('headline_indicators').select('id', 'dataset_id', 'measure', 'fn', 'position').orderBy('position');
}

/** The configured list with each dataset's slug and title, for the manage form (the datasets' public state noted). */
export async function headlineSettings(db: Knex): Promise<Array<HeadlineRow & { slug: string; title: string; live: boolean }>> {
  return db('headline_indicators as h')
    .join('datasets as d', 'd.id', 'h.dataset_id')
    .select('h.id', 'h.dataset_id', 'h.measure', 'h.fn', 'h.position', 'd.slug', 'd.title',
      db.raw("(d.current_version_id IS NOT NULL AND d.retracted_at IS NULL AND d.access_level = 'terbuka') as live"))
    .orderBy('h.position');
}

/** Published open datasets with their numeric measures: what the walidata may choose from. */
export async function headlineChoices(db: Knex): Promise<Array<{ slug: string; title: string; org: string; measures: Array<{ name: string; label: string; unit: string | null }> }>> {
  const datasets: DatasetJoinedRow[] = await datasetQuery(db).modify(visibleDatasetsScope(null)).orderBy('d.title');
  if (datasets.length === 0) return [];
  const cols: ColumnRow[] = await db('version_columns').whereIn('version_id', datasets.map((d) => d.current_version_id!)).orderBy('position');
  return datasets
    .map((d) => ({
      slug: d.slug,
      title: d.title,
      org: d.org_short_name ?? d.org_name,
      measures: numericMeasures(cols.filter((c) => c.version_id === d.current_version_id)).map((c) => ({ name: c.name, label: c.label, unit: c.unit })),
    }))
    .filter((d) => d.measures.length > 0);
}

/**
 * The order of periods: by the time columns that sort by themselves (years, dates, numbered
 * months or quarters), then the textual ones; a table whose only time column is text
 * ("Maret 2024") keeps the order of the file.
 */
function periodOrder(times: ColumnRow[]): { groups: ColumnRow[]; byFile: boolean } {
  const sortable = times.filter((c) => c.type !== 'text' && c.type !== 'boolean');
  const text = times.filter((c) => c.type === 'text');
  return { groups: [...sortable, ...text], byFile: sortable.length === 0 };
}

// Published tables never change: figures are kept per version, measure and function.
const cache = new Map<string, HeadlinePeriod[]>();
const CACHE_MAX = 200;

async function latestPeriods(db: Knex, table: string, versionId: number, measure: ColumnRow, fn: HeadlineFn, times: ColumnRow[]): Promise<HeadlinePeriod[]> {
  const key = `${versionId}|${measure.name}|${fn}|${times.map((c) => c.name).join(',')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { groups, byFile } = periodOrder(times);
  const names = groups.map((c) => c.name);
  const qb = db
    .from(qualified(table))
    .select([...names, db.raw(`${fn}(??)::float8 as value`, [measure.name]), db.raw('count(*)::int as rows')])
    .whereNotNull(measure.name)
    .limit(SPARK_PERIODS);
  if (names.length) qb.groupBy(names);
  if (byFile) qb.orderByRaw('min("_id") desc');
  else qb.orderBy(names.map((n) => ({ column: n, order: 'desc' as const, nulls: 'last' as const })));
  const rows: Array<Record<string, unknown>> = await qb;
  const periods = rows
    .map((r) => ({
      parts: Object.fromEntries(names.map((n) => [n, r[n]])),
      value: r.value === null ? null : Number(r.value),
      rows: Number(r.rows),
    }))
    .reverse();
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, periods);
  return periods;
}

/**
 * The home page's indicators with their latest periods, computed from each dataset's current
 * published version. Datasets the public may not see, and measures the current version no
 * longer has, are left out (the manage form says so).
 */
export async function headlineFigures(db: Knex): Promise<HeadlineFigure[]> {
  const rows = await headlineRows(db);
  if (rows.length === 0) return [];
  const datasets: DatasetJoinedRow[] = await datasetQuery(db).modify(visibleDatasetsScope(null)).whereIn('d.id', rows.map((r) => r.dataset_id));
  const out: Array<HeadlineFigure | null> = await Promise.all(
    rows.map(async (indicator) => {
      const dataset = datasets.find((d) => d.id === indicator.dataset_id);
      if (!dataset?.current_version_id) return null;
      const version = await db('versions').where({ id: dataset.current_version_id }).select('table_name').first();
      if (!version?.table_name) return null;
      const columns = await versionColumns(db, dataset.current_version_id);
      const measure = numericMeasures(columns).find((c) => c.name === indicator.measure);
      if (!measure) return null;
      const times = columns.filter((c) => c.role === 'time' && c !== measure);
      const periods = await latestPeriods(db, version.table_name, dataset.current_version_id, measure, indicator.fn, times);
      return periods.length ? { indicator, dataset, measure, columns, times, periods } : null;
    }),
  );
  return out.filter((x): x is HeadlineFigure => x !== null);
}
