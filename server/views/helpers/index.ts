import type { HelperOptions } from 'handlebars';
import { translator, type Lang } from '../../i18n';
import { assetUrl } from '../../assets';
import { DEFAULT_TIME_ZONE } from '../../config';

const lang = (o: HelperOptions): Lang => (o?.data?.root?.lang === 'en' ? 'en' : 'id');
const locale = (o: HelperOptions) => (lang(o) === 'en' ? 'en-GB' : 'id-ID');
/** The portal's zone (TIME_ZONE), passed to every page: times are shown in it, whatever the server's zone. */
const zone = (o: HelperOptions): string => (typeof o?.data?.root?.timeZone === 'string' ? o.data.root.timeZone : DEFAULT_TIME_ZONE);
/** A calendar date without a time ("2025-03-31"): the same day in every zone. */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

// Making an Intl formatter costs far more than using one (a table page formats hundreds of
// cells): each is made once per locale and options, then reused.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(loc: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n:${loc}:${JSON.stringify(options)}`;
  let f = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.NumberFormat(loc, options)));
  return f;
}
function dateTimeFormat(loc: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d:${loc}:${JSON.stringify(options)}`;
  let f = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(loc, options)));
  return f;
}

/** Handlebars helpers: pure functions of their arguments and the page's language. */
export const helpers = {
  /** {{t "key" name=value}}: the text of a key in the page's language. */
  t(key: string, o: HelperOptions) {
    return translator(lang(o))(key, o.hash ?? {});
  },
  /** {{asset "css/site.css"}}: the fingerprinted URL of a static file (cached for a year). */
  asset: (name: string) => assetUrl(String(name)),
  list: (...args: unknown[]) => args.slice(0, -1),
  obj: () => ({}),
  def: (a: unknown, b: unknown) => (a === undefined || a === null || a === '' ? b : a),
  concat: (...args: unknown[]) => args.slice(0, -1).map(String).join(''),
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  not: (a: unknown) => !a,
  gt: (a: number, b: number) => Number(a) > Number(b),
  add: (a: number, b: number) => Number(a) + Number(b),
  includes: (list: unknown, v: unknown) => Array.isArray(list) && list.includes(v),
  /** A number in the reader's locale (1.124.683 / 1,124,683). */
  num(v: unknown, o: HelperOptions) {
    if (v === null || v === undefined || v === '') return '';
    const n = Number(v);
    return Number.isFinite(n) ? numberFormat(locale(o), { maximumFractionDigits: 10 }).format(n) : String(v);
  },
  /** A cell for display: numbers localised, missing as an en dash. */
  cell(v: unknown, type: string, o: HelperOptions) {
    if (v === null || v === undefined) return '–';
    if (type === 'integer' || type === 'number') return numberFormat(locale(o), { maximumFractionDigits: 10 }).format(Number(v));
    if (type === 'boolean') return translator(lang(o))(v ? 'common.yes' : 'common.no');
    return String(v);
  },
  /** The day of a time in the portal's zone, or a calendar date as it is. */
  date(v: unknown, o: HelperOptions) {
    if (!v) return '';
    const d = new Date(v as string);
    if (Number.isNaN(d.getTime())) return '';
    const timeZone = typeof v === 'string' && DATE_ONLY.test(v) ? 'UTC' : zone(o);
    return dateTimeFormat(locale(o), { dateStyle: 'medium', timeZone }).format(d);
  },
  /** A time in the portal's zone. */
  datetime(v: unknown, o: HelperOptions) {
    if (!v) return '';
    const d = new Date(v as string);
    return Number.isNaN(d.getTime()) ? '' : dateTimeFormat(locale(o), { dateStyle: 'medium', timeStyle: 'short', timeZone: zone(o) }).format(d);
  },
  /** A month `YYYY-MM` by name (Desember 2026 / December 2026). */
  monthLabel(v: unknown, o: HelperOptions) {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}$/.test(v)) return '';
    return dateTimeFormat(locale(o), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${v}-15T00:00:00Z`));
  },
  /** A calendar day `YYYY-MM-DD` (no time zone shift). */
  day(v: unknown, o: HelperOptions) {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v)) return '';
    return dateTimeFormat(locale(o), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${v.slice(0, 10)}T12:00:00Z`));
  },
  /** The time of day of an instant in the portal's zone (14.00 / 14:00). */
  time(v: unknown, o: HelperOptions) {
    if (!v) return '';
    const d = new Date(v as string);
    return Number.isNaN(d.getTime()) ? '' : dateTimeFormat(locale(o), { timeStyle: 'short', timeZone: zone(o) }).format(d);
  },
  /** The weekday and day of an instant in the portal's zone (Senin, 7 Des). */
  weekday(v: unknown, o: HelperOptions) {
    if (!v) return '';
    const d = new Date(v as string);
    return Number.isNaN(d.getTime()) ? '' : dateTimeFormat(locale(o), { weekday: 'long', day: 'numeric', month: 'short', timeZone: zone(o) }).format(d);
  },
  isoDate: (v: unknown) => (v ? new Date(v as string).toISOString() : ''),
  bytes(v: unknown, o: HelperOptions) {
    const n = Number(v);
    if (!Number.isFinite(n)) return '';
    const units = ['B', 'KB', 'MB', 'GB'];
    let i = 0;
    let x = n;
    while (x >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${numberFormat(locale(o), { maximumFractionDigits: i ? 1 : 0 }).format(x)} ${units[i]}`;
  },
  /** Age in days/hours from seconds, e.g. for the review queue. */
  age(seconds: number, o: HelperOptions) {
    const t = translator(lang(o));
    const s = Number(seconds);
    if (s >= 86400) return t('common.days', { count: Math.floor(s / 86400) });
    if (s >= 3600) return t('common.hours', { count: Math.floor(s / 3600) });
    return t('common.minutes', { count: Math.max(1, Math.floor(s / 60)) });
  },
  percent: (a: number, b: number) => (Number(b) > 0 ? Math.min(100, Math.round((Number(a) / Number(b)) * 100)) : 0),
  json: (v: unknown) => JSON.stringify(v ?? null),
  /** The query string of the current page with one parameter changed. */
  withParam(query: Record<string, unknown>, key: string, value: unknown) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (typeof v === 'string' && v !== '' && k !== key && k !== 'page') p.set(k, v);
    if (value !== '' && value !== null && value !== undefined) p.set(key, String(value));
    const s = p.toString();
    return s ? `?${s}` : '?';
  },
  range(from: number, to: number) {
    const out: number[] = [];
    for (let i = Number(from); i <= Number(to); i++) out.push(i);
    return out;
  },
  lookup2: (obj: Record<string, unknown> | undefined, key: string) => (obj ? obj[key] : undefined),
};
