import fs from 'node:fs';
import { testWorld } from '../support/world';
import path from 'node:path';
import iconv from 'iconv-lite';
import { perform } from '../../server/actions/action';
import { HEAD_BYTES } from '../../server/ingest/sniff';
import { reloadVersion } from '../../server/actions/versions';
import { inspect, load, types, values, versionTables } from '../support/ingest';

const t = testWorld();

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'ingest');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

/** ASCII rows `Desa i,i` past the 1 MB the loader sniffs. */
function bigAscii(): string {
  const out: string[] = [];
  for (let i = 0, size = 0; size <= HEAD_BYTES + 1000; i++) {
    const row = `Desa ${i},${i}\n`;
    out.push(row);
    size += row.length;
  }
  return out.join('');
}


describe('encodings', () => {
  it('reads UTF-8 with a BOM: the BOM does not reach the first header', async () => {
    const l = await load(t.svc, t.w, fixture('bom_quoted_crlf.csv'));
    expect(l.v.state).toBe('draft');
    expect(l.v.encoding).toBe('utf-8');
    expect(l.columns[0]).toMatchObject({ name: 'nama', label: 'nama' });
  });

  it('reads Windows-1252: ² in a header label and é in a value come out right', async () => {
    const l = await load(t.svc, t.w, fixture('kecamatan_win1252.csv'));
    expect(l.v.state).toBe('draft');
    expect(l.v.encoding).toBe('windows-1252');
    expect(l.columns.map((c) => c.label)).toEqual(['Kode Kecamatan', 'Nama Kecamatan', 'Luas (km²)', 'Jumlah Penduduk (Jiwa)']);
    expect(types(l)).toEqual([
      ['kode_kecamatan', 'text'],
      ['nama_kecamatan', 'text'],
      ['luas_km2', 'number'],
      ['jumlah_penduduk_jiwa', 'integer'],
    ]);
    expect(values(l.rows)).toEqual([
      { kode_kecamatan: '1801010', nama_kecamatan: 'Balik Bukit', luas_km2: 175.6, jumlah_penduduk_jiwa: 45210 },
      { kode_kecamatan: '1801020', nama_kecamatan: 'Séputih Raman', luas_km2: 143.2, jumlah_penduduk_jiwa: 1024683 },
      { kode_kecamatan: '1801030', nama_kecamatan: 'Way Tenong', luas_km2: 120, jumlah_penduduk_jiwa: null },
    ]);
    expect(l.columns[2].unit).toBe('km²');
  });

  it('reads a UTF-8 file whose first non-ASCII byte comes after the sniffed head', async () => {
    // Valid UTF-8 throughout: must not be misread as Windows-1252.
    const l = await load(t.svc, t.w, `nama,nilai\n${bigAscii()}Desa Sukaré,1\n`);
    expect(l.v.state).toBe('draft');
    expect(l.rows.at(-1)).toMatchObject({ nama: 'Desa Sukaré', nilai: 1 });
  });

  it('falls back to Windows-1252 when a UTF-8-looking file has a 1252 byte late in it', async () => {
    const buf = Buffer.concat([Buffer.from(`nama,nilai\n${bigAscii()}`), iconv.encode('Désa Akhir,1\n', 'windows-1252')]);
    const l = await load(t.svc, t.w, buf);
    expect(l.v.state).toBe('draft');
    expect(l.v.encoding).toBe('windows-1252');
    expect(l.rows.at(-1)).toMatchObject({ nama: 'Désa Akhir', nilai: 1 });
    expect(l.report.counts.warnings.encoding_fallback).toBe(1);
  });

  it('reads UTF-16 (Excel “Unicode text”) and records the raw file’s encoding and line ends', async () => {
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('Nama\tLuas (km²)\r\nSéputih\t12,5\r\nWay Kanan\t3,25\r\n', 'utf-16le')]);
    const l = await load(t.svc, t.w, buf, 'unicode.txt');
    expect(l.v.state).toBe('draft');
    expect(l.v.encoding).toBe('utf-16le');
    expect(l.v.dialect).toMatchObject({ delimiter: '\t', line_ending: 'crlf' });
    expect(l.columns.map((c) => c.label)).toEqual(['Nama', 'Luas (km²)']);
    expect(values(l.rows)).toEqual([{ nama: 'Séputih', luas_km2: 12.5 }, { nama: 'Way Kanan', luas_km2: 3.25 }]);
  });

  it('lets the producer override the encoding', async () => {
    // ISO-8859-1 bytes that chardet might call something else; the producer says what they are.
    const buf = iconv.encode('nama;nilai\r\nCañada;1\r\nSão;2\r\n', 'windows-1252');
    const l = await load(t.svc, t.w, buf, 'data.csv', { encoding: 'windows-1252' });
    expect(l.rows.map((r) => r.nama)).toEqual(['Cañada', 'São']);
  });
});

describe('delimiters, quotes and line endings', () => {
  const table = [['kabupaten', 'jumlah'], ['Lampung Barat', '313756'], ['Tanggamus', '641036']];

  it.each([[','], [';'], ['\t'], ['|']])('reads a %j-delimited file into its columns', async (d) => {
    const l = await load(t.svc, t.w, table.map((r) => r.join(d)).join('\n') + '\n');
    expect(types(l)).toEqual([['kabupaten', 'text'], ['jumlah', 'integer']]);
    expect(values(l.rows)).toEqual([{ kabupaten: 'Lampung Barat', jumlah: 313756 }, { kabupaten: 'Tanggamus', jumlah: 641036 }]);
    expect(l.v.dialect.delimiter).toBe(d);
  });

  it('reads quoted fields holding delimiters, doubled quotes and CRLF newlines', async () => {
    const l = await load(t.svc, t.w, fixture('bom_quoted_crlf.csv'));
    expect(l.v.dialect.line_ending).toBe('crlf');
    expect(values(l.rows)).toEqual([
      { nama: 'Puskesmas Liwa', alamat: 'Jl. Raden Intan No. 1, Liwa', keterangan: 'buka 24 jam', jumlah: 12 },
      { nama: 'Puskesmas Kenali', alamat: 'Jl. Lintas Barat\r\nKm. 5', keterangan: 'ada "UGD"', jumlah: 7 },
      { nama: 'Puskesmas Fajar Bulan', alamat: 'Jl. Pasar', keterangan: null, jumlah: 3 },
    ]);
  });

  it('names the right line for an error after a quoted field that spans CRLF lines', async () => {
    const csv = 'nama,alamat,jumlah\r\nA,"baris satu\r\nbaris dua\r\nbaris tiga",1\r\nB,"x\r\ny",2\r\nC,biasa,3\r\nD,biasa,4\r\nE,biasa,lima\r\nF,biasa,6\r\n';
    const l = await load(t.svc, t.w, csv);
    expect(l.report.errors).toEqual([
      expect.objectContaining({ code: 'type_mismatch', line: 9, column: 'jumlah', value: 'lima' }),
    ]);
  });

  it('reads an old Mac file with CR line ends', async () => {
    const l = await load(t.svc, t.w, 'nama,jumlah\rA,1\rB,2\r');
    expect(values(l.rows)).toEqual([{ nama: 'A', jumlah: 1 }, { nama: 'B', jumlah: 2 }]);
    expect(l.v.encoding).toBe('utf-8');
    expect(l.v.dialect.line_ending).toBe('cr');
  });

  it('lets the producer override the delimiter', async () => {
    const l = await load(t.svc, t.w, 'a;b,c\n1;2,3\n4;5,6\n', 'data.csv', { delimiter: ',' });
    expect(types(l)).toEqual([['a_b', 'text'], ['c', 'integer']]);
  });
});

describe('the demo datasets', () => {
  const dir = path.join(__dirname, '..', '..', 'datasets');
  it.each(fs.readdirSync(dir).filter((f) => f.endsWith('.csv')))('loads %s without errors', async (name) => {
    const l = await load(t.svc, t.w, fs.readFileSync(path.join(dir, name)), name);
    expect(l.v.state).toBe('draft');
    expect(l.report.errors).toEqual([]);
    expect(l.rows.length).toBeGreaterThan(0);
    for (const c of l.columns.filter((c) => c.role === 'region')) expect(c.ref_scheme).toBe('bps');
  });
});

describe('numbers', () => {
  it('loads the Excel-export sample with integer and number columns and the right values', async () => {
    const l = await load(t.svc, t.w, fs.readFileSync(path.join(__dirname, '..', '..', 'datasets', 'penduduk_luas_kabkota_excel.csv')));
    expect(l.v.state).toBe('draft');
    expect(l.report.errors).toEqual([]);
    expect(l.v.dialect).toMatchObject({ delimiter: ';', line_ending: 'crlf' });
    expect(l.v.encoding).toBe('windows-1252');
    expect(types(l)).toEqual([
      ['kode_kabupaten_kota', 'text'],
      ['nama_kabupaten_kota', 'text'],
      ['jumlah_penduduk_jiwa', 'integer'],
      ['luas_wilayah_km2', 'number'],
      ['tahun', 'year'],
    ]);
    expect(l.columns[3].label).toBe('Luas Wilayah (km²)');
    expect(l.rows).toHaveLength(15);
    expect(values(l.rows).slice(0, 3)).toEqual([
      { kode_kabupaten_kota: '1801', nama_kabupaten_kota: 'Lampung Barat', jumlah_penduduk_jiwa: 313756, luas_wilayah_km2: 2110.1, tahun: 2025 },
      { kode_kabupaten_kota: '1802', nama_kabupaten_kota: 'Tanggamus', jumlah_penduduk_jiwa: 641036, luas_wilayah_km2: 2947.2, tahun: 2025 },
      { kode_kabupaten_kota: '1803', nama_kabupaten_kota: 'Lampung Selatan', jumlah_penduduk_jiwa: 1124683, luas_wilayah_km2: 2227.4, tahun: 2025 },
    ]);
  });

  it('reads an Indonesian Excel export with every habit at once', async () => {
    const l = await load(t.svc, t.w, fixture('excel_lengkap_win1252.csv'));
    expect(l.v.state).toBe('draft');
    expect(l.report.errors).toEqual([]);
    expect(l.v.encoding).toBe('windows-1252');
    expect(l.v.dialect).toMatchObject({ delimiter: ';', line_ending: 'crlf', header_line: 3, data_start_line: 5 });
    expect(l.columns.map((c) => [c.name, c.label, c.type])).toEqual([
      ['kode_kabupaten_kota', 'Kode Kabupaten/Kota', 'text'],
      ['nama_kabupaten_kota', 'Nama Kabupaten/Kota', 'text'],
      ['luas_km2', 'Luas (km²)', 'number'],
      ['jumlah_penduduk_jiwa', 'Jumlah Penduduk (Jiwa)', 'integer'],
      ['kepadatan_jiwa_km2', 'Kepadatan (Jiwa/km²)', 'number'],
    ]);
    expect(values(l.rows)).toEqual([
      { kode_kabupaten_kota: '1801', nama_kabupaten_kota: 'Lampung Barat', luas_km2: 2110.1, jumlah_penduduk_jiwa: 313756, kepadatan_jiwa_km2: 148.7 },
      { kode_kabupaten_kota: '1802', nama_kabupaten_kota: 'Tanggamus', luas_km2: 2947.2, jumlah_penduduk_jiwa: 641036, kepadatan_jiwa_km2: 217.5 },
      { kode_kabupaten_kota: '1871', nama_kabupaten_kota: 'Kota Bandar Lampung', luas_km2: 183.72, jumlah_penduduk_jiwa: 1184949, kepadatan_jiwa_km2: 6449.8 },
      { kode_kabupaten_kota: '1872', nama_kabupaten_kota: 'Metro', luas_km2: 61.79, jumlah_penduduk_jiwa: null, kepadatan_jiwa_km2: null },
    ]);
    expect(l.columns[0]).toMatchObject({ role: 'region', ref_scheme: 'bps' });
    expect(l.report.warnings.map((p) => [p.code, p.line])).toEqual(
      expect.arrayContaining([['title_skipped', 1], ['column_numbers_skipped', 4], ['footnote_skipped', 10], ['footnote_skipped', 11]]),
    );
    expect(l.report.warnings.find((p) => p.line === 11)?.value).toBe('Catatan: – data tidak tersedia; é');
  });

  it('decides the decimal and thousands convention per column', async () => {
    const csv = 'nama,penduduk,luas,nilai\nA,"1.234.567","12,5","1,234,567.5"\nB,"313.756","2,25","2,000.75"\nC,"2.000","7","3.5"\n';
    const l = await load(t.svc, t.w, csv);
    expect(types(l)).toEqual([['nama', 'text'], ['penduduk', 'integer'], ['luas', 'number'], ['nilai', 'number']]);
    expect(values(l.rows)).toEqual([
      { nama: 'A', penduduk: 1234567, luas: 12.5, nilai: 1234567.5 },
      { nama: 'B', penduduk: 313756, luas: 2.25, nilai: 2000.75 },
      { nama: 'C', penduduk: 2000, luas: 7, nilai: 3.5 },
    ]);
  });

  it('lets the producer set the decimal mark for numbers that could be read either way', async () => {
    const csv = 'nama;nilai\nA;313.756\nB;641.036\n';
    const asId = await load(t.svc, t.w, csv);
    expect(asId.rows.map((r) => r.nilai)).toEqual([313756, 641036]);
    const asDot = await load(t.svc, t.w, csv, 'data.csv', { decimal: '.' });
    expect(asDot.rows.map((r) => r.nilai)).toEqual([313.756, 641.036]);
  });

  it('reads every spelling of a missing value as NULL', async () => {
    const csv = 'nama,jumlah,tanggal\nA,"",2025-01-01\nB,-,-\nC,–,NA\nD,NA,n/a\nE,n/a,...\nF,...,\nG,5,2025-02-01\n';
    const l = await load(t.svc, t.w, csv);
    expect(types(l)).toEqual([['nama', 'text'], ['jumlah', 'integer'], ['tanggal', 'date']]);
    expect(l.rows.map((r) => r.jumlah)).toEqual([null, null, null, null, null, null, 5]);
    expect(l.rows.map((r) => r.tanggal)).toEqual(['2025-01-01', null, null, null, null, null, '2025-02-01']);
  });
});

describe('types', () => {
  it('loads integer, number, year, date (ISO and dd/mm/yyyy), boolean and text columns', async () => {
    const csv = [
      'nama,jumlah,rasio,tahun,tanggal_iso,tanggal_lokal,aktif',
      'A,10,1.5,2023,2024-01-31,31/01/2024,Ya',
      'B,20,2.25,2024,2024-02-29,29/02/2024,Tidak',
      '',
    ].join('\n');
    const l = await load(t.svc, t.w, csv);
    expect(types(l)).toEqual([
      ['nama', 'text'], ['jumlah', 'integer'], ['rasio', 'number'], ['tahun', 'year'],
      ['tanggal_iso', 'date'], ['tanggal_lokal', 'date'], ['aktif', 'boolean'],
    ]);
    expect(values(l.rows)).toEqual([
      { nama: 'A', jumlah: 10, rasio: 1.5, tahun: 2023, tanggal_iso: '2024-01-31', tanggal_lokal: '2024-01-31', aktif: true },
      { nama: 'B', jumlah: 20, rasio: 2.25, tahun: 2024, tanggal_iso: '2024-02-29', tanggal_lokal: '2024-02-29', aktif: false },
    ]);
    const pg = await t.svc.db('information_schema.columns')
      .where({ table_schema: 'datastore', table_name: l.v.table_name }).orderBy('ordinal_position').pluck('data_type');
    expect(pg).toEqual(['bigint', 'text', 'bigint', 'numeric', 'integer', 'date', 'date', 'boolean']);
  });

  it('keeps codes with leading zeros and kode_* columns as text', async () => {
    const l = await load(t.svc, t.w, 'kode_desa,nomor_urut,jumlah\n1801010001,001,5\n1801010002,002,6\n');
    expect(types(l)).toEqual([['kode_desa', 'text'], ['nomor_urut', 'text'], ['jumlah', 'integer']]);
    expect(l.rows.map((r) => r.nomor_urut)).toEqual(['001', '002']);
  });

  it('reports a value that does not fit its column with its line and column, and keeps no table', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `Desa ${i},${i * 10},2024-01-${String((i % 28) + 1).padStart(2, '0')}`);
    rows[11] = 'Desa 11,sebelas,2024-01-12';
    rows[20] = 'Desa 20,200,2024-02-30';
    const l = await load(t.svc, t.w, `nama,jumlah,tanggal\n${rows.join('\n')}\n`);
    expect(l.v.state).toBe('draft');
    expect(l.v.table_name).toBeNull();
    expect(types(l)).toEqual([['nama', 'text'], ['jumlah', 'integer'], ['tanggal', 'date']]);
    expect(l.report.errors).toEqual([
      expect.objectContaining({ code: 'type_mismatch', line: 13, column: 'jumlah', value: 'sebelas', message: expect.stringContaining('bukan bilangan bulat') }),
      expect.objectContaining({ code: 'type_mismatch', line: 22, column: 'tanggal', value: '2024-02-30', message_en: expect.stringContaining('not a date') }),
    ]);
    expect(l.report.counts.errors).toEqual({ type_mismatch: 2 });
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });

  it('widens an integer column to number when the only misfits are fractions', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${i}`);
    rows.push('40,40.5');
    const l = await load(t.svc, t.w, `id_baris,nilai\n${rows.join('\n')}\n`);
    expect(l.report.errors).toEqual([]);
    expect(types(l)).toEqual([['id_baris', 'text'], ['nilai', 'number']]);
    expect(l.rows.at(-1)!.nilai).toBe(40.5);
  });

  it('applies a column type override, and refuses values that do not fit it', async () => {
    const asText = await load(t.svc, t.w, 'nama,jumlah\nA,10\nB,20\n', 'data.csv', { columns: { jumlah: { type: 'text' } } });
    expect(types(asText)).toEqual([['nama', 'text'], ['jumlah', 'text']]);
    expect(asText.rows.map((r) => r.jumlah)).toEqual(['10', '20']);

    const asYear = await load(t.svc, t.w, 'nama,periode\nA,2020\nB,dua ribu\n', 'data.csv', { columns: { periode: { type: 'year' } } });
    expect(asYear.report.errors).toEqual([expect.objectContaining({ code: 'type_mismatch', line: 3, column: 'periode' })]);
  });
});

describe('headers', () => {
  it('names columns safely and keeps the headers as labels', async () => {
    const l = await load(t.svc, t.w, 'Jumlah Penduduk (Jiwa),,Nama,nama,Nilai,,\n10,x,A,B,1,,\n20,y,C,D,2,,\n');
    expect(l.columns.map((c) => [c.name, c.label])).toEqual([
      ['jumlah_penduduk_jiwa', 'Jumlah Penduduk (Jiwa)'],
      ['kolom_2', 'Kolom 2'],
      ['nama', 'Nama'],
      ['nama_2', 'nama'],
      ['nilai', 'Nilai'],
    ]);
    expect(l.report.counts.warnings.empty_columns_dropped).toBe(1);
    expect(values(l.rows)[0]).toEqual({ jumlah_penduduk_jiwa: 10, kolom_2: 'x', nama: 'A', nama_2: 'B', nilai: 1 });
  });

  it('treats a header written as SQL as a label only, and still loads', async () => {
    const hostile = 'x"; DROP TABLE versions; --';
    const l = await load(t.svc, t.w, `"${hostile.replace(/"/g, '""')}",_id,"""",jumlah\na,b,c,1\n`);
    expect(l.v.state).toBe('draft');
    expect(l.columns.map((c) => c.label)).toEqual([hostile, '_id', '"', 'jumlah']);
    for (const c of l.columns) expect(c.name).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
    expect(l.rows).toHaveLength(1);
    const { rows } = await t.svc.db.raw(`SELECT to_regclass('public.versions') AS t`);
    expect(rows[0].t).toBe('versions');
  });
});

describe('spreadsheet habits', () => {
  it('skips title lines, the column-number row and footnotes, and reports them with line numbers', async () => {
    const l = await load(t.svc, t.w, fixture('judul_catatan.csv'));
    expect(l.v.state).toBe('draft');
    expect(types(l)).toEqual([['kabupaten_kota', 'text'], ['sd', 'integer'], ['smp', 'integer'], ['sma', 'integer']]);
    expect(values(l.rows)).toEqual([
      { kabupaten_kota: 'Lampung Barat', sd: 250, smp: 60, sma: 20 },
      { kabupaten_kota: 'Tanggamus', sd: 410, smp: 98, sma: 31 },
    ]);
    const warn = (code: string) => l.report.warnings.filter((p) => p.code === code);
    expect(warn('title_skipped').map((p) => [p.line, p.value])).toEqual([
      [1, 'Tabel 3.1 Jumlah Sekolah Menurut Kabupaten/Kota'],
      [2, 'Provinsi Lampung, 2024'],
    ]);
    expect(warn('column_numbers_skipped').map((p) => p.line)).toEqual([5]);
    expect(warn('footnote_skipped').map((p) => [p.line, p.value])).toEqual([
      [9, 'Sumber: Dinas Pendidikan Provinsi Lampung'],
      [10, 'Keterangan: data sementara'],
    ]);
    expect(l.v.dialect).toMatchObject({ header_line: 4, data_start_line: 6 });
  });

  it.each([
    ['fast', (i: number) => `${i}`],
    ['validating', (i: number) => `"${i.toLocaleString('id-ID')}"`],
  ])('gives footnotes their line numbers in a file larger than the sniffed head (%s path)', async (path, num) => {
    const rows: string[] = [];
    for (let i = 0, size = 0; size <= HEAD_BYTES + 1000; i++) {
      rows.push(`Desa ${i},${num(i * 1000)}\n`);
      size += rows[rows.length - 1].length;
    }
    const l = await load(t.svc, t.w, `nama,nilai\n${rows.join('')}\nSumber: BPS\nCatatan: angka sementara\n`);
    expect(l.report.errors).toEqual([]);
    expect(l.v.dialect.path).toBe(path);
    expect(l.rows).toHaveLength(rows.length);
    expect(l.report.warnings.filter((p) => p.code === 'footnote_skipped').map((p) => [p.line, p.value])).toEqual([
      [rows.length + 3, 'Sumber: BPS'],
      [rows.length + 4, 'Catatan: angka sementara'],
    ]);
  });

  it('warns about a wide table (one column per year) when not asked to reshape it', async () => {
    const l = await load(t.svc, t.w, 'Kabupaten/Kota,2021,2022,2023\nLampung Barat,300,310,320\nTanggamus,600,610,620\n');
    expect(l.v.state).toBe('draft');
    expect(l.report.counts.warnings.wide_table).toBe(1);
    expect(l.columns.map((c) => c.name)).toEqual(['kabupaten_kota', 'k_2021', 'k_2022', 'k_2023']);
  });

  it('reshapes a wide table to the long form on request', async () => {
    const l = await load(t.svc, t.w, 'Kabupaten/Kota;2021;2022;2023\r\nLampung Barat;300,5;310;-\r\nTanggamus;600;610;620\r\n', 'data.csv', {
      reshape: { var_name: 'tahun', value_name: 'nilai' },
    });
    expect(l.v.state).toBe('draft');
    expect(l.report.errors).toEqual([]);
    expect(l.report.counts.warnings.wide_table).toBeUndefined();
    expect(types(l)).toEqual([['kabupaten_kota', 'text'], ['tahun', 'year'], ['nilai', 'number']]);
    expect(values(l.rows)).toEqual([
      { kabupaten_kota: 'Lampung Barat', tahun: 2021, nilai: 300.5 },
      { kabupaten_kota: 'Lampung Barat', tahun: 2022, nilai: 310 },
      { kabupaten_kota: 'Lampung Barat', tahun: 2023, nilai: null },
      { kabupaten_kota: 'Tanggamus', tahun: 2021, nilai: 600 },
      { kabupaten_kota: 'Tanggamus', tahun: 2022, nilai: 610 },
      { kabupaten_kota: 'Tanggamus', tahun: 2023, nilai: 620 },
    ]);
    expect(l.v.dialect.reshaped).toBe(true);
  });

  it('reports a bad value in a reshaped table with its line', async () => {
    const l = await load(t.svc, t.w, 'Wilayah,2021,2022\nA,1,2\nB,3,x\nC,5,6\nD,7,8\nE,9,10\n', 'data.csv', { reshape: { var_name: 'tahun', value_name: 'nilai' } });
    expect(l.report.errors).toEqual([expect.objectContaining({ code: 'type_mismatch', line: 3, column: 'nilai', value: 'x' })]);
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });
});

describe('reloading with other options', () => {
  it('reads a draft again with the producer’s choices and replaces its table', async () => {
    const first = await load(t.svc, t.w, 'nama;nilai\nA;313.756\nB;641.036\n');
    expect(first.rows.map((r) => r.nilai)).toEqual([313756, 641036]);
    const oldTable = first.v.table_name;
    await perform(reloadVersion, t.w.producer.actor, { slug: first.slug, number: first.v.number, options: { decimal: '.', columns: { nama: { type: 'text', unit: 'orang' } } } }, t.svc);
    const again = await inspect(t.svc, first.v.id, first.slug);
    expect(again.v.state).toBe('draft');
    expect(again.rows.map((r) => r.nilai)).toEqual([313.756, 641.036]);
    expect(again.v.table_name).not.toBe(oldTable);
    expect(await versionTables(t.svc, first.v.id)).toEqual([again.v.table_name]);
  });

  it('reads a version again with a column type its values do not fit, and then keeps no table', async () => {
    const first = await load(t.svc, t.w, 'satu\n1\n2\n', 'data.csv', { delimiter: ';' });
    expect(first.v.state).toBe('draft');
    await perform(reloadVersion, t.w.producer.actor, { slug: first.slug, number: first.v.number, options: { columns: { satu: { type: 'boolean' } } } }, t.svc);
    const again = await inspect(t.svc, first.v.id, first.slug);
    expect(again.report.counts.errors.type_mismatch).toBe(2);
    expect(await versionTables(t.svc, first.v.id)).toEqual([]);
  });
});

describe('no silent fall-back to text', () => {
  it('warns when a mostly numeric column is read as text because of a few words', async () => {
    const csv = 'kode_provinsi,jumlah_sekolah,tahun\n18,120,2021\n18,belum ada data,2022\n18,135,2023\n18,140,2024\n18,-,2025\n';
    const { columns, report } = await load(t.svc, t.w, csv);
    expect(columns.find((c) => c.name === 'jumlah_sekolah')!.type).toBe('text');
    expect(report.warnings).toContainEqual(expect.objectContaining({ code: 'mostly_numeric_text', column: 'jumlah_sekolah', line: 3, value: 'belum ada data' }));
  });
  it('does not warn for real text or codes', async () => {
    const csv = 'kode_kabupaten_kota,nama,catatan\n1801,LAMPUNG BARAT,12\n1871,BANDAR LAMPUNG,data sementara\n1872,METRO,angka tetap\n';
    const { report } = await load(t.svc, t.w, csv);
    expect(report.warnings.filter((x) => x.code === 'mostly_numeric_text')).toEqual([]);
  });
});
