import type { DataListItemRow } from '../actions/datalist';
import type { OrganizationRow, TopicRow } from '../db/rows';
import { ITEM_STATUSES, type ItemStatus } from '../datalist/status';
import { FREQUENCIES, STATISTICS_CLASSES } from '../metadata';
import type { DataListEntry } from '../queries/datalist';
import type { DataListPage, LinkableDataset } from '../queries/datalist-page';
import type { Actor } from '../policies/actor';
import { canLinkDataListItem } from '../policies/datalist';
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

/** An OPD as the data-list filters and forms offer it. */
const opdChoice = (o: OrganizationRow) => ({ slug: o.slug, name: o.name, short_name: o.short_name });

/** The data-list page of a year: items with their late deliveries, counts per status, the year and OPD choices, the filters. */
export function presentDataListPage(page: DataListPage, q: { tahun?: number; opd?: string; status?: ItemStatus }) {
  return {
    year: page.year,
    years: [...new Set([...page.years, page.thisYear, page.thisYear + 1])].sort((a, b) => b - a),
    items: page.entries.map((e) => ({ ...e, late: e.periods.filter((p) => p.status === 'terlambat').length })),
    counts: statusCounts(page.all),
    total: page.all.length,
    organizations: page.organizations.map(opdChoice),
    statuses: ITEM_STATUSES,
    query: { tahun: String(page.year), ...(q.opd ? { opd: q.opd } : {}), ...(q.status ? { status: q.status } : {}) },
    filters: q,
  };
}

/** The choices of the item form, topics in the reader's language. */
export function presentDataListForm(form: { organizations: OrganizationRow[]; topics: TopicRow[] }, lang: string) {
  return {
    organizations: form.organizations.map(opdChoice),
    topics: form.topics.map((t) => ({ slug: t.slug, name: lang === 'en' ? t.name_en : t.name_id })),
    frequencies: FREQUENCIES,
    classes: STATISTICS_CLASSES,
    months: Array.from({ length: 12 }, (_, i) => i + 1),
  };
}

/** A stored item as its edit form's values. */
export function dataListItemValues(item: DataListItemRow & { organization_slug: string; topic_slug: string | null }, entry: DataListEntry) {
  return {
    name: item.name,
    organization: item.organization_slug,
    topic: item.topic_slug ?? undefined,
    frequency: item.frequency,
    prioritas: item.prioritas,
    statistics_class: item.statistics_class,
    due_month: item.due_month,
    notes: item.notes,
    dataset: entry.dataset?.slug,
  };
}

/** The workspace's items, each with whether the actor may link it and the datasets it may be linked to. */
export function workspaceItems<E extends DataListEntry>(items: E[], actor: Actor | null, linkable: Map<number, LinkableDataset[]>) {
  return items.map((e) => ({ ...e, canLink: canLinkDataListItem(actor, { id: e.id, organization_id: e.organization.id }), choices: linkable.get(e.organization.id) ?? [] }));
}
