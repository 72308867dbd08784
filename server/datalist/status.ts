import type { Period } from './periods';

// The status of each delivery of a data-list item, computed from the versions of the dataset
// that fulfils it — never typed by anyone. Pure: the clock is an argument.

export const ITEM_STATUSES = ['belum_ada', 'draf', 'dalam_pemeriksaan', 'terbit', 'terlambat', 'terbit_terlambat'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** What the status needs to know of one version of the fulfilling dataset. */
export interface VersionFacts {
  state: string;
  created_at: string;
  /** When it was published (published or superseded versions). */
  published_at: string | null;
  /** The end of the latest period its table covers (a year or date column), if known. */
  covered_until: string | null;
}

/** A period with its status and, when delivered, when. */
export interface PeriodStatus extends Period {
  status: ItemStatus;
  delivered_on: string | null;
}

const REVIEW = new Set(['submitted', 'verified', 'scheduled']);
const DRAFT = new Set(['processing', 'draft', 'changes_requested']);
const PUBLIC = new Set(['published', 'superseded']);

/**
 * Whether a version is (or is meant as) the delivery of a period: its table reaches the end of the
 * period; without a time column, it was made (or published) once the period had begun.
 */
function covers(v: VersionFacts, p: Period, day: (iso: string) => string): boolean {
  if (v.covered_until) return v.covered_until.slice(0, 10) >= p.end;
  const made = PUBLIC.has(v.state) && v.published_at ? v.published_at : v.created_at;
  return day(made) >= p.start;
}

/**
 * The status of one period on `today` (`YYYY-MM-DD`): published by its due date (`terbit`) or
 * after it (`terbit_terlambat`); not published and past due (`terlambat`); else what the OPD is
 * doing about it — under review (`dalam_pemeriksaan`), a draft (`draf`) or nothing (`belum_ada`).
 * `day` turns an instant into its local calendar day.
 */
export function periodStatus(p: Period, versions: VersionFacts[], today: string, day: (iso: string) => string): PeriodStatus {
  let delivered: string | null = null;
  for (const v of versions) {
    if (!PUBLIC.has(v.state) || !v.published_at || !covers(v, p, day)) continue;
    const on = day(v.published_at);
    if (delivered === null || on < delivered) delivered = on;
  }
  if (delivered) return { ...p, status: p.due === null || delivered <= p.due ? 'terbit' : 'terbit_terlambat', delivered_on: delivered };
  if (p.due !== null && today > p.due) return { ...p, status: 'terlambat', delivered_on: null };
  const work = versions.filter((v) => covers(v, p, day));
  if (work.some((v) => REVIEW.has(v.state))) return { ...p, status: 'dalam_pemeriksaan', delivered_on: null };
  if (work.some((v) => DRAFT.has(v.state))) return { ...p, status: 'draf', delivered_on: null };
  return { ...p, status: 'belum_ada', delivered_on: null };
}

/**
 * One status for the whole item: late if any delivery is; once all are published, whether any
 * came late; otherwise where the first outstanding delivery stands.
 */
export function itemStatus(periods: PeriodStatus[]): ItemStatus {
  if (periods.some((p) => p.status === 'terlambat')) return 'terlambat';
  const open = periods.find((p) => p.status !== 'terbit' && p.status !== 'terbit_terlambat');
  if (open) return open.status;
  return periods.some((p) => p.status === 'terbit_terlambat') ? 'terbit_terlambat' : 'terbit';
}
