import cronParser from 'cron-parser';

/**
 * A pulled source's schedule, as people write it: `daily 06:00` (harian), `weekly mon 06:00`
 * (mingguan; a day name in English or Indonesian, or 1–7 from Monday), `monthly 5 06:00` (bulanan;
 * day 1–28), or a five-field cron expression. Times are in the portal's time zone.
 */

const DAYS: Record<string, number> = {
  mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 0,
  senin: 1, selasa: 2, rabu: 3, kamis: 4, jumat: 5, sabtu: 6, minggu: 0,
};

export class BadSchedule extends Error {
  readonly id: string;
  constructor(readonly schedule: string) {
    super(`"${schedule}" is not a schedule: write e.g. "daily 06:00", "weekly mon 06:00", "monthly 5 06:00" or a cron expression`);
    this.id = `"${schedule}" bukan jadwal: tulis mis. "daily 06:00" (harian), "weekly senin 06:00", "monthly 5 06:00" atau ekspresi cron`;
  }
}

function time(s: string | undefined, schedule: string): [number, number] {
  if (s === undefined) return [2, 0];
  const m = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/.exec(s);
  if (!m) throw new BadSchedule(schedule);
  return [Number(m[1]), Number(m[2])];
}

/** The schedule as a cron expression (throws BadSchedule). */
export function toCron(schedule: string): string {
  const parts = schedule.trim().toLowerCase().split(/\s+/);
  const [kind, a, b] = parts;
  if (['daily', 'harian'].includes(kind) && parts.length <= 2) {
    const [h, m] = time(a, schedule);
    return `${m} ${h} * * *`;
  }
  if (['weekly', 'mingguan'].includes(kind) && parts.length <= 3) {
    const day = a === undefined ? 1 : /^[1-7]$/.test(a) ? Number(a) % 7 : DAYS[a];
    if (day === undefined) throw new BadSchedule(schedule);
    const [h, m] = time(b, schedule);
    return `${m} ${h} * * ${day}`;
  }
  if (['monthly', 'bulanan'].includes(kind) && parts.length <= 3) {
    const day = a === undefined ? 1 : Number(a);
    if (!Number.isInteger(day) || day < 1 || day > 28) throw new BadSchedule(schedule);
    const [h, m] = time(b, schedule);
    return `${m} ${h} ${day} * *`;
  }
  if (parts.length === 5) {
    try {
      cronParser.parseExpression(parts.join(' '));
      return parts.join(' ');
    } catch {
      throw new BadSchedule(schedule);
    }
  }
  throw new BadSchedule(schedule);
}

/** The first run strictly after `from`, in the portal's zone `tz`. */
export function nextRun(schedule: string, from: Date, tz: string): Date {
  return cronParser.parseExpression(toCron(schedule), { currentDate: from, tz }).next().toDate();
}
