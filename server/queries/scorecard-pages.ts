import type { Knex } from 'knex';
import type { OrganizationRow } from '../db/rows';
import { NotFound } from '../errors';
import { localDay } from '../manage/calendar';
import type { Actor } from '../policies/actor';
import { findOpd } from './catalog';
import { dataList, dataListYears, type DataListEntry } from './datalist';
import { scheduledVersions } from './releases';
import { scorecards, type ScorecardRow } from './scorecards';

/** This year in the portal's zone. */
export const thisYearIn = (timeZone: string) => Number(localDay(new Date(), timeZone).slice(0, 4));

/** The scorecards of every OPD for a year (or a quarter of it), and the years the data list has. */
export async function loadScorecards(db: Knex, p: { year?: number; quarter?: number; timeZone: string }): Promise<{ year: number; thisYear: number; years: number[]; rows: ScorecardRow[] }> {
  const thisYear = thisYearIn(p.timeZone);
  const year = p.year ?? thisYear;
  const [years, rows] = await Promise.all([dataListYears(db), scorecards(db, { year, timeZone: p.timeZone, quarter: p.quarter })]);
  return { year, thisYear, years, rows };
}

/** One OPD's scorecard page: its card for the year and each quarter, and its data-list items. */
export async function loadOpdScorecard(db: Knex, actor: Actor | null, slug: string, p: { year?: number; timeZone: string }) {
  const org: OrganizationRow | null = await findOpd(db, slug);
  if (!org) throw new NotFound('OPD tidak ditemukan.', 'OPD not found.');
  const thisYear = thisYearIn(p.timeZone);
  const year = p.year ?? thisYear;
  const [[card], quarters, items, years] = await Promise.all([
    scorecards(db, { year, timeZone: p.timeZone, organization: org.slug }),
    Promise.all([1, 2, 3, 4].map(async (n) => ({ n, ...(await scorecards(db, { year, timeZone: p.timeZone, quarter: n, organization: org.slug }))[0] }))),
    dataList(db, actor, { year, timeZone: p.timeZone, organizationId: org.id }),
    dataListYears(db),
  ]);
  return { organization: org, year, thisYear, years, card, quarters, items };
}
export type OpdScorecardPage = Awaited<ReturnType<typeof loadOpdScorecard>>;

/** The walidata's management dashboard: last, this and next year's data lists (last year's can still be late; next year's first deliveries can be due), the scheduled releases, the new requests. */
export async function loadManageDashboard(db: Knex, actor: Actor | null, timeZone: string): Promise<{ year: number; today: string; items: DataListEntry[]; scheduled: Awaited<ReturnType<typeof scheduledVersions>>; newRequests: number }> {
  const year = thisYearIn(timeZone);
  const today = localDay(new Date(), timeZone);
  const [lists, scheduled, requests] = await Promise.all([
    Promise.all([year - 1, year, year + 1].map((y) => dataList(db, actor, { year: y, timeZone, today }))),
    scheduledVersions(db),
    db('data_requests').where('state', 'baru').whereNull('hidden_at').count<Array<{ n: string | number }>>({ n: '*' }),
  ]);
  return { year, today, items: lists.flat(), scheduled, newRequests: Number(requests[0].n) };
}
