import type { ItemStatus } from '../datalist/status';

// An OPD's scorecard for a year or a quarter, from its data list and its review history. Pure:
// the facts come in, the figures go out, so they are tested on crafted histories.

/** A range of local days, inclusive (`YYYY-MM-DD`). */
export interface DayRange {
  from: string;
  to: string;
}

/** What one OPD's scorecard is computed from. */
export interface ScorecardFacts {
  /** Its data-list items of the year: each with its deliveries. */
  items: Array<{ periods: Array<{ due: string | null; status: ItemStatus; delivered_on: string | null }> }>;
  /** Days (local) on which a version of one of its datasets was published, with the dataset. */
  publications: Array<{ dataset_id: number; day: string }>;
  /** The kept quality scores of its published datasets. */
  quality: number[];
  /** The walidata's decisions on its submissions: when submitted and decided (ISO), and what. */
  decisions: Array<{ submitted_at: string; decided_at: string; decided_day: string; decision: 'approve' | 'request_changes' | 'reject' }>;
}

/** The figures of SPEC §5 `/api/v1/scorecards`, plus the rates pages show. */
export interface Scorecard {
  items: number;
  deliveries: number;
  delivered: number;
  on_time: number;
  late: number;
  /** Deliveries past due and still not published. */
  overdue: number;
  published: number;
  avg_quality: number | null;
  avg_review_days: number | null;
  changes_requested_rate: number | null;
  on_time_rate: number | null;
}

const inRange = (day: string | null, r: DayRange) => day !== null && day >= r.from && day <= r.to;
const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * The scorecard over `range`: the deliveries due in it (or, without a due date, delivered in
 * it) — delivered, on time, late (past due, published late or not yet); the datasets published
 * in it; the average quality of its published datasets now; the average days from submission to
 * the walidata's decision and the share of those decisions that asked for changes, for
 * decisions made in it. A figure with nothing to average is null.
 */
export function scorecard(f: ScorecardFacts, range: DayRange): Scorecard {
  let deliveries = 0;
  let delivered = 0;
  let onTime = 0;
  let late = 0;
  let overdue = 0;
  let items = 0;
  for (const item of f.items) {
    let counted = false;
    for (const p of item.periods) {
      const relevant = p.due !== null ? inRange(p.due, range) : inRange(p.delivered_on, range);
      if (!relevant) continue;
      counted = true;
      deliveries++;
      if (p.status === 'terbit' || p.status === 'terbit_terlambat') delivered++;
      if (p.status === 'terbit') onTime++;
      if (p.status === 'terlambat' || p.status === 'terbit_terlambat') late++;
      if (p.status === 'terlambat') overdue++;
    }
    if (counted) items++;
  }
  const published = new Set(f.publications.filter((p) => inRange(p.day, range)).map((p) => p.dataset_id)).size;
  const decisions = f.decisions.filter((d) => inRange(d.decided_day, range));
  const days = decisions.map((d) => (Date.parse(d.decided_at) - Date.parse(d.submitted_at)) / 86_400_000);
  return {
    items,
    deliveries,
    delivered,
    on_time: onTime,
    late,
    overdue,
    published,
    avg_quality: f.quality.length ? round1(f.quality.reduce((a, b) => a + b, 0) / f.quality.length) : null,
    avg_review_days: days.length ? round1(days.reduce((a, b) => a + b, 0) / days.length) : null,
    changes_requested_rate: decisions.length ? round1((100 * decisions.filter((d) => d.decision === 'request_changes').length) / decisions.length) : null,
    on_time_rate: delivered + overdue > 0 ? round1((100 * onTime) / (delivered + overdue)) : null,
  };
}

/** The range of a year, or of one of its quarters (1–4). */
export function rangeOf(year: number, quarter?: number): DayRange {
  if (!quarter) return { from: `${year}-01-01`, to: `${year}-12-31` };
  const endMonth = quarter * 3;
  const last = new Date(Date.UTC(year, endMonth, 0)).toISOString().slice(0, 10);
  return { from: `${year}-${String(endMonth - 2).padStart(2, '0')}-01`, to: last };
}
