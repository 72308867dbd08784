/** How often each frequency expects new data, and how long publishing it may take after the period ends. */
const CADENCE: Record<string, { months?: number; days?: number; lagMonths?: number; lagDays?: number } | null> = {
  harian: { days: 1, lagDays: 2 },
  mingguan: { days: 7, lagDays: 7 },
  bulanan: { months: 1, lagMonths: 1 },
  triwulanan: { months: 3, lagMonths: 2 },
  semesteran: { months: 6, lagMonths: 3 },
  tahunan: { months: 12, lagMonths: 6 },
  dua_tahunan: { months: 24, lagMonths: 6 },
  ad_hoc: null,
};

/** When the next update of a dataset is due, and whether it is late. */
export interface DueUpdate {
  /** The end of the latest period the published data covers. */
  covered_until: string;
  /** The end of the period the next update should cover. */
  next_period_end: string;
  /** The day by which that update is expected. */
  due: string;
  status: 'ok' | 'soon' | 'overdue';
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** The last day of the month `months` after the month of `d` (UTC). */
function endOfMonthPlus(d: Date, months: number): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months + 1, 0));
}

const addDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);

/**
 * The next due update from a frequency (*jadwal pemutakhiran*) and the end of the period the
 * latest published data covers (null for `ad_hoc`). "Soon" is within 30 days of the due date.
 */
export function dueUpdate(frequency: string, coveredUntil: Date, now = new Date()): DueUpdate | null {
  const c = CADENCE[frequency];
  if (!c) return null;
  const nextEnd = c.months ? endOfMonthPlus(coveredUntil, c.months) : addDays(coveredUntil, c.days ?? 0);
  const due = c.lagMonths ? endOfMonthPlus(nextEnd, c.lagMonths) : addDays(nextEnd, c.lagDays ?? 0);
  const left = (due.getTime() - now.getTime()) / 86_400_000;
  return { covered_until: iso(coveredUntil), next_period_end: iso(nextEnd), due: iso(due), status: left < 0 ? 'overdue' : left <= 30 ? 'soon' : 'ok' };
}
