import type { Frequency } from '../metadata';
import { addDays } from '../manage/calendar';

// The periods a data-list item must deliver in its year, and when each is due. A year's list
// (daftar data tahun N) holds the deliveries due in year N: a yearly item the data of N-1 by the
// end of its set month of N; quarterly ones Q4 of N-1 and Q1–Q3 of N, each 45 days after its
// quarter; and so on. Dates are calendar days in the portal's zone (`YYYY-MM-DD`).

/** One delivery of a data-list item. */
export interface Period {
  /** `2025`, `2025-S2`, `2025-Q4`, `2025-12`. */
  key: string;
  start: string;
  end: string;
  /** The last day it may be published on; null for ad-hoc data (never late). */
  due: string | null;
}

/** Days after a period's end until its delivery is due, per frequency (yearly data: by a month instead). */
export const LAG_DAYS: Record<Exclude<Frequency, 'tahunan' | 'dua_tahunan' | 'ad_hoc'>, number> = {
  harian: 7,
  mingguan: 7,
  bulanan: 30,
  triwulanan: 45,
  semesteran: 60,
};

/** The month of the list's year by which yearly data is due unless the item sets another. */
export const DEFAULT_DUE_MONTH = 6;

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);

/** The periods of an item of the list of `year` with this frequency. */
export function periodsFor(year: number, frequency: Frequency, dueMonth: number | null = null): Period[] {
  const prev = year - 1;
  switch (frequency) {
    case 'tahunan':
    case 'dua_tahunan':
      return [{ key: String(prev), start: `${prev}-01-01`, end: `${prev}-12-31`, due: lastDay(year, dueMonth ?? DEFAULT_DUE_MONTH) }];
    case 'ad_hoc':
      return [{ key: String(year), start: `${year}-01-01`, end: `${year}-12-31`, due: null }];
    case 'semesteran': {
      const lag = LAG_DAYS.semesteran;
      return [
        { key: `${prev}-S2`, start: `${prev}-07-01`, end: `${prev}-12-31`, due: addDays(`${prev}-12-31`, lag) },
        { key: `${year}-S1`, start: `${year}-01-01`, end: `${year}-06-30`, due: addDays(`${year}-06-30`, lag) },
      ];
    }
    case 'triwulanan': {
      const lag = LAG_DAYS.triwulanan;
      const q = (y: number, n: number): Period => {
        const end = lastDay(y, n * 3);
        return { key: `${y}-Q${n}`, start: `${y}-${pad(n * 3 - 2)}-01`, end, due: addDays(end, lag) };
      };
      return [q(prev, 4), q(year, 1), q(year, 2), q(year, 3)];
    }
    default: {
      // Monthly, weekly and daily data: checked month by month.
      const lag = LAG_DAYS[frequency];
      const month = (y: number, m: number): Period => {
        const end = lastDay(y, m);
        return { key: `${y}-${pad(m)}`, start: `${y}-${pad(m)}-01`, end, due: addDays(end, lag) };
      };
      return [month(prev, 12), ...Array.from({ length: 11 }, (_, i) => month(year, i + 1))];
    }
  }
}
