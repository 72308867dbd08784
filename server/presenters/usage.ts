import { addDays } from '../manage/calendar';
import type { UsageDay } from '../queries/usage';
import type { UsagePage } from '../queries/usage-page';

/** The periods the usage page offers, in days back from today. */
export const USAGE_PERIODS = [30, 90, 365] as const;

/**
 * Every day (or, over a year, every month) of the period with its views and downloads, zero
 * where nothing was counted, so that a chart's gaps are real.
 */
export function usageSeries(days: UsageDay[], from: string, to: string, by: 'day' | 'month'): { labels: string[]; views: number[]; downloads: number[] } {
  const keyOf = (day: string) => (by === 'month' ? day.slice(0, 7) : day);
  const buckets = new Map<string, { views: number; downloads: number }>();
  for (let d = from; d <= to; d = addDays(d, 1)) buckets.set(keyOf(d), buckets.get(keyOf(d)) ?? { views: 0, downloads: 0 });
  for (const u of days) {
    const b = buckets.get(keyOf(u.day));
    if (!b) continue;
    b.views += u.views;
    b.downloads += u.downloads;
  }
  const labels = [...buckets.keys()];
  return { labels, views: labels.map((k) => buckets.get(k)!.views), downloads: labels.map((k) => buckets.get(k)!.downloads) };
}

/** The usage page of a period: totals, the series (by month over a year, else by day), the tables. */
export function presentUsagePage(page: UsagePage, period: number) {
  const by = period > 90 ? 'month' : 'day';
  const series = usageSeries(page.days, page.from, page.to, by);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    period,
    periods: USAGE_PERIODS.map((n) => ({ n, active: n === period })),
    from: page.from,
    to: page.to,
    by,
    dataset: page.dataset,
    totals: { views: sum(series.views), downloads: sum(series.downloads), misses: sum(page.misses.map((m) => m.count)) },
    series,
    perDataset: page.perDataset,
    topViews: page.topViews,
    topDownloads: page.topDownloads,
    misses: page.misses,
  };
}
