import type { DataListEntry } from '../queries/datalist';
import type { DataListItemOut } from './schemas/management';

/** A data-list item as the API gives it (SPEC §5 `/api/v1/data-list`). */
export function presentDataListItem(e: DataListEntry, opts: { base: string; lang: string }): DataListItemOut {
  const ds = e.dataset?.visible ? e.dataset : null;
  return {
    id: e.id,
    year: e.year,
    name: e.name,
    organization: { slug: e.organization.slug, name: e.organization.name, short_name: e.organization.short_name },
    topic: e.topic ? { slug: e.topic.slug, name: opts.lang === 'en' ? e.topic.name_en : e.topic.name_id } : null,
    frequency: e.frequency,
    prioritas: e.prioritas,
    statistics_class: e.statistics_class,
    status: e.status,
    dataset: ds ? { slug: ds.slug, title: ds.title, url: `${opts.base}/dataset/${ds.slug}` } : null,
    periods: e.periods.map((p) => ({
      period: p.key,
      start: p.start,
      end: p.end,
      due: p.due,
      status: p.status,
      delivered_on: p.delivered_on,
      ...(ds && p.status !== 'belum_ada' && p.status !== 'terlambat' ? { dataset: ds.slug } : {}),
    })),
  };
}

/** How many items (and deliveries) are in each status. */
export function statusCounts(entries: DataListEntry[]) {
  const items: Record<string, number> = { belum_ada: 0, draf: 0, dalam_pemeriksaan: 0, terbit: 0, terlambat: 0, terbit_terlambat: 0 };
  for (const e of entries) items[e.status]++;
  return items;
}
