import type { Knex } from 'knex';
import { localDay } from '../manage/calendar';
import { rangeOf, scorecard, type Scorecard, type ScorecardFacts } from '../scorecards/figures';
import { dataList } from './datalist';

/** One OPD's scorecard row. */
export interface ScorecardRow extends Scorecard {
  organization: { id: number; slug: string; name: string; short_name: string | null };
}

/**
 * The scorecards of every OPD for a year (or one quarter of it), from the year's data list, the
 * publications, the kept quality scores and the walidata's decisions. Figures are counts and
 * averages only: nothing about a closed dataset shows through them but that it exists.
 */
export async function scorecards(db: Knex, p: { year: number; timeZone: string; quarter?: number; today?: string; organization?: string }): Promise<ScorecardRow[]> {
  const range = rangeOf(p.year, p.quarter);
  const orgQuery = db('organizations').where({ kind: 'opd' }).orderBy('name').select('id', 'slug', 'name', 'short_name');
  if (p.organization) orgQuery.where('slug', p.organization);
  const orgs = await orgQuery;
  const ids = orgs.map((o) => o.id);
  const [entries, publications, quality, decisions, submits] = await Promise.all([
    dataList(db, null, { year: p.year, timeZone: p.timeZone, today: p.today }),
    db('versions as v').join('datasets as d', 'd.id', 'v.dataset_id').whereIn('d.organization_id', ids).whereIn('v.state', ['published', 'superseded']).whereNotNull('v.published_at').select('d.organization_id', 'd.id as dataset_id', 'v.published_at'),
    db('dataset_quality as q').join('datasets as d', 'd.id', 'q.dataset_id').whereIn('d.organization_id', ids).whereNotNull('d.current_version_id').whereNull('d.retracted_at').select('d.organization_id', 'q.score'),
    db('reviews as r').join('versions as v', 'v.id', 'r.version_id').join('datasets as d', 'd.id', 'v.dataset_id').whereIn('d.organization_id', ids).where('r.stage', 'walidata').whereNot('r.decision', 'comment').select('d.organization_id', 'r.version_id', 'r.decision', 'r.created_at', 'v.submitted_at'),
    db('audit_events').where('action', 'version.submit').whereNotNull('version_id').select('version_id', 'at'),
  ]);
  const submittedAt = new Map<number, number[]>();
  for (const s of submits) (submittedAt.get(s.version_id) ?? submittedAt.set(s.version_id, []).get(s.version_id)!).push(new Date(s.at).getTime());
  return orgs.map((o) => {
    const facts: ScorecardFacts = {
      items: entries.filter((e) => e.organization.id === o.id),
      publications: publications.filter((x) => x.organization_id === o.id).map((x) => ({ dataset_id: x.dataset_id, day: localDay(new Date(x.published_at), p.timeZone) })),
      quality: quality.filter((x) => x.organization_id === o.id).map((x) => Number(x.score)),
      decisions: decisions
        .filter((x) => x.organization_id === o.id)
        .map((x) => {
          const decided = new Date(x.created_at).getTime();
          // The submission this decision answered: the last one before it.
          const before = (submittedAt.get(x.version_id) ?? []).filter((t) => t <= decided);
          const submitted = before.length ? Math.max(...before) : x.submitted_at ? new Date(x.submitted_at).getTime() : decided;
          return { submitted_at: new Date(submitted).toISOString(), decided_at: new Date(decided).toISOString(), decided_day: localDay(new Date(decided), p.timeZone), decision: x.decision };
        }),
    };
    return { organization: o, ...scorecard(facts, range) };
  });
}

/** The province's totals over the scorecard rows. */
export function provinceTotals(rows: ScorecardRow[]) {
  const sum = (k: 'items' | 'deliveries' | 'delivered' | 'on_time' | 'late' | 'overdue' | 'published') => rows.reduce((a, r) => a + r[k], 0);
  const delivered = sum('delivered');
  const overdue = sum('overdue');
  return {
    items: sum('items'),
    deliveries: sum('deliveries'),
    delivered,
    on_time: sum('on_time'),
    late: sum('late'),
    overdue,
    published: sum('published'),
    on_time_rate: delivered + overdue > 0 ? Math.round((1000 * sum('on_time')) / (delivered + overdue)) / 10 : null,
  };
}
