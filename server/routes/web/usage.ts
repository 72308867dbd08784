import express, { type Router } from 'express';
import { z } from 'zod';
import { Forbidden, NotFound } from '../../errors';
import { addDays, localDay, startOfLocalDay } from '../../manage/calendar';
import { canViewUsage } from '../../policies/usage';
import { searchMissSummary, topDatasets, usageByDay, usagePerDataset, type UsageDay } from '../../queries/usage';
import type { Services } from '../../services';
import { parseInput } from '../parse';
import { requireUser } from './guards';

/** The periods the page offers, in days back from today. */
export const USAGE_PERIODS = [30, 90, 365] as const;

const usageQuery = z.object({
  hari: z.coerce.number().int().optional().catch(undefined).transform((n) => (USAGE_PERIODS.includes(n as (typeof USAGE_PERIODS)[number]) ? n! : 30)),
  dataset: z.string().trim().max(120).optional().catch(undefined),
});

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

/** The walidata's usage page: views and downloads over time and per dataset, top datasets, searches that found nothing. */
export function usageRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const zone = services.config.timeZone;
  r.use('/manage/penggunaan', requireUser);

  r.get('/manage/penggunaan', async (req, res) => {
    if (!canViewUsage(req.actor)) throw new Forbidden();
    const q = parseInput(usageQuery, req.query);
    const to = localDay(new Date(), zone);
    const from = addDays(to, -(q.hari - 1));
    let dataset: { id: number; slug: string; title: string } | null = null;
    if (q.dataset) {
      dataset = (await db('datasets').where({ slug: q.dataset }).first('id', 'slug', 'title')) ?? null;
      if (!dataset) throw new NotFound('Dataset tidak ditemukan.', 'Dataset not found.');
    }
    const [days, perDataset, topViews, topDownloads, misses] = await Promise.all([
      usageByDay(db, { datasetId: dataset?.id, from, to }),
      usagePerDataset(db, { from, to }),
      topDatasets(db, { kind: 'view', since: from, limit: 10 }),
      topDatasets(db, { kind: 'download', since: from, limit: 10 }),
      searchMissSummary(db, { since: startOfLocalDay(from, zone), limit: 50 }),
    ]);
    const by = q.hari > 90 ? 'month' : 'day';
    const series = usageSeries(days, from, to, by);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    res.render('manage/usage', {
      title: res.locals.t('usageAdmin.title'),
      period: q.hari,
      periods: USAGE_PERIODS.map((n) => ({ n, active: n === q.hari })),
      from,
      to,
      by,
      dataset,
      totals: { views: sum(series.views), downloads: sum(series.downloads), misses: sum(misses.map((m) => m.count)) },
      series,
      perDataset,
      topViews,
      topDownloads,
      misses,
      chartPage: true,
      pageScript: 'manage.js',
    });
  });
  return r;
}
