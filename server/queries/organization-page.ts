import type { Knex } from 'knex';
import type { OrganizationRow } from '../db/rows';
import type { Actor } from '../policies/actor';
import { visibleDatasetsScope } from '../policies/dataset';
import { findOrganization } from './catalog';
import { dataListYears } from './datalist';
import { scorecards, type ScorecardRow } from './scorecards';
import { searchDatasets } from './search';

/** How many data-list years the organization page sums up (the newest). */
const DATA_LIST_YEARS = 3;

/** Versions published in one quarter of a year (local time). */
export interface PublishedCount {
  year: number;
  quarter: number;
  n: number;
}

export interface OrganizationPage {
  organization: OrganizationRow;
  datasets: Awaited<ReturnType<typeof searchDatasets>>;
  /** Published versions (first publications and updates) per year and quarter, of the datasets the reader may see. */
  published: PublishedCount[];
  /** The OPD's data-list record (on time, late, overdue) for the newest years that have a data list; empty for others. */
  dataList: Array<{ year: number; card: ScorecardRow }>;
  /** The OPD has a scorecard page (`/opd/:slug`). */
  hasScorecard: boolean;
}

/**
 * The loader of `/organization/:slug`: the organization, its datasets the reader may see, the
 * versions it published per quarter (within what the reader may see) and, for an OPD, its
 * data-list deliveries of the newest years (the same public counts as its scorecard).
 */
export async function loadOrganizationPage(db: Knex, actor: Actor | null, slug: string, o: { timeZone: string }): Promise<OrganizationPage> {
  const organization = await findOrganization(db, slug);
  const opd = organization.kind === 'opd';
  const [datasets, published, years] = await Promise.all([
    searchDatasets(db, actor, { organization: organization.slug, page: 1, per_page: 100, sort: 'title' }),
    publishedPerQuarter(db, actor, organization.id, o.timeZone),
    // The newest years of this OPD's own data list (other OPDs' later lists must not push them out).
    opd ? dataListYears(db, organization.id) : Promise.resolve([] as number[]),
  ]);
  const dataList = [];
  for (const year of years.slice(0, DATA_LIST_YEARS)) {
    const [card] = await scorecards(db, { year, timeZone: o.timeZone, organization: organization.slug });
    if (card && card.items > 0) dataList.push({ year, card });
  }
  return { organization, datasets, published, dataList, hasScorecard: opd };
}

/** Versions published (now current or superseded since) per local year and quarter, newest first. */
async function publishedPerQuarter(db: Knex, actor: Actor | null, organizationId: number, timeZone: string): Promise<PublishedCount[]> {
  const rows = await db('versions as v')
    .join('datasets as d', 'd.id', 'v.dataset_id')
    .modify(visibleDatasetsScope(actor))
    .where('d.organization_id', organizationId)
    .whereIn('v.state', ['published', 'superseded'])
    .whereNotNull('v.published_at')
    .select(
      db.raw('extract(year FROM v.published_at AT TIME ZONE ?)::int AS year', [timeZone]),
      db.raw('extract(quarter FROM v.published_at AT TIME ZONE ?)::int AS quarter', [timeZone]),
      db.raw('count(*)::int AS n'),
    )
    .groupByRaw('1, 2')
    .orderByRaw('1 DESC, 2 ASC');
  return rows as PublishedCount[];
}
