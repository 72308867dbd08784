import type { Knex } from 'knex';
import { visibleDatasetsScope } from '../policies/dataset';

/** One day of one dataset's usage. */
export interface UsageDay {
  day: string;
  views: number;
  downloads: number;
}

/**
 * Views and downloads per day of one dataset (or of all datasets when `datasetId` is omitted),
 * from `from` to `to` inclusive (`yyyy-mm-dd`), days without any use left out.
 */
export async function usageByDay(db: Knex, p: { datasetId?: number; from: string; to: string }): Promise<UsageDay[]> {
  const rows = await db('usage_daily')
    .modify((q) => {
      if (p.datasetId !== undefined) q.where('dataset_id', p.datasetId);
    })
    .whereBetween('day', [p.from, p.to])
    .groupBy('day')
    .orderBy('day')
    .select(
      db.raw("to_char(day, 'YYYY-MM-DD') as day"),
      db.raw("coalesce(sum(count) FILTER (WHERE kind = 'view'), 0)::bigint as views"),
      db.raw("coalesce(sum(count) FILTER (WHERE kind = 'download'), 0)::bigint as downloads"),
    );
  return rows.map((r: { day: string; views: number; downloads: number }) => ({ day: r.day, views: Number(r.views), downloads: Number(r.downloads) }));
}

/** A dataset's totals: views, downloads, and downloads per format, all time. */
export async function usageTotals(db: Knex, datasetId: number): Promise<{ views: number; downloads: number; formats: Record<string, number> }> {
  const rows: Array<{ kind: string; format: string; n: number }> = await db('usage_daily')
    .where('dataset_id', datasetId)
    .groupBy('kind', 'format')
    .select('kind', 'format', db.raw('sum(count)::bigint as n'));
  const formats: Record<string, number> = {};
  let views = 0;
  let downloads = 0;
  for (const r of rows) {
    if (r.kind === 'view') views += Number(r.n);
    else {
      downloads += Number(r.n);
      formats[r.format] = Number(r.n);
    }
  }
  return { views, downloads, formats };
}

/** The most used public datasets over the last `days` days (by views or downloads). */
export async function topDatasets(
  db: Knex,
  p: { kind: 'view' | 'download'; since: string; limit?: number },
): Promise<Array<{ slug: string; title: string; count: number }>> {
  const rows = await db('usage_daily as u')
    .join('datasets as d', 'd.id', 'u.dataset_id')
    .modify(visibleDatasetsScope(null))
    .where('u.kind', p.kind)
    .where('u.day', '>=', p.since)
    .groupBy('d.id', 'd.slug', 'd.title')
    .orderBy('count', 'desc')
    .orderBy('d.title')
    .limit(p.limit ?? 10)
    .select('d.slug', 'd.title', db.raw('sum(u.count)::bigint as count'));
  return rows.map((r: { slug: string; title: string; count: number }) => ({ ...r, count: Number(r.count) }));
}

/** The search terms that found nothing since a moment, most asked first, with the last time and the suggestion offered. */
export async function searchMissSummary(
  db: Knex,
  p: { since: Date; limit?: number },
): Promise<Array<{ term: string; count: number; last_at: Date; suggestion: string | null }>> {
  const rows = await db('search_misses')
    .where('at', '>=', p.since)
    .groupBy('term')
    .orderBy('count', 'desc')
    .orderBy('last_at', 'desc')
    .limit(p.limit ?? 50)
    .select('term', db.raw('count(*)::int as count'), db.raw('max(at) as last_at'), db.raw('(array_agg(suggestion ORDER BY at DESC))[1] as suggestion'));
  return rows.map((r: { term: string; count: number; last_at: Date; suggestion: string | null }) => ({ ...r, count: Number(r.count) }));
}

/** Views and downloads per dataset from `from` to `to` inclusive (`yyyy-mm-dd`), most viewed first; datasets without use left out. */
export async function usagePerDataset(
  db: Knex,
  p: { from: string; to: string; limit?: number },
): Promise<Array<{ id: number; slug: string; title: string; organization: string; views: number; downloads: number }>> {
  const rows = await db('usage_daily as u')
    .join('datasets as d', 'd.id', 'u.dataset_id')
    .join('organizations as o', 'o.id', 'd.organization_id')
    .whereBetween('u.day', [p.from, p.to])
    .groupBy('d.id', 'd.slug', 'd.title', 'o.short_name', 'o.name')
    .orderBy('views', 'desc')
    .orderBy('downloads', 'desc')
    .orderBy('d.title')
    .limit(p.limit ?? 100)
    .select(
      'd.id',
      'd.slug',
      'd.title',
      db.raw('coalesce(o.short_name, o.name) as organization'),
      db.raw("coalesce(sum(u.count) FILTER (WHERE u.kind = 'view'), 0)::bigint as views"),
      db.raw("coalesce(sum(u.count) FILTER (WHERE u.kind = 'download'), 0)::bigint as downloads"),
    );
  return rows.map((r: { id: number; slug: string; title: string; organization: string; views: number; downloads: number }) => ({ ...r, views: Number(r.views), downloads: Number(r.downloads) }));
}
