import type { ColumnRole, ColumnType } from '../../db/datastore';
import type { HeaderName } from '../sniff/headers';
import type { ColumnOverride } from '../options';
import {
  fitsBigint,
  isCanonical,
  isMissing,
  normalizeBoolean,
  normalizeDate,
  normalizeNumber,
  normalizeYear,
  NumberFormat,
  numberEvidence,
  PLAIN_NUMBERS,
} from '../values';

/** A column as inferred from the sample (and the producer's overrides). */
export interface InferredColumn extends HeaderName {
  /** Position of the column among the file's fields (0-based). */
  index: number;
  type: ColumnType;
  role: ColumnRole;
  numberFormat: NumberFormat;
  unit: string | null;
  description: string | null;
  refScheme: 'bps' | 'kemendagri' | null;
  /** Every sampled cell is already in the form PostgreSQL's COPY reads. */
  canonical: boolean;
}

/** Names that hold codes: kept as text whatever their digits look like. */
export const CODE_NAME = /^(kode|kd|code|id|nik|nip|npsn|nuptk|nomor_induk|no_reg)(_|$)|_(kode|code|kd)$/;
/** Names that hold a year. */
const YEAR_NAME = /^(tahun|thn|year)(_|$)|_(tahun|thn|year)$/;
/** Names of time columns (a year, a month, a period). */
const TIME_NAME =
  /^(tahun|thn|year|bulan|month|triwulan|kuartal|quarter|semester|periode|period|tanggal|tgl|date)(_|$)|_(tahun|thn|year|bulan|periode|tanggal)$/;
/** Region code columns checked against the reference codes. */
export const REGION_NAME =
  /^(kode|kd)_(provinsi|prov|kabupaten_kota|kab_kota|kabkota|kabupaten|kab|kota|wilayah|daerah|bps|kemendagri)$/;

/** Formats in order of preference when the cells cannot tell (e.g. all plain integers). */
const PREFER_ID: NumberFormat[] = [
  { decimal: ',', thousands: '.' }, { decimal: ',', thousands: '' }, { decimal: '.', thousands: '' },
  { decimal: '.', thousands: ',' }, { decimal: ',', thousands: ' ' }, { decimal: '.', thousands: ' ' },
];
const PREFER_EN: NumberFormat[] = [
  { decimal: '.', thousands: '' }, { decimal: '.', thousands: ',' }, { decimal: ',', thousands: '.' },
  { decimal: ',', thousands: '' }, { decimal: '.', thousands: ' ' }, { decimal: ',', thousands: ' ' },
];

const sameFormat = (a: NumberFormat, b: NumberFormat) => a.decimal === b.decimal && a.thousands === b.thousands;

/** Share of fitting cells a type needs among the non-missing ones: the rest become errors. */
function enough(fit: number, total: number): boolean {
  if (total === 0) return false;
  return fit / total >= (total <= 10 ? 0.8 : 0.9);
}

/** Hints that hold for the whole file. */
export interface InferHints {
  /** The file's convention leans Indonesian (semicolon-delimited, or the producer said comma decimals). */
  indonesian: boolean;
  /** The decimal mark the producer chose, if any. */
  decimal?: '.' | ',';
}

/** The number format that fits the most cells, preferring the file's convention on ties. */
function chooseFormat(numeric: Tally, hints: InferHints): { format: NumberFormat; fit: number } {
  const prefs = (hints.indonesian ? PREFER_ID : PREFER_EN).filter((f) => !hints.decimal || f.decimal === hints.decimal);
  const evidence = [...numeric].map(([c, m]) => ({ formats: numberEvidence(c).formats, m }));
  let best = { format: prefs[0], fit: -1 };
  for (const f of prefs) {
    let fit = 0;
    for (const { formats, m } of evidence) if (formats.some((g) => sameFormat(g, f))) fit += m;
    if (fit > best.fit) best = { format: f, fit };
  }
  return best;
}

/**
 * Distinct values with how often each occurs: a sample of thousands of rows holds few distinct
 * values in most columns (regions, units, years), so each test runs once per value, not per cell.
 */
type Tally = Map<string, number>;

function tally(values: Iterable<string>): Tally {
  const t: Tally = new Map();
  for (const v of values) t.set(v, (t.get(v) ?? 0) + 1);
  return t;
}

/** How many of the tallied cells pass `test`. */
function countWhere(t: Tally, test: (v: string) => boolean): number {
  let n = 0;
  for (const [v, m] of t) if (test(v)) n += m;
  return n;
}

/** The tallied cells that pass `test`, as a tally. */
function filterTally(t: Tally, test: (v: string) => boolean): Tally {
  const out: Tally = new Map();
  for (const [v, m] of t) if (test(v)) out.set(v, m);
  return out;
}

/** The unit in a header's trailing parentheses: `Jumlah Penduduk (Jiwa)` → `Jiwa`. */
export function unitFromLabel(label: string): string | null {
  const m = /\(([^()]{1,40})\)\s*$/.exec(label);
  return m ? m[1].trim() : null;
}

/** Infers one column's type, role and number format from sampled cells. */
export function inferColumn(
  header: HeaderName,
  index: number,
  cells: string[],
  hints: InferHints,
  override: ColumnOverride = {},
): InferredColumn {
  const raw = tally(cells);
  const present: Tally = new Map();
  for (const [c, m] of raw) if (!isMissing(c)) present.set(c.trim(), (present.get(c.trim()) ?? 0) + m);
  const values = [...present.keys()];
  const n = countWhere(present, () => true);
  // Digits with a leading zero are a code ("001"); a date's leading zero ("05/01/2024") is not.
  const codeLike = CODE_NAME.test(header.name) || values.some((c) => /^0\d+$/.test(c));
  let type: ColumnType = 'text';
  let numberFormat = PLAIN_NUMBERS;

  if (!codeLike && n > 0) {
    const booleans = countWhere(present, (c) => normalizeBoolean(c) !== null);
    const years = countWhere(present, (c) => normalizeYear(c) !== null);
    const dates = countWhere(present, (c) => normalizeDate(c) !== null);
    const numeric = filterTally(present, (c) => numberEvidence(c).numeric);
    if (booleans === n && values.some((c) => !/^[01]$/.test(c))) type = 'boolean';
    else if (YEAR_NAME.test(header.name) && enough(years, n)) type = 'year';
    else if (enough(dates, n)) type = 'date';
    else if (enough(countWhere(numeric, () => true), n)) {
      const { format, fit } = chooseFormat(numeric, hints);
      if (enough(fit, n)) {
        numberFormat = format;
        // Fractions, and whole numbers too large for bigint, make a `numeric` column.
        const fractional = [...numeric.keys()].some((c) => {
          const v = normalizeNumber(c, format) ?? '';
          return /[.eE]/.test(v) || (v !== '' && !fitsBigint(v));
        });
        type = fractional ? 'number' : 'integer';
      }
    }
  }
  if (override.type) type = override.type;
  if ((type === 'integer' || type === 'number') && hints.decimal && numberFormat.decimal !== hints.decimal) {
    numberFormat = { decimal: hints.decimal, thousands: hints.decimal === ',' ? '.' : '' };
  }

  const role: ColumnRole =
    override.role ??
    (REGION_NAME.test(header.name) && type === 'text'
      ? 'region'
      : type === 'year' || type === 'date' || TIME_NAME.test(header.name)
        ? 'time'
        : type === 'integer' || type === 'number'
          ? 'measure'
          : 'dimension');

  const plain = sameFormat(numberFormat, PLAIN_NUMBERS);
  return {
    ...header,
    index,
    type,
    role,
    numberFormat,
    unit: override.unit ?? unitFromLabel(header.label),
    description: override.description ?? null,
    refScheme: override.ref_scheme ?? null,
    canonical: (type === 'text' || type === 'date' || plain) && [...raw.keys()].every((c) => isCanonical(c, type)),
  };
}

/**
 * A text column whose sampled cells are mostly numbers: a few words (such as "belum ada data")
 * kept the column from being numeric. Returns those words with their lines, or null.
 */
export function mostlyNumeric(column: InferredColumn, sample: Array<{ line: number; cells: string[] }>, position: number): Array<{ line: number; value: string }> | null {
  if (column.type !== 'text' || column.role === 'region' || CODE_NAME.test(column.name)) return null;
  const present = sample.map((r) => ({ line: r.line, value: (r.cells[position] ?? '').trim() })).filter((c) => !isMissing(c.value));
  if (present.length < 3) return null;
  const distinct = new Set(present.map((c) => c.value));
  for (const v of distinct) if (/^0\d/.test(v)) return null; // leading zeros: a code
  const wordValues = new Set([...distinct].filter((v) => !numberEvidence(v).numeric));
  const words = wordValues.size > 0 ? present.filter((c) => wordValues.has(c.value)) : [];
  return words.length > 0 && words.length <= present.length / 2 ? words : null;
}
