import type { DataListEntry } from '../queries/datalist';
import type { OpdScorecardPage } from '../queries/scorecard-pages';
import { provinceTotals, type ScorecardRow } from '../queries/scorecards';

export const SCORECARD_SORTS = ['name', 'items', 'deliveries', 'delivered', 'on_time', 'late', 'published', 'avg_quality', 'avg_review_days', 'changes_requested_rate', 'on_time_rate'] as const;
export type ScorecardSort = (typeof SCORECARD_SORTS)[number];

/** The columns of the scorecard table and exports, in order. */
const COLUMNS = ['items', 'deliveries', 'delivered', 'on_time', 'late', 'published', 'avg_quality', 'avg_review_days', 'changes_requested_rate', 'on_time_rate'] as const;

/** A spreadsheet cell that would run as a formula goes out behind an apostrophe (OWASP). */
const cellText = (s: string) => (/^[-=+@\t\r]/.test(s) ? `'${s}` : s);

function sortRows(rows: ScorecardRow[], key: ScorecardSort, dir: 'asc' | 'desc'): ScorecardRow[] {
  const val = (r: ScorecardRow) => (key === 'name' ? (r.organization.short_name ?? r.organization.name).toLowerCase() : r[key]);
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    if (x === y) return a.organization.name.localeCompare(b.organization.name);
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * sign;
  });
}

/** The scorecards table of a year (or quarter), sorted as asked (the best on-time rate first by default), with sortable headers, totals and the chart. */
export function presentScorecards(page: { year: number; thisYear: number; years: number[]; rows: ScorecardRow[] }, q: { triwulan?: number; urut?: ScorecardSort; arah?: 'asc' | 'desc' }) {
  const key = q.urut ?? 'on_time_rate';
  const dir = q.arah ?? (key === 'name' || key === 'avg_review_days' || key === 'late' || key === 'changes_requested_rate' ? 'asc' : 'desc');
  const sorted = sortRows(page.rows, key, dir);
  const base = { tahun: String(page.year), ...(q.triwulan ? { triwulan: String(q.triwulan) } : {}) };
  const headers = (['name', ...COLUMNS] as const).map((k) => {
    const active = k === key;
    const next = active && dir === 'desc' ? 'asc' : active ? 'desc' : k === 'name' ? 'asc' : 'desc';
    return { key: k, active, dir: active ? dir : null, href: `?${new URLSearchParams({ ...base, urut: k, arah: next })}` };
  });
  return {
    year: page.year,
    quarter: q.triwulan ?? null,
    years: [...new Set([...page.years, page.thisYear])].sort((a, b) => b - a),
    rows: sorted,
    totals: provinceTotals(page.rows),
    headers,
    query: base,
    exportQuery: new URLSearchParams(base).toString(),
    chart: {
      labels: sorted.map((x) => x.organization.short_name ?? x.organization.name),
      onTime: sorted.map((x) => x.on_time),
      late: sorted.map((x) => x.late),
      quality: sorted.map((x) => x.avg_quality),
    },
  };
}

/** The scorecards as export rows: a header of column names in the reader's language, then one row per OPD. */
export function scorecardExportRows(rows: ScorecardRow[], t: (key: string) => string) {
  const head = [t('scorecard.col.name'), 'slug', ...COLUMNS.map((c) => t(`scorecard.col.${c}`))];
  const body = rows.map((x) => [cellText(x.organization.name), x.organization.slug, ...COLUMNS.map((c) => x[c])]);
  return { head, body };
}

/** One OPD's scorecard page: its card, its quarters (and their chart), its items. */
export function presentOpdScorecard(page: OpdScorecardPage) {
  const o = page.organization;
  return {
    organization: { slug: o.slug, name: o.name, short_name: o.short_name },
    year: page.year,
    years: [...new Set([...page.years, page.thisYear])].sort((a, b) => b - a),
    card: page.card,
    quarters: page.quarters,
    items: page.items,
    chart: { labels: page.quarters.map((x) => `TW${x.n}`), onTime: page.quarters.map((x) => x.on_time), late: page.quarters.map((x) => x.late), quality: page.quarters.map((x) => x.avg_quality) },
  };
}

type Due = { item: DataListEntry; period: DataListEntry['periods'][number] };

/**
 * Per OPD and year; within it one line per item, however many of its periods are listed (a
 * monthly item a year behind is one line with its eleven periods, not eleven lines).
 */
function byOrganization(list: Due[]) {
  const m = new Map<string, { organization: DataListEntry['organization']; year: number; items: Map<number, { item: DataListEntry; periods: Due['period'][] }> }>();
  for (const x of list) {
    const k = `${x.item.organization.slug}|${x.item.year}`;
    const g = m.get(k) ?? m.set(k, { organization: x.item.organization, year: x.item.year, items: new Map() }).get(k)!;
    (g.items.get(x.item.id) ?? g.items.set(x.item.id, { item: x.item, periods: [] }).get(x.item.id)!).periods.push(x.period);
  }
  return [...m.values()].map((g) => ({
    ...g,
    items: [...g.items.values()].map((e) => ({ ...e, first: e.periods[0], last: e.periods[e.periods.length - 1], many: e.periods.length > 1 })),
  }));
}

/** The management dashboard: deliveries due within `soon` days and late ones, grouped by OPD and year. */
export function presentManageDashboard(items: DataListEntry[], today: string, soon: string) {
  const due = items.flatMap((e) => e.periods.filter((p) => p.due && p.due >= today && p.due <= soon && p.status !== 'terbit' && p.status !== 'terbit_terlambat').map((p) => ({ item: e, period: p })));
  const late = items.flatMap((e) => e.periods.filter((p) => p.status === 'terlambat').map((p) => ({ item: e, period: p })));
  return { dueGroups: byOrganization(due), lateGroups: byOrganization(late), dueCount: due.length, lateCount: late.length };
}
