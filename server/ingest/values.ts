import type { ColumnType } from '../db/datastore';

/** Spellings of "no value" in Indonesian office tables. Compared trimmed and lower-cased. */
export const MISSING_SPELLINGS = ['', '-', '–', '—', '--', 'na', 'n/a', 'n.a', 'n.a.', '#n/a', '...', '…', '..', 'null', 'nil'];
const MISSING = new Set(MISSING_SPELLINGS);

/** The characters String.prototype.trim() removes, for trimming the same way in SQL. */
export const TRIM_CHARS = ' \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** True when a whole number (canonical text, e.g. "-123") fits PostgreSQL's bigint. */
export function fitsBigint(n: string): boolean {
  const digits = n.replace(/^[+-]/, '').replace(/^0+(?=\d)/, '');
  if (digits.length !== 19) return digits.length < 19;
  return digits <= (n.startsWith('-') ? '9223372036854775808' : '9223372036854775807');
}

/** True when the cell means "no value". */
export function isMissing(raw: string): boolean {
  return MISSING.has(raw.trim().toLowerCase());
}

/** How a column writes numbers: decimal mark and thousands separator ('' = none seen). */
export interface NumberFormat {
  decimal: '.' | ',';
  thousands: '' | '.' | ',' | ' ';
}

export const PLAIN_NUMBERS: NumberFormat = { decimal: '.', thousands: '' };

const INT_PLAIN = /^[+-]?\d+$/;
const DEC_DOT = /^[+-]?(\d+\.\d+|\.\d+)$/;
const DEC_COMMA = /^[+-]?(\d+,\d+|,\d+)$/;
const THOUSANDS_DOT = /^[+-]?\d{1,3}(\.\d{3})+$/;
const THOUSANDS_COMMA = /^[+-]?\d{1,3}(,\d{3})+$/;
const THOUSANDS_SPACE = /^[+-]?\d{1,3}( \d{3})+$/;
const ID_FULL = /^[+-]?\d{1,3}(\.\d{3})+,\d+$/; // 1.234.567,5
const EN_FULL = /^[+-]?\d{1,3}(,\d{3})+\.\d+$/; // 1,234,567.5
const EXPONENT = /^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/;

/** Evidence one value gives about its column's number format. */
export interface NumberEvidence {
  numeric: boolean;
  /** The value has a fractional part under the format it points to. */
  fractional: boolean;
  /** Formats the value is consistent with. */
  formats: NumberFormat[];
}

const F = (decimal: '.' | ',', thousands: NumberFormat['thousands']): NumberFormat => ({ decimal, thousands });

/**
 * What a single cell says about number formats. `313.756` fits both "dot thousands" (313756)
 * and "dot decimal" (313.756); the column's other cells decide.
 */
export function numberEvidence(raw: string): NumberEvidence {
  const v = raw.trim().replace(/\u00a0/g, ' ');
  if (INT_PLAIN.test(v)) return { numeric: true, fractional: false, formats: [F('.', ''), F(',', ''), F('.', ','), F(',', '.'), F('.', ' '), F(',', ' ')] };
  if (THOUSANDS_DOT.test(v)) {
    const single = v.split('.').length === 2;
    return { numeric: true, fractional: single, formats: single ? [F(',', '.'), F('.', ''), F('.', ',')] : [F(',', '.')] };
  }
  if (THOUSANDS_COMMA.test(v)) {
    const single = v.split(',').length === 2;
    return { numeric: true, fractional: single, formats: single ? [F('.', ','), F(',', ''), F(',', '.')] : [F('.', ',')] };
  }
  if (THOUSANDS_SPACE.test(v)) return { numeric: true, fractional: false, formats: [F(',', ' '), F('.', ' ')] };
  if (DEC_DOT.test(v)) return { numeric: true, fractional: true, formats: [F('.', ''), F('.', ','), F('.', ' ')] };
  if (DEC_COMMA.test(v)) return { numeric: true, fractional: true, formats: [F(',', ''), F(',', '.'), F(',', ' ')] };
  if (ID_FULL.test(v)) return { numeric: true, fractional: true, formats: [F(',', '.')] };
  if (EN_FULL.test(v)) return { numeric: true, fractional: true, formats: [F('.', ',')] };
  if (EXPONENT.test(v)) return { numeric: true, fractional: true, formats: [F('.', ''), F('.', ',')] };
  return { numeric: false, fractional: false, formats: [] };
}

/**
 * Parses a number written in `fmt` into PostgreSQL's canonical text ("1234567.5"), or null when
 * the text is not a number in that format.
 */
export function normalizeNumber(raw: string, fmt: NumberFormat): string | null {
  let v = raw.trim().replace(/\u00a0/g, ' ');
  if (EXPONENT.test(v) && fmt.decimal === '.') return v;
  let sign = '';
  if (v[0] === '-' || v[0] === '+') {
    sign = v[0] === '-' ? '-' : '';
    v = v.slice(1);
  }
  if (fmt.thousands) {
    const parts = v.split(fmt.decimal);
    if (parts.length > 2) return null;
    const groups = parts[0].split(fmt.thousands);
    if (groups.length > 1) {
      if (!/^\d{1,3}$/.test(groups[0]) || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) return null;
    }
    v = groups.join('') + (parts.length === 2 ? `.${parts[1]}` : '');
  } else if (fmt.decimal === ',') {
    v = v.replace(',', '.');
  }
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(v)) return null;
  if (v.startsWith('.')) v = `0${v}`;
  if (v.endsWith('.')) v = v.slice(0, -1);
  return sign + v;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DMY_DATE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;

/** A calendar date as ISO text (`2025-03-31`), from ISO or dd/mm/yyyy; null when not a real date. */
export function normalizeDate(raw: string): string | null {
  const v = raw.trim();
  let y: number;
  let m: number;
  let d: number;
  let match = ISO_DATE.exec(v);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = DMY_DATE.exec(v))) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const TRUE = new Set(['true', 'ya', 'yes', 'y', 'benar', 't']);
const FALSE = new Set(['false', 'tidak', 'no', 'n', 'salah', 'f']);

/** 't' / 'f' for yes/no spellings (Indonesian and English), else null. */
export function normalizeBoolean(raw: string): 't' | 'f' | null {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return 't';
  if (FALSE.has(v)) return 'f';
  return null;
}

/** A year between 1900 and 2100, as text; else null. */
export function normalizeYear(raw: string): string | null {
  const v = raw.trim();
  if (!/^\d{4}$/.test(v)) return null;
  const y = Number(v);
  return y >= 1900 && y <= 2100 ? v : null;
}

/** How a column's cells are read. */
export interface ColumnReader {
  type: ColumnType;
  numberFormat: NumberFormat;
}

/**
 * A cell converted to PostgreSQL's canonical text for the column's type: `null` for a missing
 * value, `undefined` when the text does not fit the type.
 */
export function normalizeCell(raw: string, col: ColumnReader): string | null | undefined {
  if (isMissing(raw)) return null;
  switch (col.type) {
    case 'text':
      return raw.trim();
    case 'integer': {
      const n = normalizeNumber(raw, col.numberFormat);
      return n !== null && !n.includes('.') && !/e/i.test(n) && fitsBigint(n) ? n : undefined;
    }
    case 'number': {
      const n = normalizeNumber(raw, col.numberFormat);
      return n ?? undefined;
    }
    case 'year':
      return normalizeYear(raw) ?? undefined;
    case 'date':
      return normalizeDate(raw) ?? undefined;
    case 'boolean':
      return normalizeBoolean(raw) ?? undefined;
  }
}

/** True when COPY can read the cell as it is (so the fast path may skip JavaScript). */
export function isCanonical(raw: string, type: ColumnType): boolean {
  if (raw === '') return true;
  switch (type) {
    case 'text':
      return raw.trim() === raw && !isMissing(raw);
    case 'integer':
      return /^-?\d{1,18}$/.test(raw);
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(raw);
    case 'year':
      return normalizeYear(raw) === raw;
    case 'date':
      return ISO_DATE.test(raw) && normalizeDate(raw) === raw;
    case 'boolean':
      return raw === 'true' || raw === 'false';
  }
}
