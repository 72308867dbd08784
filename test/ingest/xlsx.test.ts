import fs from 'node:fs';
import { testWorld } from '../support/world';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { makeDataset } from '../support/factories';
import { tokenFor } from '../support/http';
import { load, types, values, versionTables } from '../support/ingest';

const t = testWorld();


/** An XLSX workbook built in memory: sheet name → rows (null = an empty row). */
async function workbook(sheets: Record<string, Array<ExcelJS.CellValue[] | null>>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    rows.forEach((r, i) => {
      if (r) ws.getRow(i + 1).values = r;
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const PENDUDUK: ExcelJS.CellValue[][] = [
  ['Kode Kabupaten/Kota', 'Nama Kabupaten/Kota', 'Jumlah Penduduk (Jiwa)', 'Luas (km²)', 'Tahun'],
  ['1801', 'Lampung Barat', 313756, 2110.1, 2025],
  ['1802', 'Tanggamus', 641036, 2947.2, 2025],
];

describe('XLSX uploads', () => {
  it('reads the first sheet by default, with numbers as numbers and codes as text', async () => {
    const l = await load(t.svc, t.w, await workbook({ Penduduk: PENDUDUK, Lain: [['a', 'b'], [1, 2]] }), 'penduduk.xlsx');
    expect(l.v.state).toBe('draft');
    expect(l.report.errors).toEqual([]);
    expect(l.v.dialect).toMatchObject({ format: 'xlsx', sheets: ['Penduduk', 'Lain'], sheet: 'Penduduk' });
    expect(types(l)).toEqual([
      ['kode_kabupaten_kota', 'text'],
      ['nama_kabupaten_kota', 'text'],
      ['jumlah_penduduk_jiwa', 'integer'],
      ['luas_km2', 'number'],
      ['tahun', 'year'],
    ]);
    expect(l.columns[3].label).toBe('Luas (km²)');
    expect(values(l.rows)).toEqual([
      { kode_kabupaten_kota: '1801', nama_kabupaten_kota: 'Lampung Barat', jumlah_penduduk_jiwa: 313756, luas_km2: 2110.1, tahun: 2025 },
      { kode_kabupaten_kota: '1802', nama_kabupaten_kota: 'Tanggamus', jumlah_penduduk_jiwa: 641036, luas_km2: 2947.2, tahun: 2025 },
    ]);
  });

  it('records a workbook without a text encoding or delimiter (those of the CSV made from its sheet are not the file’s)', async () => {
    const l = await load(t.svc, t.w, await workbook({ Penduduk: PENDUDUK }), 'penduduk.xlsx');
    expect(l.v.encoding).toBeNull();
    expect(l.v.dialect).toMatchObject({ format: 'xlsx', sheet: 'Penduduk', header_line: 1 });
    expect(l.v.dialect).not.toHaveProperty('delimiter');
    expect(l.v.dialect).not.toHaveProperty('line_ending');
  });

  it('reads the sheet the producer picks, by name or by number', async () => {
    const file = await workbook({ Catatan: [['Isi lembar ini bukan tabel']], Data: [['nama', 'nilai'], ['A', 1], ['B', 2]] });
    const byName = await load(t.svc, t.w, file, 'data.xlsx', { sheet: 'Data' });
    expect(byName.v.dialect.sheet).toBe('Data');
    expect(values(byName.rows)).toEqual([{ nama: 'A', nilai: 1 }, { nama: 'B', nilai: 2 }]);
    const byNumber = await load(t.svc, t.w, file, 'data.xlsx', { sheet: 2 });
    expect(byNumber.v.dialect.sheet).toBe('Data');
    expect(byNumber.rows).toHaveLength(2);
  });

  it('reads a later sheet every time, the sheets before it skipped safely', async () => {
    // exceljs parks sheets read before the shared strings in temporary files; skipping one
    // unread used to fail now and then with ENOENT (an unhandled stream error).
    const file = await workbook({ A: [['x'], ['1']], B: [['y'], ['2']], C: [['z'], ['3']], D: [['nama', 'nilai'], ['A', 1]] });
    for (let i = 0; i < 8; i++) {
      const l = await load(t.svc, t.w, file, 'data.xlsx', { sheet: 'D' });
      expect({ state: l.v.state, errors: l.report.errors }).toEqual({ state: 'draft', errors: [] });
      expect(l.v.dialect.sheets).toEqual(['A', 'B', 'C', 'D']);
    }
  });

  it('refuses a sheet that does not exist', async () => {
    const l = await load(t.svc, t.w, await workbook({ Data: PENDUDUK }), 'data.xlsx', { sheet: 'Tidak Ada' });
    expect(l.v.state).toBe('failed');
    expect(l.report.errors).toEqual([expect.objectContaining({ code: 'no_such_sheet', message: expect.stringContaining('Tidak Ada') })]);
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });

  it('reads dates, booleans, formulas and rich text by their values', async () => {
    const l = await load(t.svc, t.w, await workbook({
      Data: [
        ['tanggal', 'aktif', 'total', 'catatan'],
        [new Date(Date.UTC(2025, 0, 31)), true, { formula: '1+2', result: 3 }, { richText: [{ text: 'tebal ' }, { text: 'miring' }] }],
        [new Date(Date.UTC(2025, 1, 28)), false, { formula: '2+2', result: 4 }, 'biasa'],
      ],
    }), 'data.xlsx');
    expect(l.report.errors).toEqual([]);
    expect(types(l)).toEqual([['tanggal', 'date'], ['aktif', 'boolean'], ['total', 'integer'], ['catatan', 'text']]);
    expect(values(l.rows)).toEqual([
      { tanggal: '2025-01-31', aktif: true, total: 3, catatan: 'tebal miring' },
      { tanggal: '2025-02-28', aktif: false, total: 4, catatan: 'biasa' },
    ]);
  });

  it('skips a title above the table and footnotes below it, reporting their row numbers', async () => {
    const l = await load(t.svc, t.w, await workbook({
      Data: [
        ['Tabel 2. Jumlah Penduduk Lampung 2025'],
        null,
        ...PENDUDUK,
        null,
        ['Sumber: BPS Provinsi Lampung'],
      ],
    }), 'data.xlsx');
    expect(l.v.state).toBe('draft');
    expect(l.rows).toHaveLength(2);
    const warnings = l.report.warnings.map((p) => [p.code, p.line]);
    expect(warnings).toEqual(expect.arrayContaining([['title_skipped', 1], ['footnote_skipped', 7]]));
  });

  it('reports a bad cell with its row number in the sheet', async () => {
    const rows: ExcelJS.CellValue[][] = [['nama', 'jumlah']];
    for (let i = 0; i < 20; i++) rows.push([`Desa ${i}`, i]);
    rows[15] = ['Desa 14', 'empat belas'];
    const l = await load(t.svc, t.w, await workbook({ Data: rows }), 'data.xlsx');
    expect(l.report.errors).toEqual([expect.objectContaining({ code: 'type_mismatch', line: 16, column: 'jumlah', value: 'empat belas' })]);
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });

  it('refuses a broken workbook', async () => {
    const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(300, 9)]);
    const l = await load(t.svc, t.w, broken, 'rusak.xlsx');
    expect(l.v.state).toBe('failed');
    expect(l.report.errors).toEqual([expect.objectContaining({ code: 'bad_xlsx', message: 'Berkas XLSX tidak dapat dibaca.' })]);
  });

  it('refuses an empty sheet', async () => {
    const l = await load(t.svc, t.w, await workbook({ Kosong: [], Data: PENDUDUK }), 'data.xlsx');
    expect(l.v.state).toBe('failed');
    expect(l.report.errors[0].code).toBe('empty_file');
  });

  it('writes the sheet’s CSV inside storage whatever the sheet is called', async () => {
    // Excel refuses "/" in sheet names, but a hand-made workbook can carry any name.
    const name = `../../../../satudata-uji-${process.pid}`;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Data');
    Object.defineProperty(ws, 'name', { value: name, writable: true });
    PENDUDUK.forEach((r) => ws.addRow(r));
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    // Where a derived file named after the sheet would land.
    const escaped = path.join(t.svc.config.storageDir, 'derived', `x-1-1-sheet-${name}.csv`);
    expect(escaped.startsWith(t.svc.config.storageDir)).toBe(false);
    try {
      const l = await load(t.svc, t.w, file, 'data.xlsx', { sheet: name });
      expect(l.v.state).toBe('draft');
      expect(l.v.dialect.sheet).toBe(name);
      expect(l.rows).toHaveLength(2);
      expect(fs.existsSync(escaped)).toBe(false);
      const outside = fs.readdirSync(path.dirname(escaped)).filter((f) => f.includes(`satudata-uji-${process.pid}`));
      expect(outside).toEqual([]);
      expect(() => t.svc.storage.derivedPath(`x-sheet-${name}.csv`)).toThrow(/bad derived file name/);
    } finally {
      for (const f of fs.readdirSync(path.dirname(escaped)).filter((f) => f.includes(`satudata-uji-${process.pid}`))) {
        fs.rmSync(path.join(path.dirname(escaped), f), { force: true });
      }
    }
  });

  it('takes the sheet from the upload form and keeps the workbook’s bytes as uploaded', async () => {
    const token = await tokenFor(t.app, t.w.producer.email, t.w.producer.password);
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const file = await workbook({ Catatan: [['x']], Data: PENDUDUK });
    const up = await request(t.app)
      .post(`/api/v1/datasets/${ds.slug}/versions`)
      .set('Authorization', `Bearer ${token}`)
      .field('sheet', 'Data')
      .attach('file', file, 'penduduk.xlsx')
      .expect(201);
    expect(up.body.data).toMatchObject({ state: 'draft', row_count: 2, options: { sheet: 'Data' } });
    const raw = await request(t.app)
      .get(`/dataset/${ds.slug}/versions/1/raw`)
      .set('Authorization', `Bearer ${token}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(raw.body as Buffer, file)).toBe(0);
  });
});
