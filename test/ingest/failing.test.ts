import fs from 'node:fs';
import { testWorld } from '../support/world';
import path from 'node:path';
import net, { type AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../../server/app';
import { makeDataset } from '../support/factories';
import { tokenFor } from '../support/http';
import { load, versionTables, type Loaded } from '../support/ingest';
import { testServices, type TestServices } from '../support/services';

const t = testWorld();

/** Waits for `cond`, checking every 20 ms, for up to 30 s. */
async function until(cond: () => boolean): Promise<void> {
  const end = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in 30 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}


/** The file was refused as a whole: failed, one error of `code` in both languages, no table anywhere. */
async function expectRefused(l: Loaded, code: string) {
  expect(l.v.state).toBe('failed');
  expect(l.v.table_name).toBeNull();
  expect(l.v.row_count).toBeNull();
  expect(l.report.errors).toEqual([
    expect.objectContaining({ code, message: expect.any(String), message_en: expect.any(String) }),
  ]);
  expect(l.report.counts.errors).toEqual({ [code]: 1 });
  expect(l.report.errors[0].message).not.toEqual(l.report.errors[0].message_en);
  expect(l.columns).toEqual([]);
  expect(await versionTables(t.svc, l.v.id)).toEqual([]);
}

/** The file was read but has errors: a draft that cannot be submitted, and no table anywhere. */
async function expectRejected(l: Loaded) {
  expect(l.v.state).toBe('draft');
  expect(l.v.table_name).toBeNull();
  expect(Object.keys(l.report.counts.errors).length).toBeGreaterThan(0);
  expect(await versionTables(t.svc, l.v.id)).toEqual([]);
}

describe('files that cannot be read at all', () => {
  it('refuses an empty file', async () => {
    const l = await load(t.svc, t.w, '');
    await expectRefused(l, 'empty_file');
    expect(l.report.errors[0].message).toBe('Berkas kosong.');
  });

  it('refuses a file of blank lines as empty', async () => {
    await expectRefused(await load(t.svc, t.w, '\r\n\r\n  \r\n'), 'empty_file');
  });

  it('refuses PNG bytes uploaded as CSV', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);
    const l = await load(t.svc, t.w, png, 'grafik.csv');
    await expectRefused(l, 'binary_file');
    expect(l.report.errors[0].message).toContain('PNG');
  });

  it('refuses PDF bytes uploaded as CSV', async () => {
    const l = await load(t.svc, t.w, Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n'), 'laporan.csv');
    await expectRefused(l, 'binary_file');
    expect(l.report.errors[0].message_en).toContain('PDF');
  });

  it('refuses text with NUL bytes', async () => {
    await expectRefused(await load(t.svc, t.w, Buffer.from('nama,nilai\nA,1\u0000\nB,2\n')), 'binary_file');
  });

  it('refuses a ZIP that is not an XLSX', async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]);
    await expectRefused(await load(t.svc, t.w, zip, 'arsip.csv'), 'binary_file');
  });

  it('refuses a legacy .xls workbook with advice to save it as .xlsx or CSV', async () => {
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(500)]);
    const l = await load(t.svc, t.w, xls, 'data.xls');
    await expectRefused(l, 'legacy_xls');
    expect(l.report.errors[0].message).toContain('.xlsx');
  });

  it('refuses a header without data rows', async () => {
    await expectRefused(await load(t.svc, t.w, 'kode,nama,jumlah\r\n'), 'no_data_rows');
    await expectRefused(await load(t.svc, t.w, 'kode,nama,jumlah\n,,\n\n'), 'no_data_rows');
  });

  it('refuses a header followed only by footnotes', async () => {
    await expectRefused(await load(t.svc, t.w, 'kode;nama;jumlah\nSumber: BPS;;\n'), 'no_data_rows');
  });

  it('refuses more than 1,000 columns', async () => {
    const header = Array.from({ length: 1001 }, (_, i) => `kolom${i}`).join(',');
    const row = Array.from({ length: 1001 }, (_, i) => String(i)).join(',');
    const l = await load(t.svc, t.w, `${header}\n${row}\n`);
    await expectRefused(l, 'too_many_columns');
    expect(l.report.errors[0].message).toBe('Berkas memiliki 1001 kolom; batasnya 1000.');
  });

  it('accepts exactly 1,000 columns', async () => {
    const header = Array.from({ length: 1000 }, (_, i) => `kolom${i}`).join(',');
    const row = Array.from({ length: 1000 }, (_, i) => String(i)).join(',');
    const l = await load(t.svc, t.w, `${header}\n${row}\n`);
    expect(l.v.state).toBe('draft');
    expect(l.columns).toHaveLength(1000);
  });

  it.each([
    ['quoted', (big: string) => `"${big}"`],
    ['unquoted', (big: string) => big],
  ])('refuses a %s field over 1 MB', async (_kind, wrap) => {
    const big = 'x'.repeat(1.1 * 1024 * 1024);
    const l = await load(t.svc, t.w, `nama,catatan\nA,pendek\nB,${wrap(big)}\nC,pendek\n`);
    await expectRefused(l, 'field_too_large');
    expect(l.report.errors[0]).toMatchObject({ line: 3, message: expect.stringContaining('1 MB') });
  });

  it.each([
    ['quoted', (big: string) => `"${big}"`],
    ['unquoted', (big: string) => big],
  ])('refuses a %s field over 1 MB that starts deep in the file (checked while copying)', async (_kind, wrap) => {
    const before = Array.from({ length: 8000 }, (_, i) => `Desa ${i},pendek`).join('\n'); // ~110 KB
    const l = await load(t.svc, t.w, `nama,catatan\n${before}\nB,${wrap('z'.repeat(1.1 * 1024 * 1024))}\nC,pendek\n`);
    await expectRefused(l, 'field_too_large');
    expect(l.report.errors[0]).toMatchObject({ line: 8002 });
  });

  it('refuses a first data row over 1 MB, naming its line', async () => {
    const l = await load(t.svc, t.w, `nama,catatan\nA,"${'y'.repeat(1.2 * 1024 * 1024)}"\n`);
    await expectRefused(l, 'field_too_large');
    expect(l.report.errors[0]).toMatchObject({ line: 2, message: 'Baris 2 lebih dari 1 MB (mungkin tanda kutip tidak ditutup).' });
  });

  it('refuses a field just over 1 MB in a file the sniffer reads whole, naming its line', async () => {
    const l = await load(t.svc, t.w, `nama,catatan\nA,b\nB,"${'y'.repeat(1024 * 1024 + 10)}"\n`);
    await expectRefused(l, 'field_too_large');
    expect(l.report.errors[0]).toMatchObject({ line: 3, message: 'Baris 3: ada isian kolom yang lebih dari 1 MB.' });
  });

  it('refuses a header over 1 MB', async () => {
    const l = await load(t.svc, t.w, `"${'h'.repeat(1024 * 1024 + 10)}",b\n1,2\n`);
    await expectRefused(l, 'field_too_large');
    expect(l.report.errors[0].line).toBe(1);
  });

  it('refuses a quoted field over 1 MB that spans many short lines', async () => {
    const big = 'baris pendek\n'.repeat(90_000);
    const l = await load(t.svc, t.w, `nama,catatan\nA,pendek\nB,"${big}"\nC,pendek\n`);
    await expectRefused(l, 'field_too_large');
  });

  it('refuses a quote that is never closed, naming its line', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `Desa ${i},${i}`);
    rows[14] = 'Desa 14,"14';
    const l = await load(t.svc, t.w, `nama,jumlah\n${rows.join('\n')}\n`);
    await expectRefused(l, 'unclosed_quote');
    expect(l.report.errors[0]).toMatchObject({ line: 16 });
  });
});

describe('ragged rows', () => {
  it('rejects rows with too many or too few fields, listing their line numbers', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `Desa ${i},${i},${i * 2}`);
    rows[3] = 'Desa 3,3,6,lebih';
    rows[7] = 'Desa 7,7';
    const l = await load(t.svc, t.w, `nama,a,b\n${rows.join('\n')}\n`);
    await expectRejected(l);
    expect(l.report.errors.map((e) => [e.code, e.line])).toEqual([
      ['ragged_row', 5],
      ['ragged_row', 9],
    ]);
    expect(l.report.errors[0].message).toBe('Baris berisi 4 kolom, seharusnya 3.');
    expect(l.report.errors[1].message_en).toBe('The row has 2 fields; expected 3.');
  });

  it('counts line numbers past blank lines and multi-line cells', async () => {
    const csv = 'nama,ket,nilai\nA,"dua\nbaris",1\n\nB,x,2\n\n\nC,x,3,4\nD,x,4\n';
    const l = await load(t.svc, t.w, csv);
    expect(l.report.errors.map((e) => [e.code, e.line])).toEqual([['ragged_row', 8]]);
  });

  it('tolerates trailing empty fields on short or long rows', async () => {
    const l = await load(t.svc, t.w, 'nama;nilai;;\nA;1;;\nB;2\nC;3;;;\n');
    expect(l.v.state).toBe('draft');
    expect(l.report.errors).toEqual([]);
    expect(l.rows.map((r) => r.nilai)).toEqual([1, 2, 3]);
  });
});

describe('the report', () => {
  it('groups problems by kind with counts and keeps the first examples', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `Desa ${i},${i},2024-01-01`);
    for (let i = 40; i < 55; i++) rows[i] = `Desa ${i},x${i},2024-01-01`;
    rows[80] = 'Desa 80,80,2024-01-01,lebih';
    rows[90] = 'Desa 90,90,bukan tanggal';
    const l = await load(t.svc, t.w, `nama,jumlah,tanggal\n${rows.join('\n')}\n`);
    await expectRejected(l);
    expect(l.report.counts.errors).toEqual({ type_mismatch: 16, ragged_row: 1 });
    const mismatches = l.report.errors.filter((e) => e.code === 'type_mismatch');
    expect(mismatches).toHaveLength(10);
    expect(mismatches[0]).toEqual({
      code: 'type_mismatch',
      line: 42,
      column: 'jumlah',
      value: 'x40',
      message: 'Nilai "x40" pada kolom jumlah bukan bilangan bulat.',
      message_en: 'Value "x40" in column jumlah is not a whole number.',
    });
    expect(l.report.errors.find((e) => e.code === 'ragged_row')).toMatchObject({ line: 82 });
  });

  it('is returned by the version API, with the file facts', async () => {
    const token = await tokenFor(t.app, t.w.producer.email, t.w.producer.password);
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const up = await request(t.app)
      .post(`/api/v1/datasets/${ds.slug}/versions`)
      .set('Authorization', `Bearer ${token}`)
      .attach('file', Buffer.from('nama,a,b\nA,1,2\nB,1\nC,1,2,3\nD,1,2\n'), 'ragged.csv')
      .expect(201);
    expect(up.body.data).toMatchObject({ state: 'draft', has_table: false });
    const got = await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(got.body.data.report.counts).toEqual({ errors: { ragged_row: 2 }, warnings: {} });
    expect(got.body.data.report.errors.map((e: { line: number }) => e.line)).toEqual([3, 4]);
    expect(got.body.data.file).toMatchObject({ name: 'ragged.csv', encoding: 'utf-8', dialect: expect.objectContaining({ delimiter: ',' }) });
    // A version with errors cannot be submitted.
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions/1/submit`).set('Authorization', `Bearer ${token}`).expect(409);
  });

  it('returns a refused file’s report through the API with state failed', async () => {
    const token = await tokenFor(t.app, t.w.producer.email, t.w.producer.password);
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const up = await request(t.app)
      .post(`/api/v1/datasets/${ds.slug}/versions`)
      .set('Authorization', `Bearer ${token}`)
      .attach('file', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'gambar.csv');
    expect(up.status).toBe(201);
    expect(up.body.data.state).toBe('failed');
    expect(up.body.data.report.errors[0]).toMatchObject({ code: 'binary_file', message: expect.stringContaining('bukan teks CSV'), message_en: expect.stringContaining('not CSV') });
  });
});

describe('uploads over MAX_UPLOAD_MB', () => {
  let small: TestServices;
  let app: ReturnType<typeof createApp>;
  let token: string;
  let slug: string;
  let datasetId: number;

  beforeAll(async () => {
    small = testServices({ env: { MAX_UPLOAD_MB: '1' } });
    app = createApp(small);
    token = await tokenFor(app, t.w.producer.email, t.w.producer.password);
    const ds = await makeDataset(small, t.w.producer, t.w.opd.slug);
    slug = ds.slug;
    datasetId = ds.id;
  });
  afterAll(() => small.close());

  const storedFiles = () => {
    const out: string[] = [];
    const walk = (dir: string) => {
      if (!fs.existsSync(dir)) return;
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else out.push(e.name);
      }
    };
    walk(small.config.storageDir);
    return out;
  };

  it.each([
    ['a little over the limit (stopped while streaming)', 1.5],
    ['far over the limit (refused from its declared length)', 3],
  ])('answers 413 for a file %s and stores nothing as a version', async (_how, mb) => {
    const body = Buffer.alloc(Math.round(mb * 1024 * 1024), 'a,b\n1,2\n');
    const res = await request(app)
      .post(`/api/v1/datasets/${slug}/versions`)
      .set('Authorization', `Bearer ${token}`)
      .attach('file', body, 'besar.csv')
      .catch((err: { response?: request.Response }) => {
        if (err.response) return err.response;
        throw err;
      });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'too_large', message: 'Berkas melebihi batas ukuran 1 MB.' });
    expect(await small.db('versions').where({ dataset_id: datasetId }).count({ n: '*' }).first()).toEqual({ n: 0 });
    // The refused stream's file is removed as the request ends, which may be just after the 413
    // has gone out: give it a moment, never a version.
    for (let i = 0; i < 30 && storedFiles().length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(storedFiles()).toEqual([]);
  });

  it('answers 413 to a body far over the limit and keeps reading it, so the client is not cut off mid-send', async () => {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    try {
      await new Promise((r) => socket.once('connect', r));
      let received = '';
      socket.on('data', (d) => (received += d.toString('latin1')));
      const errors: Error[] = [];
      socket.on('error', (e) => errors.push(e));
      const size = 3 * 1024 * 1024;
      socket.write(
        `POST /api/v1/datasets/${slug}/versions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: multipart/form-data; boundary=x\r\nContent-Length: ${size}\r\n\r\n`,
      );
      // The answer comes from the declared length, before the body is sent …
      await until(() => received.includes('\r\n\r\n'));
      expect(received).toMatch(/^HTTP\/1\.1 413 /);
      // … and the whole body can still be sent afterwards, without a reset connection.
      const chunk = Buffer.alloc(64 * 1024, 'a');
      for (let sent = 0; sent < size; sent += chunk.length) {
        await new Promise<void>((resolve) => socket.write(chunk.subarray(0, Math.min(chunk.length, size - sent)), () => resolve()));
      }
      // The connection is still good for the next request.
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await until(() => (received.match(/HTTP\/1\.1 /g) ?? []).length >= 2 || errors.length > 0 || socket.destroyed);
      expect(errors).toEqual([]);
      expect(received).toMatch(/HTTP\/1\.1 200 [^]*"status":"ok"/);
    } finally {
      socket.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('still accepts a file under the limit', async () => {
    const res = await request(app)
      .post(`/api/v1/datasets/${slug}/versions`)
      .set('Authorization', `Bearer ${token}`)
      .attach('file', Buffer.from('a,b\n1,2\n'), 'kecil.csv')
      .expect(201);
    expect(res.body.data.state).toBe('draft');
  });
});
