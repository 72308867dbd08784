import { pairedNameColumn } from '../ingest/finish/regions';
import type { ColumnView } from './version';

/** What the dataset page's chart draws, fetched from the aggregate API by the browser. */
export interface ChartSpec {
  type: 'bar' | 'line';
  group: string;
  measure: string;
  fn: 'sum' | 'avg';
  order: 'group' | 'first' | '-value';
  filter: Record<string, string>;
  /** Human labels for the caption. */
  measureLabel: string;
  groupLabel: string;
  unit: string | null;
}

const distinct = (c: ColumnView) => Number((c.stats as { distinct?: number } | null)?.distinct ?? 0);
const maxOf = (c: ColumnView) => (c.stats as { max?: string | number } | null)?.max ?? null;

/**
 * Picks a chart for a table: a line over time when the time column varies (for the latest year
 * by region when both vary), else bars by region, else bars by the first dimension. Rates and
 * indices (decimal measures) are averaged; counts (whole numbers) are summed.
 */
export function chartSpec(columns: ColumnView[]): ChartSpec | null {
  const measure = columns.find((c) => c.role === 'measure' && (c.type === 'number' || c.type === 'integer'));
  if (!measure) return null;
  const fn = measure.type === 'integer' ? 'sum' : 'avg';
  const times = columns.filter((c) => c.role === 'time' && c !== measure);
  const year = times.find((c) => c.type === 'year' || c.type === 'date');
  const periodText = times.find((c) => c.type === 'text');
  const region = columns.find((c) => c.role === 'region');
  const regionLabel = region ? (pairedNameColumn(region, columns) ?? region) : undefined;
  const dimension = columns.find((c) => c.role === 'dimension' && c.type === 'text' && distinct(c) > 1 && distinct(c) <= 50);
  const base = { measure: measure.name, measureLabel: measure.label, unit: measure.unit, fn } as const;

  const timeVaries = year && distinct(year) > 1;
  const regionVaries = region && distinct(region) > 1;
  if (timeVaries && regionVaries && regionLabel && maxOf(year) !== null) {
    return { ...base, type: 'bar', group: regionLabel.name, groupLabel: regionLabel.label, order: '-value', filter: { [year.name]: String(maxOf(year)) } };
  }
  if (timeVaries) {
    const x = periodText && distinct(periodText) >= distinct(year) ? periodText : year;
    return { ...base, type: 'line', group: x.name, groupLabel: x.label, order: x === periodText ? 'first' : 'group', filter: {} };
  }
  if (regionVaries && regionLabel) {
    return { ...base, type: 'bar', group: regionLabel.name, groupLabel: regionLabel.label, order: '-value', filter: {} };
  }
  if (periodText && distinct(periodText) > 1) {
    return { ...base, type: 'line', group: periodText.name, groupLabel: periodText.label, order: 'first', filter: {} };
  }
  if (dimension) {
    return { ...base, type: 'bar', group: dimension.name, groupLabel: dimension.label, order: '-value', filter: {} };
  }
  return null;
}
