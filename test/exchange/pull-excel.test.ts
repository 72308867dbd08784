import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { testWorld } from '../support/world';
import { makeDataset } from '../support/factories';

// A pulled source as OPD servers really export: a CSV saved by Excel (Windows-1252, `;`, `.`
// thousands and `,` decimals, CRLF, "km²" in a header), served as Excel's media type, or from an
// address without a file name (the name only in Content-Disposition).
const t = testWorld({ env: { FETCH_ALLOW_HOSTS: '127.0.0.1' } });
jest.setTimeout(60_000);

const FILE = fs.readFileSync(path.join(__dirname, '../fixtures/penduduk_luas_kabkota_excel.csv'));
let server: http.Server;
let base = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/export/penduduk.csv') return res.writeHead(200, { 'content-type': 'application/vnd.ms-excel' }).end(FILE);
    if (req.url === '/unduh?id=7') return res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="penduduk_luas.csv"' }).end(FILE);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('a pulled source with an Excel-style CSV', () => {
  it.each([['/export/penduduk.csv'], ['/unduh?id=7']])('reads %s as Excel wrote it: encoding, separators, numbers, header', async (where) => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await t.bearer(t.w.producer);
    await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(auth).send({ kind: 'url', url: `${base}${where}`, schedule: 'monthly 1 06:00' }).expect(200);
    const run = await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).expect(200);
    expect(run.body.data).toMatchObject({ result: 'new_version', version: 1, bytes: FILE.length });
    const v = await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1`).set(auth).expect(200);
    expect({ state: v.body.data.state, rows: v.body.data.row_count, errors: v.body.data.report.errors }).toEqual({ state: 'draft', rows: 15, errors: [] });
    const cols = v.body.data.columns.map((c: { name: string; label: string; type: string }) => [c.name, c.type]);
    expect(cols).toEqual([
      // A region code stays text (codes are identifiers: 18.04 and 0-led codes must survive).
      ['kode_kabupaten_kota', 'text'],
      ['nama_kabupaten_kota', 'text'],
      ['jumlah_penduduk_jiwa', 'integer'],
      ['luas_wilayah_km2', 'number'],
      ['tahun', 'year'],
    ]);
    expect(v.body.data.columns[3].label).toBe('Luas Wilayah (km²)');
    const rows = await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1/rows?limit=1`).set(auth).expect(200);
    expect(rows.body.data[0]).toMatchObject({ kode_kabupaten_kota: '1801', nama_kabupaten_kota: 'Lampung Barat', jumlah_penduduk_jiwa: 313756, luas_wilayah_km2: 2110.1, tahun: 2025 });
  });

  it('with auto_submit, puts the pulled version in the walidata’s queue', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await t.bearer(t.w.producer);
    await request(t.app).patch(`/api/v1/datasets/${ds.slug}`).set(auth).send({ auto_submit: true }).expect(200);
    await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(auth).send({ kind: 'url', url: `${base}/export/penduduk.csv`, schedule: 'monthly 1 06:00' }).expect(200);
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).expect(200);
    expect((await t.svc.db('versions').where({ dataset_id: ds.id, number: 1 }).first()).state).toBe('submitted');
  });
});
