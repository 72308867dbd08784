// Calendar arithmetic in the portal's zone (config TIME_ZONE, `Asia/Jakarta` by default): times
// are stored in UTC and shown and filtered in that zone. Dates without a time (`YYYY-MM-DD`) are
// local days of the zone; every function that turns an instant into a day, or back, is told the
// zone, so there is one setting and no fixed offset.

const DAY_MS = 86_400_000;
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const partFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(zone: string): Intl.DateTimeFormat {
  let f = dayFormats.get(zone);
  if (!f) dayFormats.set(zone, (f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f;
}

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(at: Date, zone: string): number {
  let f = partFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    partFormats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, Number(x.value)]));
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** The local calendar day (`YYYY-MM-DD`) of an instant in the zone. */
export function localDay(at: Date, zone: string): string {
  return dayFormat(zone).format(at);
}

/**
 * The instant a local wall-clock time (`YYYY-MM-DDTHH:mm[:ss]`) of the zone stands for, or an
 * invalid date when the text is not one.
 */
export function fromLocalTime(local: string, zone: string): Date {
  const wall = Date.parse(`${local.length === 16 ? `${local}:00` : local}Z`);
  if (Number.isNaN(wall)) return new Date(NaN);
  // The offset at the guess, then at the corrected guess: right across a change of offset too.
  const first = wall - zoneOffsetMs(new Date(wall), zone);
  return new Date(wall - zoneOffsetMs(new Date(first), zone));
}

/** The instant a local day begins in the zone. */
export function startOfLocalDay(day: string, zone: string): Date {
  return fromLocalTime(`${day}T00:00:00`, zone);
}

/** The last millisecond of a local day in the zone (an inclusive `to` of a range of days). */
export function endOfLocalDay(day: string, zone: string): Date {
  return new Date(startOfLocalDay(addDays(day, 1), zone).getTime() - 1);
}

/** `YYYY-MM-DD` plus `n` days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday of the week of a local day. */
export function mondayOf(day: string): string {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((dow + 6) % 7));
}

/** The first and the last day of a month `YYYY-MM`. */
export function monthDays(month: string): { first: string; last: string } {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return { first: `${month}-01`, last };
}

/** The month `YYYY-MM` shifted by `n` months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7);
}

/** Whole days from local day `a` to local day `b` (negative when b is earlier). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/**
 * The zone as a reader names it: WIB, WITA or WIT for Indonesia's zones (else the zone's short
 * name, such as GMT+1), and in English with its offset from UTC too ("WITA (UTC+8)").
 */
export function zoneLabel(zone: string, lang: string, at: Date = new Date()): string {
  // Every page shows it: kept per zone, language and minute (zones change their names and
  // offsets only on whole minutes), so building the formatter is not paid per request.
  const key = `${zone}|${lang}|${Math.floor(at.getTime() / 60_000)}`;
  let label = zoneLabels.get(key);
  if (label === undefined) {
    if (zoneLabels.size >= 100) zoneLabels.clear();
    zoneLabels.set(key, (label = computeZoneLabel(zone, lang, at)));
  }
  return label;
}

const zoneLabels = new Map<string, string>();

function computeZoneLabel(zone: string, lang: string, at: Date): string {
  const short = new Intl.DateTimeFormat('id-ID', { timeZone: zone, timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? zone;
  if (lang !== 'en' || !/^[A-Z]{3,4}$/.test(short) || short === 'UTC') return short;
  const minutes = Math.round(zoneOffsetMs(at, zone) / 60_000);
  const hm = `${Math.floor(Math.abs(minutes) / 60)}${minutes % 60 ? `:${String(Math.abs(minutes) % 60).padStart(2, '0')}` : ''}`;
  return `${short} (UTC${minutes < 0 ? '-' : '+'}${hm})`;
}
