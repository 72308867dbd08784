import { inferColumn, unitFromLabel, type InferHints } from '../../server/ingest/plan/infer';
import { nameHeaders } from '../../server/ingest/sniff/headers';
import { reshapeToLong, wideColumns, yearOfLabel } from '../../server/ingest/plan/reshape';

const EN: InferHints = { indonesian: false };
const ID: InferHints = { indonesian: true };

function infer(header: string, cells: string[], hints: InferHints = EN, override = {}) {
  return inferColumn(nameHeaders([header])[0], 0, cells, hints, override);
}

describe('column types', () => {
  it('infers integers, numbers, years, dates, booleans and text', () => {
    expect(infer('jumlah', ['1', '20', '300']).type).toBe('integer');
    expect(infer('rasio', ['1.5', '2', '3.25']).type).toBe('number');
    expect(infer('tahun', ['2020', '2021']).type).toBe('year');
    expect(infer('tanggal', ['2025-01-31', '2025-02-28']).type).toBe('date');
    expect(infer('tanggal', ['31/01/2025', '28/02/2025']).type).toBe('date');
    expect(infer('aktif', ['Ya', 'Tidak', 'ya']).type).toBe('boolean');
    expect(infer('nama', ['Lampung Barat', 'Tanggamus']).type).toBe('text');
  });

  it('ignores missing values when inferring', () => {
    const col = infer('jumlah', ['1', '-', '', 'NA', 'n/a', '...', '–', '5']);
    expect(col.type).toBe('integer');
  });

  it('keeps code-like columns as text: leading zeros and kode_* names', () => {
    expect(infer('nomor', ['01', '02', '10']).type).toBe('text');
    expect(infer('kode_kecamatan', ['1801010', '1801020']).type).toBe('text');
    expect(infer('Kode Kabupaten/Kota', ['1801', '1802']).type).toBe('text');
    expect(infer('npsn', ['10801234', '10801235']).type).toBe('text');
  });

  it('does not call a 0/1 column boolean', () => {
    expect(infer('jumlah', ['0', '1', '1']).type).toBe('integer');
  });

  it('stays with a type when a few cells do not fit, so they are reported rather than hidden as text', () => {
    const cells = [...Array.from({ length: 30 }, (_, i) => String(i * 1000)), 'tidak ada'];
    expect(infer('jumlah', cells).type).toBe('integer');
  });

  it('applies the producer’s type override', () => {
    expect(infer('jumlah', ['1', '2'], EN, { type: 'text' }).type).toBe('text');
    expect(infer('catatan', ['1', '2'], EN, { type: 'number' })).toMatchObject({ type: 'number', role: 'measure' });
  });
});

describe('number formats per column', () => {
  it('reads dot thousands as Indonesian integers', () => {
    const col = infer('jumlah_penduduk', ['313.756', '1.124.683', '641.036'], ID);
    expect(col).toMatchObject({ type: 'integer', numberFormat: { decimal: ',', thousands: '.' }, canonical: false });
  });

  it('reads comma decimals as numbers', () => {
    const col = infer('luas', ['2110,1', '2947,2', '12,5'], ID);
    expect(col).toMatchObject({ type: 'number', numberFormat: { decimal: ',' } });
  });

  it('reads English thousands and decimals', () => {
    const col = infer('nilai', ['1,234,567.5', '2,000.25', '12.5'], EN);
    expect(col).toMatchObject({ type: 'number', numberFormat: { decimal: '.', thousands: ',' } });
  });

  it('decides each column on its own evidence within one file', () => {
    const a = infer('a', ['1.234.567', '313.756'], EN);
    const b = infer('b', ['1,234,567.5', '3.5'], EN);
    expect(a.numberFormat).toEqual({ decimal: ',', thousands: '.' });
    expect(a.type).toBe('integer');
    expect(b.numberFormat).toEqual({ decimal: '.', thousands: ',' });
  });

  it('lets the producer choose the decimal mark for ambiguous cells', () => {
    expect(infer('nilai', ['313.756', '641.036'], { indonesian: false, decimal: '.' })).toMatchObject({ type: 'number', numberFormat: { decimal: '.' } });
    expect(infer('nilai', ['313.756', '641.036'], { indonesian: false, decimal: ',' })).toMatchObject({ type: 'integer', numberFormat: { decimal: ',', thousands: '.' } });
  });

  it('marks plain columns canonical for the fast path', () => {
    expect(infer('jumlah', ['1', '2', '']).canonical).toBe(true);
    expect(infer('jumlah', ['1', '-']).canonical).toBe(false);
  });
});

describe('roles and units', () => {
  it('gives region, time, measure and dimension roles', () => {
    expect(infer('kode_kabupaten_kota', ['1801']).role).toBe('region');
    expect(infer('kode_provinsi', ['18']).role).toBe('region');
    expect(infer('tahun', ['2025']).role).toBe('time');
    expect(infer('bulan', ['Januari']).role).toBe('time');
    expect(infer('jumlah', ['1']).role).toBe('measure');
    expect(infer('nama', ['x']).role).toBe('dimension');
  });

  it('takes the unit from the header’s parentheses', () => {
    expect(unitFromLabel('Jumlah Penduduk (Jiwa)')).toBe('Jiwa');
    expect(unitFromLabel('Luas Wilayah (km²)')).toBe('km²');
    expect(unitFromLabel('Nama')).toBeNull();
  });
});

describe('wide tables', () => {
  const headers = nameHeaders(['Kabupaten/Kota', '2021', '2022', 'Tahun 2023']);
  const rows = [
    ['Lampung Barat', '300', '310', '320'],
    ['Tanggamus', '600', '610', '620'],
  ];
  const columns = headers.map((h, i) => inferColumn(h, i, rows.map((r) => r[i]), EN));

  it('recognises one column per year', () => {
    expect(yearOfLabel('2021')).toBe(2021);
    expect(yearOfLabel('Tahun 2023')).toBe(2023);
    expect(yearOfLabel('Jumlah')).toBeNull();
    expect(wideColumns(columns).map((c) => c.label)).toEqual(['2021', '2022', 'Tahun 2023']);
  });

  it('reshapes rows to the long form with year and value columns', () => {
    const long = reshapeToLong(columns, rows, EN, { var_name: 'tahun', value_name: 'nilai' })!;
    expect(long.columns.map((c) => [c.name, c.type])).toEqual([
      ['kabupaten_kota', 'text'],
      ['tahun', 'year'],
      ['nilai', 'integer'],
    ]);
    expect(long.expand(rows[0])).toEqual([
      ['Lampung Barat', '2021', '300'],
      ['Lampung Barat', '2022', '310'],
      ['Lampung Barat', '2023', '320'],
    ]);
  });

  it('has nothing to reshape in a long table', () => {
    const long = nameHeaders(['nama', 'tahun', 'nilai']).map((h, i) => inferColumn(h, i, ['x', '2020', '1'].slice(i, i + 1), EN));
    expect(reshapeToLong(long, [['x', '2020', '1']], EN, { var_name: 'tahun', value_name: 'nilai' })).toBeNull();
  });
});
