import type { HeadlineFigure, HeadlinePeriod } from '../queries/headlines';
import type { ColumnRow } from '../db/rows';

const MONTH = /^(bulan|month)(_|$)|_bulan$/;
const QUARTER = /^(triwulan|kuartal|quarter)(_|$)/;
const SEMESTER = /^semester(_|$)/;

/** Sparkline box (SVG user units); the CSS scales it. */
const W = 120;
const H = 32;
const PAD = 3;

/** A figure rounded for reading: whole numbers stay whole, others keep two decimals. */
const round = (v: number | null) => (v === null ? null : Number.isInteger(v) ? v : Math.round(v * 100) / 100);

/** A period in words: the table's own period text, else its year with a month, quarter or semester. */
export function periodLabel(p: HeadlinePeriod, times: ColumnRow[], lang: string): string {
  const text = times.find((c) => c.type === 'text' && p.parts[c.name] != null);
  if (text) return String(p.parts[text.name]);
  const locale = lang === 'en' ? 'en-GB' : 'id-ID';
  const year = times.find((c) => c.type === 'year' || /^(tahun|year)/.test(c.name));
  const date = times.find((c) => c.type === 'date');
  const y = year ? p.parts[year.name] : null;
  const sub = times.find((c) => c !== year && c.type === 'integer');
  const n = sub ? Number(p.parts[sub.name]) : NaN;
  if (y != null && sub && Number.isInteger(n)) {
    if (MONTH.test(sub.name) && n >= 1 && n <= 12) {
      return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(y), n - 1, 15)));
    }
    if (QUARTER.test(sub.name)) return lang === 'en' ? `Q${n} ${y}` : `Triwulan ${n} ${y}`;
    if (SEMESTER.test(sub.name)) return `Semester ${n} ${y}`;
  }
  if (date && p.parts[date.name] != null) {
    const d = new Date(p.parts[date.name] as string);
    if (!Number.isNaN(d.getTime())) return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
  }
  return times.map((c) => p.parts[c.name]).filter((v) => v != null).join(' ');
}

/** The sparkline's polyline over the periods' values (null values leave no point), or null for fewer than two. */
function sparkline(values: Array<number | null>) {
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2) return null;
  const min = Math.min(...known);
  const max = Math.max(...known);
  const step = (W - 2 * PAD) / (values.length - 1);
  const y = (v: number) => (max === min ? H / 2 : PAD + (H - 2 * PAD) * (1 - (v - min) / (max - min)));
  const pts = values.flatMap((v, i) => (v === null ? [] : [{ x: +(PAD + i * step).toFixed(1), y: +y(v).toFixed(1) }]));
  const last = pts[pts.length - 1];
  return { width: W, height: H, points: pts.map((p) => `${p.x},${p.y}`).join(' '), last };
}

const UNIT_NAME = /^(satuan|unit)(_|$)/;

/** A header written as a machine name (`persentase_penduduk_miskin`) in words ("Persentase penduduk miskin"). */
export function readableLabel(label: string): string {
  if (!/^[a-z0-9_]+$/.test(label)) return label;
  const words = label.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The measure's unit: its own, else the one value of a unit column beside it ("PERSEN" → "persen").
 * A unit column with several values names no single unit.
 */
export function measureUnit(measure: ColumnRow, columns: ColumnRow[]): string | null {
  if (measure.unit) return measure.unit;
  const col = columns.find((c) => c.type === 'text' && UNIT_NAME.test(c.name));
  const stats = col?.stats as { distinct?: number; top?: Array<{ value: string }> } | null | undefined;
  const only = stats?.distinct === 1 ? stats.top?.[0]?.value : undefined;
  if (!only) return null;
  return only === only.toUpperCase() ? only.toLowerCase() : only;
}

/** One headline indicator as the home page shows it: latest value, change from the period before, a sparkline and its table alternative. */
export function presentHeadline(f: HeadlineFigure, opts: { lang: string }) {
  const { dataset: d, measure, times, periods } = f;
  const unit = measureUnit(measure, f.columns);
  const series = periods.map((p) => ({ label: periodLabel(p, times, opts.lang), value: round(p.value) }));
  const latest = series[series.length - 1];
  const prevIndex = series.length - 2;
  const previous = prevIndex >= 0 ? series[prevIndex] : null;
  let change = null;
  if (previous && latest.value !== null && previous.value !== null) {
    const delta = round(periods[periods.length - 1].value! - periods[prevIndex].value!)!;
    const percentUnit = /^(persen|percent|%)/i.test(unit ?? '');
    change = {
      delta: Math.abs(delta),
      direction: delta > 0 ? 'up' : delta < 0 ? 'down' : 'same',
      // A rate's change is told in points; a count's also as a share of the previous figure.
      percent: !percentUnit && previous.value !== 0 ? Math.round((Math.abs(delta) / Math.abs(previous.value)) * 1000) / 10 : null,
      points: percentUnit,
      against: previous.label,
    };
  }
  return {
    slug: d.slug,
    title: opts.lang === 'en' && d.title_en ? d.title_en : d.title,
    organization: d.org_short_name ?? d.org_name,
    label: readableLabel(measure.label),
    unit,
    fn: f.indicator.fn,
    /** How many rows the latest figure combines (more than one: the caption says how). */
    rows: periods[periods.length - 1].rows,
    latest,
    change,
    spark: sparkline(periods.map((p) => p.value)),
    series,
    timed: times.length > 0,
  };
}
export type HeadlineView = ReturnType<typeof presentHeadline>;
