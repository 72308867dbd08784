import { normalizeRegionName, pairedNameColumn } from '../../server/ingest/finish/regions';
import { testWorld } from '../support/world';
import { load, versionTables } from '../support/ingest';

const t = testWorld();


const scheme = (l: Awaited<ReturnType<typeof load>>, name: string) => l.columns.find((c) => c.name === name)?.ref_scheme;

describe('region names', () => {
  it('compares names without Kabupaten/Kota prefixes, case or punctuation', () => {
    expect(normalizeRegionName('Kab. Lampung Barat')).toBe('LAMPUNG BARAT');
    expect(normalizeRegionName('Kota  Bandar Lampung')).toBe('BANDAR LAMPUNG');
    expect(normalizeRegionName('Kabupaten Tulang Bawang-Barat')).toBe('TULANG BAWANG BARAT');
    expect(normalizeRegionName('Provinsi Lampung')).toBe('LAMPUNG');
  });

  it('pairs a code column with its name column', () => {
    const cols = [{ name: 'kode_kabupaten_kota', type: 'text' }, { name: 'jumlah', type: 'integer' }, { name: 'nama_kabupaten_kota', type: 'text' }];
    expect(pairedNameColumn(cols[0], cols)).toBe(cols[2]);
    const next = [{ name: 'kode_kab', type: 'text' }, { name: 'nama', type: 'text' }];
    expect(pairedNameColumn(next[0], next)).toBe(next[1]);
  });
});

describe('region codes against the reference table', () => {
  it('accepts BPS codes and stores the scheme on the column', async () => {
    const l = await load(t.svc, t.w, 'kode_provinsi,kode_kabupaten_kota,nama_kabupaten_kota,jumlah\n18,1801,LAMPUNG BARAT,1\n18,1871,Kota Bandar Lampung,2\n');
    expect(l.v.state).toBe('draft');
    expect(l.report.errors).toEqual([]);
    expect(l.report.warnings).toEqual([]);
    expect(l.columns.filter((c) => c.role === 'region').map((c) => [c.name, c.ref_scheme])).toEqual([
      ['kode_provinsi', 'bps'],
      ['kode_kabupaten_kota', 'bps'],
    ]);
  });

  it('detects Kemendagri from dotted codes', async () => {
    const l = await load(t.svc, t.w, 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah\n18.04,Lampung Barat,1\n18.01,Lampung Selatan,2\n');
    expect(l.report.errors).toEqual([]);
    expect(l.report.warnings).toEqual([]);
    expect(scheme(l, 'kode_kabupaten_kota')).toBe('kemendagri');
    expect(l.rows.map((r) => r.kode_kabupaten_kota)).toEqual(['18.04', '18.01']);
  });

  it('decides undotted codes by the name column: 1801 named Lampung Selatan is Kemendagri', async () => {
    const l = await load(t.svc, t.w, 'kode_kabupaten_kota,nama_kabupaten_kota\n1801,Lampung Selatan\n1804,Lampung Barat\n1871,Bandar Lampung\n');
    expect(l.report.errors).toEqual([]);
    expect(l.report.warnings).toEqual([]);
    expect(scheme(l, 'kode_kabupaten_kota')).toBe('kemendagri');
  });

  it('decides undotted codes by the name column: 1801 named Lampung Barat is BPS', async () => {
    const l = await load(t.svc, t.w, 'kode_kabupaten_kota,nama_kabupaten_kota\n1801,Lampung Barat\n1804,Lampung Timur\n');
    expect(scheme(l, 'kode_kabupaten_kota')).toBe('bps');
    expect(l.report.warnings).toEqual([]);
  });

  it('takes undotted codes without names as BPS', async () => {
    const l = await load(t.svc, t.w, 'kode_kabupaten_kota,jumlah\n1801,1\n1813,2\n');
    expect(scheme(l, 'kode_kabupaten_kota')).toBe('bps');
    expect(l.report.errors).toEqual([]);
  });

  it('follows the scheme the producer sets', async () => {
    const l = await load(t.svc, t.w, 'kode_kabupaten_kota,jumlah\n1801,1\n1813,2\n', 'data.csv', { columns: { kode_kabupaten_kota: { ref_scheme: 'kemendagri' } } });
    expect(scheme(l, 'kode_kabupaten_kota')).toBe('kemendagri');
    expect(l.report.errors).toEqual([]);
  });

  it('rejects unknown codes with their first line, and keeps no table', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `18${String(i + 1).padStart(2, '0')},${i}`);
    rows[4] = '1899,4';
    rows[9] = '1899,9';
    rows[10] = '9999,10';
    const l = await load(t.svc, t.w, `kode_kabupaten_kota,jumlah\n${rows.join('\n')}\n`);
    expect(l.v.state).toBe('draft');
    expect(l.v.table_name).toBeNull();
    expect(l.report.counts.errors).toEqual({ unknown_region_code: 2 });
    expect(l.report.errors.map((e) => [e.line, e.column, e.value])).toEqual([
      [6, 'kode_kabupaten_kota', '1899'],
      [12, 'kode_kabupaten_kota', '9999'],
    ]);
    expect(l.report.errors[0].message).toBe('Kode wilayah "1899" tidak dikenal dalam kode referensi BPS (2 baris).');
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });

  it('names the right line for an unknown code after a multi-line cell (fast path)', async () => {
    const l = await load(t.svc, t.w, 'kode_kabupaten_kota,keterangan,jumlah\n1801,"dua\nbaris",1\n1802,x,"1.000"\n1877,x,3\n');
    expect(l.v.dialect.path).toBe('fast');
    expect(l.report.errors).toEqual([expect.objectContaining({ code: 'unknown_region_code', line: 5, value: '1877' })]);
  });

  it('warns when a name does not match its code', async () => {
    const l = await load(t.svc, t.w, 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah\n1801,Lampung Barat,1\n1802,Metro,2\n');
    expect(l.v.state).toBe('draft');
    expect(l.report.errors).toEqual([]);
    expect(l.v.table_name).not.toBeNull();
    expect(l.report.warnings).toEqual([
      expect.objectContaining({ code: 'region_name_mismatch', line: 3, column: 'nama_kabupaten_kota', value: 'Metro', message: expect.stringContaining('TANGGAMUS') }),
    ]);
  });

  it('does not take a province code for a kabupaten/kota, nor the other way round', async () => {
    const kab = await load(t.svc, t.w, 'kode_kabupaten_kota,jumlah\n1801,1\n18,2\n');
    expect(kab.report.errors).toEqual([expect.objectContaining({ code: 'unknown_region_code', line: 3, value: '18' })]);
    const prov = await load(t.svc, t.w, 'kode_provinsi,jumlah\n18,1\n1801,2\n');
    expect(prov.report.errors).toEqual([expect.objectContaining({ code: 'unknown_region_code', line: 3, value: '1801' })]);
  });

  it('ignores missing codes', async () => {
    const l = await load(t.svc, t.w, 'kode_kabupaten_kota,jumlah\n1801,1\n-,2\n,3\n');
    expect(l.report.errors).toEqual([]);
    expect(l.rows.map((r) => r.kode_kabupaten_kota)).toEqual(['1801', null, null]);
  });
});

describe('reference codes in a file refused for other problems', () => {
  it('reports unknown codes in the same report as the other errors', async () => {
    const csv = 'kode_kabupaten_kota;nama_kabupaten_kota;indeks;tahun\r\n1811;MESUJI;2,59;2022\r\n1899;ANTAH BERANTAH;2,49;2022\r\n1801;LAMPUNG BARAT;2,26\r\n';
    const { v, report } = await load(t.svc, t.w, csv);
    expect(v.state).toBe('draft');
    expect(report.errors.map((e) => [e.code, e.line])).toEqual(expect.arrayContaining([['ragged_row', 4], ['unknown_region_code', 3]]));
    expect(await versionTables(t.svc, v.id)).toEqual([]);
  });
});
