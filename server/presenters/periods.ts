import path from 'node:path';

interface PeriodDate { t: number; kind: string }

// The one reading of period labels, shared with the browser's time axis (public/js/chart-periods.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const shared = require(path.join(__dirname, '..', '..', 'public', 'js', 'chart-periods.js')) as {
  periodDate(value: unknown): PeriodDate | null;
  periodDates(labels: unknown[]): PeriodDate[] | null;
};

/** The date of a period label as a fractional year, null when it is not a period. */
export const periodDate = shared.periodDate;

/**
 * Period labels in date order ("Maret 2023" after "September 2022"), when every label is a
 * period; otherwise the labels as given.
 */
export function inDateOrder(labels: string[]): string[] {
  const dates = shared.periodDates(labels);
  if (!dates) return labels;
  return labels.map((label, i) => ({ label, t: dates[i].t, i })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.label);
}
