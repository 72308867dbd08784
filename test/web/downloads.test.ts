import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { publishedDataset, uploadContent } from '../support/factories';
import { testWorld } from '../support/world';

const t = testWorld();

// Codes with leading zeros, a decimal measure, a date, and text a spreadsheet would run.
const CSV = [
  'kode_barang,nama_barang,tanggal,persentase,jumlah,catatan',
  '0012,LAMPUNG BARAT,2024-03-01,12.5,100,=1+2',
  '0013,TANGGAMUS,2024-03-01,7.25,200,+62 811',
  '0012,LAMPUNG BARAT,2024-09-01,11.75,110,-biasa',
  '0014,"PESISIR; BARAT",2024-09-01,9,300,@x',
  '',
].join('\n');

function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

describe('downloads', () => {
  let slug: string;
  beforeAll(async () => {
    const { ds } = await publishedDataset(t.svc, t.w, CSV, { title: 'Unduhan Uji' });
    slug = ds.slug;
    // Version 2 is published; version 1 becomes superseded and stays downloadable.
    const v2 = await uploadContent(t.svc, t.w.producer.actor, slug, `${CSV}0015,WAY KANAN,2025-03-01,1.5,5,baru\n`);
    await perform(submitVersion, t.w.producer.actor, { slug, number: v2.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug, number: v2.number, decision: 'approve' }, t.svc);
  });

  it('writes an Excel-friendly CSV: BOM, ";" between fields, "," as the decimal mark, formulas neutralised', async () => {
    const res = await request(t.app).get(`/dataset/${slug}/download.csv?dialect=excel`).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // Read it by Excel's Indonesian rules: ';' separates, ',' is the decimal mark.
    const rows: string[][] = parse(body.toString('utf8').slice(1), { delimiter: ';' });
    expect(rows[0]).toEqual(['kode_barang', 'nama_barang', 'tanggal', 'persentase', 'jumlah', 'catatan']);
    expect(rows).toHaveLength(6);
    const first = rows[1];
    expect(first[0]).toBe('0012');
    expect(Number(first[3].replace(',', '.'))).toBe(12.5);
    expect(first[3]).toBe('12,5');
    expect(first[4]).toBe('100');
    expect(first[5]).toBe(`'=1+2`);
    expect(rows[2][5]).toBe("'+62 811");
    expect(rows[3][5]).toBe("'-biasa");
    expect(rows[4][1]).toBe('PESISIR; BARAT'); // quoted, so the ';' stays inside the cell
    expect(rows[4][5]).toBe("'@x");
  });

  it('downloads the filtered and sorted rows the reader sees, equal to the rows API, in CSV and JSON', async () => {
    const q = 'filter[kode_barang]=0012&sort=-persentase';
    const api = await request(t.app).get(`/api/v1/datasets/${slug}/rows?${q}`).expect(200);
    expect(api.body.data.map((r: { persentase: number }) => r.persentase)).toEqual([12.5, 11.75]);
    const csv = await request(t.app).get(`/dataset/${slug}/download.csv?${q}`).expect(200);
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.kode_barang, Number(r.persentase)])).toEqual(api.body.data.map((r: Record<string, unknown>) => [r.kode_barang, r.persentase]));
    expect(csv.headers['content-disposition']).toContain('-pilihan.csv');
    const json = await request(t.app).get(`/dataset/${slug}/download.json?${q}`).expect(200);
    expect(JSON.parse(json.text)).toEqual(api.body.data.map(({ _id, ...r }: Record<string, unknown>) => (void _id, r)));
    // A bad filter is the rows API's 400, not a broken file.
    await request(t.app).get(`/dataset/${slug}/download.csv?filter[nope]=1`).expect(400);
    await request(t.app).get(`/dataset/${slug}/download.xlsx?filter[jumlah]=abc`).expect(400);
    // A value with a quote and a backslash is a value, never SQL.
    const odd = await request(t.app).get(`/dataset/${slug}/download.csv`).query({ 'filter[nama_barang]': "x' OR '1'='1\\" }).expect(200);
    expect(odd.text.trim().split('\n')).toHaveLength(1);
  });

  it('writes XLSX with real numbers and dates, codes as text and formulas neutralised', async () => {
    const res = await request(t.app).get(`/dataset/${slug}/download.xlsx`).buffer(true).parse(binary).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    const ws = wb.getWorksheet('data')!;
    expect(ws.getRow(1).values).toEqual([undefined, 'kode_barang', 'nama_barang', 'tanggal', 'persentase', 'jumlah', 'catatan']);
    const r = ws.getRow(2);
    expect(r.getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(r.getCell(1).value).toBe('0012');
    expect(r.getCell(3).type).toBe(ExcelJS.ValueType.Date);
    expect((r.getCell(3).value as Date).toISOString().slice(0, 10)).toBe('2024-03-01');
    expect(r.getCell(4).type).toBe(ExcelJS.ValueType.Number);
    expect(r.getCell(4).value).toBe(12.5);
    expect(r.getCell(5).value).toBe(100);
    expect(r.getCell(6).type).toBe(ExcelJS.ValueType.String); // never a formula
    expect(r.getCell(6).value).toBe(`'=1+2`);
    expect(ws.rowCount).toBe(6); // the header and version 2's five rows
  });

  it('downloads an older published version in every format', async () => {
    for (const f of ['csv', 'json', 'xlsx']) {
      const res = await request(t.app).get(`/dataset/${slug}/download.${f}?version=1`).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-disposition']).toContain(`-v1.${f}`);
    }
    const v1 = await request(t.app).get(`/dataset/${slug}/download.json?version=1`).expect(200);
    expect(JSON.parse(v1.text)).toHaveLength(4);
    // The history on the page offers each format of each published version.
    const page = await request(t.app).get(`/dataset/${slug}`).expect(200);
    const html = page.text.replace(/&#x3D;/g, '=');
    for (const f of ['csv', 'xlsx', 'json']) expect(html).toContain(`/dataset/${slug}/download.${f}?version=1`);
    expect(html).toContain(`/dataset/${slug}/download.csv?version=1&amp;dialect=excel`);
  });

  it('offers the downloads of what the reader filtered, and names the filter by its label', async () => {
    const page = await request(t.app).get(`/dataset/${slug}`).query({ 'filter[kode_barang]': '0012', sort: '-persentase' }).expect(200);
    const html = page.text.replace(/&#x3D;/g, '=');
    expect(html).toMatch(/href="\/dataset\/[^"]+\/download\.csv\?sort=-persentase&amp;filter%5Bkode_barang%5D=0012"/);
    expect(html).toMatch(/href="\/dataset\/[^"]+\/download\.xlsx\?sort=-persentase&amp;filter%5Bkode_barang%5D=0012"/);
    const chip = page.text.match(/<a class="chip"[^>]*>([^<]*)<\/a>/)![1];
    expect(chip).not.toContain('kode_barang');
    expect(chip).toMatch(/Kode Barang = 0012/i);
  });
});
