import type { Knex } from 'knex';
import { NotFound } from '../errors';
import { addDays, localDay, startOfLocalDay } from '../manage/calendar';
import { searchMissSummary, topDatasets, usageByDay, usagePerDataset } from './usage';

/** The dataset the usage page is narrowed to. */
export interface UsageDataset {
  id: number;
  slug: string;
  title: string;
}

/** What the walidata's usage page shows over the last `days` days, up to today in the portal's zone. */
export async function loadUsagePage(db: Knex, p: { days: number; dataset?: string; timeZone: string }) {
  const to = localDay(new Date(), p.timeZone);
  const from = addDays(to, -(p.days - 1));
  let dataset: UsageDataset | null = null;
  if (p.dataset) {
    dataset = ((await db('datasets').where({ slug: p.dataset }).first('id', 'slug', 'title')) as UsageDataset | undefined) ?? null;
    if (!dataset) throw new NotFound('Dataset tidak ditemukan.', 'Dataset not found.');
  }
  const [days, perDataset, topViews, topDownloads, misses] = await Promise.all([
    usageByDay(db, { datasetId: dataset?.id, from, to }),
    usagePerDataset(db, { from, to }),
    topDatasets(db, { kind: 'view', since: from, limit: 10 }),
    topDatasets(db, { kind: 'download', since: from, limit: 10 }),
    searchMissSummary(db, { since: startOfLocalDay(from, p.timeZone), limit: 50 }),
  ]);
  return { from, to, dataset, days, perDataset, topViews, topDownloads, misses };
}
export type UsagePage = Awaited<ReturnType<typeof loadUsagePage>>;
