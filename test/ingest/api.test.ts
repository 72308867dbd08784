import crypto from 'node:crypto';
import { testWorld } from '../support/world';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeDataset } from '../support/factories';
import { tokenFor } from '../support/http';
import { versionTables } from '../support/ingest';

const t = testWorld();

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'ingest');

let auth: { Authorization: string };

beforeAll(async () => {
  auth = { Authorization: `Bearer ${await tokenFor(t.app, t.w.producer.email, t.w.producer.password)}` };
});

/** A response body as raw bytes, whatever its content type. */
function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  (res as unknown as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.push(c));
  (res as unknown as NodeJS.ReadableStream).on('end', () => cb(null, Buffer.concat(chunks)));
}

/** Version 1 of a dataset, straight from the database. */
function versionOf(slug: string): Promise<{ id: number; table_name: string | null } | undefined> {
  return t.svc.db('versions').join('datasets', 'datasets.id', 'versions.dataset_id').where('datasets.slug', slug).andWhere('versions.number', 1).first('versions.id', 'versions.table_name');
}

async function newDataset() {
  return (await makeDataset(t.svc, t.w.producer, t.w.opd.slug)).slug;
}

describe('the raw file', () => {
  it('is kept exactly as uploaded, with its sha256, size, encoding and dialect', async () => {
    const slug = await newDataset();
    const bytes = fs.readFileSync(path.join(FIXTURES, 'kecamatan_win1252.csv'));
    const up = await request(t.app).post(`/api/v1/datasets/${slug}/versions`).set(auth).attach('file', bytes, 'kecamatan.csv').expect(201);
    expect(up.body.data.file).toEqual({
      name: 'kecamatan.csv',
      size: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      media_type: 'text/csv',
      encoding: 'windows-1252',
      dialect: expect.objectContaining({ delimiter: ';', quote: '"', line_ending: 'crlf', header_line: 1 }),
    });

    const raw = await request(t.app).get(`/dataset/${slug}/versions/1/raw`).set(auth).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(raw.body as Buffer, bytes)).toBe(0);
    expect(raw.headers['content-disposition']).toContain('kecamatan.csv');
  });

  it('is not given to the public while the version is a draft', async () => {
    const slug = await newDataset();
    await request(t.app).post(`/api/v1/datasets/${slug}/versions`).set(auth).attach('file', Buffer.from('a,b\n1,2\n'), 'x.csv').expect(201);
    await request(t.app).get(`/dataset/${slug}/versions/1/raw`).expect(404);
  });

  it('is kept for a file that failed to load', async () => {
    const slug = await newDataset();
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3]);
    const up = await request(t.app).post(`/api/v1/datasets/${slug}/versions`).set(auth).attach('file', bytes, 'salah.csv').expect(201);
    expect(up.body.data.state).toBe('failed');
    const raw = await request(t.app).get(`/dataset/${slug}/versions/1/raw`).set(auth).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(raw.body as Buffer, bytes)).toBe(0);
  });
});

describe('reading options through the API', () => {
  it('takes encoding, delimiter, decimal and column types from the upload form', async () => {
    const slug = await newDataset();
    const up = await request(t.app)
      .post(`/api/v1/datasets/${slug}/versions`)
      .set(auth)
      .field('encoding', 'windows-1252')
      .field('delimiter', 'tab')
      .field('decimal', '.')
      .field('columns', JSON.stringify({ kode: { type: 'text' }, nilai: { unit: 'ton' } }))
      .attach('file', Buffer.from('kode\tnilai\n7\t313.756\n8\t641.036\n'), 'data.tsv')
      .expect(201);
    const v = up.body.data;
    expect(v.options).toMatchObject({ encoding: 'windows-1252', delimiter: '\t', decimal: '.' });
    expect(v.columns.map((c: { name: string; type: string; unit: string | null }) => [c.name, c.type, c.unit])).toEqual([
      ['kode', 'text', null],
      ['nilai', 'number', 'ton'],
    ]);
    const rows = await request(t.app).get(`/api/v1/datasets/${slug}/versions/1/rows`).set(auth).expect(200);
    expect(rows.body.data.map((r: { nilai: number }) => r.nilai)).toEqual([313.756, 641.036]);
  });

  it('refuses options it does not know', async () => {
    const slug = await newDataset();
    const res = await request(t.app)
      .post(`/api/v1/datasets/${slug}/versions`)
      .set(auth)
      .field('delimiter', '#')
      .attach('file', Buffer.from('a#b\n1#2\n'), 'data.csv')
      .expect(400);
    expect(res.body.error.code).toBe('invalid');
    expect(await versionOf(slug)).toBeUndefined();
  });

  it('reshapes a wide table on request from the upload form', async () => {
    const slug = await newDataset();
    const up = await request(t.app)
      .post(`/api/v1/datasets/${slug}/versions`)
      .set(auth)
      .field('reshape', JSON.stringify({ var_name: 'tahun', value_name: 'nilai' }))
      .attach('file', Buffer.from('Kabupaten/Kota,2023,2024\nLampung Barat,1,2\nTanggamus,3,4\n'), 'lebar.csv')
      .expect(201);
    expect(up.body.data.row_count).toBe(4);
    expect(up.body.data.columns.map((c: { name: string }) => c.name)).toEqual(['kabupaten_kota', 'tahun', 'nilai']);
  });

  it('reloads a version with other options and answers with the new result', async () => {
    const slug = await newDataset();
    const up = await request(t.app)
      .post(`/api/v1/datasets/${slug}/versions`)
      .set(auth)
      .attach('file', Buffer.from('nama;2023;2024\r\nA;1,5;2\r\nB;3;4\r\n'), 'data.csv')
      .expect(201);
    expect(up.body.data.report.counts.warnings.wide_table).toBe(1);
    const first = (await versionOf(slug))!;

    const again = await request(t.app)
      .post(`/api/v1/datasets/${slug}/versions/1/reload`)
      .set(auth)
      .send({ reshape: { var_name: 'tahun', value_name: 'jumlah' }, columns: { jumlah: { unit: 'ton' } } })
      .expect(200);
    expect(again.body.data).toMatchObject({ state: 'draft', row_count: 4, has_table: true });
    expect(again.body.data.columns.map((c: { name: string; type: string; unit: string | null }) => [c.name, c.type, c.unit])).toEqual([
      ['nama', 'text', null],
      ['tahun', 'year', null],
      ['jumlah', 'number', 'ton'],
    ]);
    const rows = await request(t.app).get(`/api/v1/datasets/${slug}/versions/1/rows`).set(auth).expect(200);
    expect(rows.body.data.map((r: { jumlah: number }) => r.jumlah)).toEqual([1.5, 2, 3, 4]);
    const v = (await versionOf(slug))!;
    expect(v.id).toBe(first.id);
    expect(v.table_name).not.toBe(first.table_name);
    expect(await versionTables(t.svc, v.id)).toEqual([v.table_name]);
  });

  it('does not reload a submitted version', async () => {
    const slug = await newDataset();
    await request(t.app).post(`/api/v1/datasets/${slug}/versions`).set(auth).attach('file', Buffer.from('nama,nilai\nA,1\n'), 'data.csv').expect(201);
    await request(t.app).post(`/api/v1/datasets/${slug}/versions/1/submit`).set(auth).expect(200);
    const res = await request(t.app).post(`/api/v1/datasets/${slug}/versions/1/reload`).set(auth).send({ delimiter: ';' }).expect(409);
    expect(res.body.error.code).toBe('conflict');
  });
});
