import {
  isCanonical,
  isMissing,
  normalizeBoolean,
  normalizeCell,
  normalizeDate,
  normalizeNumber,
  normalizeYear,
  numberEvidence,
  type NumberFormat,
} from '../../server/ingest/values';

const ID: NumberFormat = { decimal: ',', thousands: '.' };
const EN: NumberFormat = { decimal: '.', thousands: ',' };
const PLAIN: NumberFormat = { decimal: '.', thousands: '' };

describe('missing values', () => {
  it.each(['', '  ', '-', '–', '—', 'NA', 'na', 'n/a', 'N/A', '...', '…', ' - '])('reads %j as no value', (raw) => {
    expect(isMissing(raw)).toBe(true);
  });

  it.each(['0', 'nama', 'Nanas', '-5', 'a-b'])('does not read %j as missing', (raw) => {
    expect(isMissing(raw)).toBe(false);
  });

  it('turns a missing cell into NULL whatever the column type', () => {
    for (const type of ['integer', 'number', 'text', 'date', 'year', 'boolean'] as const) {
      expect(normalizeCell('-', { type, numberFormat: PLAIN })).toBeNull();
      expect(normalizeCell('n/a', { type, numberFormat: PLAIN })).toBeNull();
    }
  });
});

describe('numbers in Indonesian and English conventions', () => {
  it('reads dot thousands and comma decimals (Indonesian)', () => {
    expect(normalizeNumber('1.234.567', ID)).toBe('1234567');
    expect(normalizeNumber('12,5', ID)).toBe('12.5');
    expect(normalizeNumber('1.234.567,25', ID)).toBe('1234567.25');
    expect(normalizeNumber('-2.110,1', ID)).toBe('-2110.1');
  });

  it('reads comma thousands and dot decimals (English)', () => {
    expect(normalizeNumber('1,234,567.5', EN)).toBe('1234567.5');
    expect(normalizeNumber('1,234,567', EN)).toBe('1234567');
    expect(normalizeNumber('12.5', EN)).toBe('12.5');
  });

  it('refuses a number whose thousands groups are malformed', () => {
    expect(normalizeNumber('1.23.567', ID)).toBeNull();
    expect(normalizeNumber('1234.567,5', ID)).toBeNull();
    expect(normalizeNumber('12,5,6', ID)).toBeNull();
    expect(normalizeNumber('abc', PLAIN)).toBeNull();
  });

  it('gives the evidence that settles ambiguous cells', () => {
    // 1.234.567 can only be dot-thousands; 12,5 only comma-decimal; 313.756 is ambiguous.
    expect(numberEvidence('1.234.567').formats).toEqual([ID]);
    expect(numberEvidence('12,5').formats.every((f) => f.decimal === ',')).toBe(true);
    expect(numberEvidence('313.756').formats.length).toBeGreaterThan(1);
    expect(numberEvidence('1,234,567.5').formats).toEqual([EN]);
    expect(numberEvidence('Lampung').numeric).toBe(false);
  });

  it('refuses a fraction in an integer column and text in a number column', () => {
    expect(normalizeCell('12,5', { type: 'integer', numberFormat: ID })).toBeUndefined();
    expect(normalizeCell('banyak', { type: 'number', numberFormat: ID })).toBeUndefined();
    expect(normalizeCell('1.124.683', { type: 'integer', numberFormat: ID })).toBe('1124683');
  });
});

describe('dates, years and booleans', () => {
  it('reads ISO and dd/mm/yyyy dates', () => {
    expect(normalizeDate('2025-03-31')).toBe('2025-03-31');
    expect(normalizeDate('31/03/2025')).toBe('2025-03-31');
    expect(normalizeDate('1/3/2025')).toBe('2025-03-01');
    expect(normalizeDate('31-12-2024')).toBe('2024-12-31');
  });

  it('refuses dates that do not exist', () => {
    expect(normalizeDate('31/02/2025')).toBeNull();
    expect(normalizeDate('2025-13-01')).toBeNull();
    expect(normalizeDate('kemarin')).toBeNull();
  });

  it('reads years between 1900 and 2100 only', () => {
    expect(normalizeYear('2025')).toBe('2025');
    expect(normalizeYear('1899')).toBeNull();
    expect(normalizeYear('20255')).toBeNull();
    expect(normalizeYear('2.025')).toBeNull();
  });

  it('reads yes/no in Indonesian and English', () => {
    expect(['Ya', 'ya', 'TRUE', 'yes', 'benar'].map(normalizeBoolean)).toEqual(['t', 't', 't', 't', 't']);
    expect(['Tidak', 'false', 'no', 'salah'].map(normalizeBoolean)).toEqual(['f', 'f', 'f', 'f']);
    expect(normalizeBoolean('mungkin')).toBeNull();
  });
});

describe('canonical cells for the fast COPY path', () => {
  it('accepts only what PostgreSQL reads unchanged', () => {
    expect(isCanonical('123', 'integer')).toBe(true);
    expect(isCanonical('1.234', 'integer')).toBe(false);
    expect(isCanonical('12.5', 'number')).toBe(true);
    expect(isCanonical('12,5', 'number')).toBe(false);
    expect(isCanonical('2025-01-31', 'date')).toBe(true);
    expect(isCanonical('31/01/2025', 'date')).toBe(false);
    expect(isCanonical('-', 'text')).toBe(false);
    expect(isCanonical(' padded', 'text')).toBe(false);
    expect(isCanonical('ya', 'boolean')).toBe(false);
  });
});
