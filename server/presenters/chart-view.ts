import { z } from 'zod';
import { pairedNameColumn } from '../ingest/finish/regions';
import { AGGREGATE_FUNCTIONS, type AggregateFn } from '../queries/rows';
import type { RegionNames } from '../queries/region-names';
import { columnLabel } from './dataset-page';
import type { ColumnView } from './version';

/** What the reader looks at: a chart, a choropleth map or the figures as a table. */
export const VIEWS = ['chart', 'map', 'table'] as const;
export const CHART_TYPES = ['line', 'bar', 'stacked'] as const;

/** The reader's chart state, as it lives in the URL (`?view=&measure=&group=&series=&fn=&type=&where[col]=`). */
export interface ChartView {
  view: (typeof VIEWS)[number];
  measure: string | null;
  fn: AggregateFn;
  group: string;
  series: string | null;
  type: (typeof CHART_TYPES)[number];
  where: Record<string, string>;
}

/** A column the builder offers, with what the browser needs to label it. */
export interface BuilderColumn {
  name: string;
  label: string;
  role: string;
  type: string;
  unit: string | null;
  /** For region columns: `bps` or `kemendagri` (the map keys its boundaries by it). */
  scheme: string | null;
  /** Values shown in the filter menu before the browser fetches all of them. */
  top: string[];
}

const stat = (c: ColumnView, key: 'distinct' | 'max') => (c.stats as Record<string, unknown> | null)?.[key] ?? null;
const distinct = (c: ColumnView) => Number(stat(c, 'distinct') ?? 0);
const isNumeric = (c: ColumnView) => c.type === 'integer' || c.type === 'number';

/** Numeric measure columns (what can be summed, averaged…). */
export function measureColumns(columns: ColumnView[]): ColumnView[] {
  return columns.filter((c) => c.role === 'measure' && isNumeric(c));
}

/**
 * Columns to group or filter by: region, time and every dimension with a manageable number of
 * values. The name column paired with a region code is left out: names come from the reference codes.
 */
export function groupColumns(columns: ColumnView[]): ColumnView[] {
  const names = new Set(columns.filter((c) => c.role === 'region').map((c) => pairedNameColumn(c, columns)?.name).filter(Boolean));
  return columns.filter((c) => {
    if (names.has(c.name)) return false;
    // A column with one value neither groups nor filters anything.
    if (distinct(c) < 2) return false;
    if (c.role === 'region' || c.role === 'time') return true;
    return c.role === 'dimension' && c.type !== 'boolean' && distinct(c) <= 1000;
  });
}

/** The time column to draw a line over: a period text column when it has the most values, else a year/date column. */
function timeColumn(columns: ColumnView[]): ColumnView | undefined {
  const times = columns.filter((c) => c.role === 'time' && distinct(c) > 1);
  const year = times.find((c) => c.type === 'year' || c.type === 'date' || c.type === 'integer');
  const text = times.find((c) => c.type === 'text');
  if (text && (!year || distinct(text) >= distinct(year))) return text;
  return year ?? times[0];
}

/**
 * The view a reader gets first: bars per region for the latest period when the table has both,
 * a line over the time column, bars per region, else bars per the first dimension. Rates and
 * indices (decimal measures) are averaged; counts (whole numbers) are summed.
 */
export function defaultView(columns: ColumnView[]): ChartView | null {
  const measure = measureColumns(columns)[0];
  if (!measure) return null;
  const fn: AggregateFn = measure.type === 'integer' ? 'sum' : 'avg';
  const base = { view: 'chart' as const, measure: measure.name, fn, series: null, where: {} };
  const time = timeColumn(columns);
  const region = columns.find((c) => c.role === 'region' && distinct(c) > 1);
  if (time && region) {
    const latest = stat(time, 'max');
    // A text period's maximum is not its latest: the latest year decides instead when there is one.
    const year = columns.find((c) => c.role === 'time' && (c.type === 'year' || c.type === 'integer') && stat(c, 'max') !== null);
    const by = time.type === 'text' ? year : time;
    const last = by ? stat(by, 'max') : latest;
    return { ...base, group: region.name, type: 'bar', where: by && last !== null ? { [by.name]: String(last) } : {} };
  }
  if (time) return { ...base, group: time.name, type: 'line' };
  if (region) return { ...base, group: region.name, type: 'bar' };
  const dimension = groupColumns(columns).find((c) => distinct(c) > 1 && distinct(c) <= 50);
  if (dimension) return { ...base, group: dimension.name, type: 'bar' };
  return null;
}

const viewQuerySchema = z.object({
  view: z.enum(VIEWS).optional().catch(undefined),
  measure: z.string().max(100).optional().catch(undefined),
  fn: z.enum(AGGREGATE_FUNCTIONS).optional().catch(undefined),
  group: z.string().max(100).optional().catch(undefined),
  series: z.string().max(100).optional().catch(undefined),
  type: z.enum(CHART_TYPES).optional().catch(undefined),
  where: z.record(z.string().max(100), z.string().max(200)).optional().catch(undefined),
});

/** True when the query string names any part of a chart view. */
export function hasViewState(query: Record<string, unknown>): boolean {
  return ['view', 'measure', 'fn', 'group', 'series', 'type', 'where'].some((k) => query[k] !== undefined);
}

/**
 * The reader's view from the query string, every part checked against the table's columns: an
 * unknown column or word falls back to the default rather than failing the page (links get old).
 */
export function parseView(query: Record<string, unknown>, columns: ColumnView[]): ChartView | null {
  const fallback = defaultView(columns);
  if (!fallback) return null;
  if (!hasViewState(query)) return fallback;
  const q = viewQuerySchema.parse(query);
  const measures = measureColumns(columns).map((c) => c.name);
  const groups = groupColumns(columns).map((c) => c.name);
  const fn = q.fn ?? fallback.fn;
  const group = q.group && groups.includes(q.group) ? q.group : fallback.group;
  const series = q.series && groups.includes(q.series) && q.series !== group ? q.series : null;
  const where = Object.fromEntries(Object.entries(q.where ?? {}).filter(([k, v]) => groups.includes(k) && v !== ''));
  let view = q.view ?? 'chart';
  if (view === 'map' && !columns.some((c) => c.name === group && c.role === 'region' && c.ref_scheme)) view = 'chart';
  return {
    view,
    measure: q.measure && measures.includes(q.measure) ? q.measure : fn === 'count' ? null : fallback.measure,
    fn,
    group,
    series,
    type: q.type ?? (q.group && q.group !== fallback.group ? (columns.find((c) => c.name === group)?.role === 'time' ? 'line' : 'bar') : fallback.type),
    where,
  };
}

/** The query string of a view (the page's, the embed's and the iframe snippet's). */
export function viewQuery(v: ChartView): string {
  const p = new URLSearchParams();
  p.set('view', v.view);
  if (v.measure) p.set('measure', v.measure);
  p.set('fn', v.fn);
  p.set('group', v.group);
  if (v.series) p.set('series', v.series);
  p.set('type', v.type);
  for (const [k, val] of Object.entries(v.where)) p.set(`where[${k}]`, val);
  return p.toString();
}

/** The caption of a view in words: labels, never machine names, and the filter it applies. */
export function viewCaption(v: ChartView, columns: ColumnView[], regions: RegionNames, t: (k: string, o?: Record<string, unknown>) => string): string {
  const label = (name: string | null) => {
    const c = columns.find((x) => x.name === name);
    return c ? builderLabel(c) : (name ?? '');
  };
  const head =
    v.fn === 'count'
      ? t('builder.captionCount', { group: label(v.group) })
      : t('builder.caption', { fn: t(`builder.fn.${v.fn}`), measure: label(v.measure), group: label(v.group) });
  const series = v.series ? ` ${t('builder.andBy', { series: label(v.series) })}` : '';
  const filters = Object.entries(v.where).map(([k, val]) => {
    const c = columns.find((x) => x.name === k);
    const shown = c?.role === 'region' ? (regionName(regions, c.ref_scheme, val) ?? val) : val;
    return `${label(k)}: ${shown}`;
  });
  return head + series + (filters.length ? ` · ${filters.join(' · ')}` : '');
}

/** The name of a region code in a scheme (codes with or without dots). */
export function regionName(regions: RegionNames, scheme: string | null, code: string): string | undefined {
  const table = scheme === 'kemendagri' ? regions.kemendagri : regions.bps;
  return table[code.replace(/\./g, '')];
}

/**
 * A column's label on a chart: a region code column is shown by its names, so it is labelled by
 * what it names ("Kode Kabupaten/Kota" → "Kabupaten/Kota").
 */
export function builderLabel(c: ColumnView): string {
  const label = columnLabel(c);
  if (c.role !== 'region') return label;
  const bare = label.replace(/^(kode|kd)[\s_.]+/i, '');
  return bare ? bare.charAt(0).toUpperCase() + bare.slice(1) : label;
}

/** What the chart builder's script needs, sent as one JSON attribute. */
export function builderConfig(
  opts: { slug: string; lang: 'id' | 'en'; datasetUnit: string | null; embed?: boolean },
  columns: ColumnView[],
  view: ChartView,
  fallback: ChartView,
  regions: RegionNames,
) {
  const measures = measureColumns(columns);
  const present = (c: ColumnView): BuilderColumn => ({
    name: c.name,
    label: builderLabel(c),
    role: c.role,
    type: c.type,
    // A table with one measure and no unit of its own takes the dataset's (MS-Ind satuan).
    unit: c.unit ?? (c.role === 'measure' && measures.length === 1 ? opts.datasetUnit : null),
    scheme: c.role === 'region' ? (c.ref_scheme ?? 'bps') : null,
    top: (((c.stats as { top?: Array<{ value: string }> } | null)?.top ?? []).map((x) => String(x.value))).slice(0, 10),
  });
  const groups = groupColumns(columns);
  const usedRegions = new Set(groups.filter((c) => c.role === 'region').map((c) => c.ref_scheme ?? 'bps'));
  return {
    slug: opts.slug,
    lang: opts.lang,
    embed: Boolean(opts.embed),
    measures: measures.map(present),
    groups: groups.map(present),
    view,
    fallback,
    regions: {
      ...(usedRegions.has('bps') ? { bps: regions.bps } : {}),
      ...(usedRegions.has('kemendagri') ? { kemendagri: regions.kemendagri } : {}),
    },
  };
}
export type BuilderConfig = ReturnType<typeof builderConfig>;
