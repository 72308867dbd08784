import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import request from 'supertest';
import { makeDataset } from '../support/factories';
import { signedIn } from '../support/http';
import type { PortalProcess } from '../support/own-cluster';
import { binaryParser, scaleCsv, scaleOut, type ScaleOut } from '../support/scale-out';

// Issue 7, "Faults and several processes": processes of a scale-out portal (two web processes and
// a worker on one database, the files in an S3-compatible bucket) killed with SIGKILL where it
// hurts most — a web process while an upload's bytes are still arriving or once they are stored
// but not yet a version, the worker in the middle of a load (once, and again in its retry), the
// web process not taking part while a load runs — and what is left afterwards.

jest.setTimeout(600_000);

let s: ScaleOut;
let a: PortalProcess;
let b: PortalProcess;
let worker: PortalProcess;
/** Attempt 1 of every load waits at row 5000 for this advisory lock, attempt 2 for the next. */
const HOLD = 841_517;

beforeAll(async () => {
  s = await scaleOut({ hold: HOLD, holdRow: 5000, holdAttempts: 2 });
  a = await s.start('web');
  [b, worker] = await Promise.all([s.start('web'), s.start('worker')]);
});

afterAll(() => s?.close());

const sha = (body: Buffer) => crypto.createHash('sha256').update(body).digest('hex');
const api = (p: PortalProcess) => request(p.base);

/** Waits until the version leaves `processing`. */
const loaded = (slug: string, watch: PortalProcess[]) =>
  s.until(`version 1 of ${slug} to be loaded`, async () => {
    const v = await s.versionRow(slug, 1);
    return v.state !== 'processing' ? v : null;
  }, watch);

/**
 * A multipart upload of `file` to `base`, sent as far as `sent(written)` allows: the returned
 * promise settles with the answer, or with the error of a connection that broke.
 */
function partialUpload(base: string, url: string, token: string, filename: string, file: Buffer) {
  const boundary = `----satudata-${crypto.randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = http.request(`${base}${url}`, {
    method: 'POST',
    headers: { Authorization: token, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + file.length + tail.length },
  });
  const answer = new Promise<{ status?: number; error?: string }>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
  });
  req.write(head);
  return {
    answer,
    send: (from: number, to: number) => req.write(file.subarray(from, to)),
    finish: (from: number) => req.end(Buffer.concat([file.subarray(from), tail])),
  };
}

/** s3rver's unfinished multipart uploads (they are not objects: never listed, never served). */
function unfinishedUploads(): Array<{ key: string; parts: number }> {
  const root = path.join(s.bucket.directory, s.bucket.settings.bucket, '._S3rver_uploads');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).map((id) => ({
    key: fs.existsSync(path.join(root, id, 'key')) ? fs.readFileSync(path.join(root, id, 'key'), 'utf8') : '',
    parts: fs.readdirSync(path.join(root, id)).filter((f) => f.endsWith('.md5')).length,
  }));
}

/** Makes a stored object look as old as `hours` (s3rver's LastModified is its file's mtime). */
function age(key: string, hours: number): void {
  const parts = key.split('/');
  const file = path.join(s.bucket.directory, s.bucket.settings.bucket, ...parts.slice(0, -1), `${parts.at(-1)}._S3rver_object`);
  const then = new Date(Date.now() - hours * 3600_000);
  fs.utimesSync(file, then, then);
}

/** Nothing of the upload `filename` is seen by its own producer: neither in the API nor on the dashboard. */
async function seenNowhere(slug: string, filename: string): Promise<void> {
  for (const p of [a, b].filter((x) => x.alive())) {
    const detail = await api(p).get(`/api/v1/datasets/${slug}`).set(s.bearer('producer')).expect(200);
    expect(detail.body.data.versions).toEqual([]);
    await api(p).get(`/api/v1/datasets/${slug}/versions/1`).set(s.bearer('producer')).expect(404);
    const agent = await signedIn(p.base, s.w.producer.email, s.w.producer.password);
    const page = await agent.get(`/dashboard/datasets/${slug}`).expect(200);
    expect(page.text).not.toContain(filename);
  }
}

describe('a web process killed during an upload', () => {
  it('while the bytes still arrive: the client sees the connection break, nothing is kept, and the retry through the other process loads', async () => {
    const ds = await makeDataset(s.svc, s.w.producer, s.w.opd.slug);
    // Over one S3 part (5 MB), so that the bucket has begun to receive it when the process dies.
    const file = scaleCsv(26_000, 200);
    expect(file.length).toBeGreaterThan(5.5 * 1024 * 1024);
    const before = await s.bucketKeys();
    const upload = partialUpload(a.base, `/api/v1/datasets/${ds.slug}/versions`, s.bearer('producer').Authorization, 'setengah.csv', file);
    upload.send(0, 5.5 * 1024 * 1024);
    await s.until('a part of the upload to be in the bucket', async () => unfinishedUploads().some((u) => u.key.startsWith('incoming/') && u.parts > 0), [a]);
    await a.stop('SIGKILL');
    const answer = await upload.answer;
    expect(answer.status).toBeUndefined();
    expect(answer.error).toMatch(/ECONNRESET|EPIPE|socket hang up/);

    // No version, no object: the part sent is an unfinished multipart upload, which S3 never lists
    // or serves (a lifecycle rule ends it: README, "Scale-out").
    expect(await s.svc.db('versions').where({ dataset_id: ds.id }).pluck('id')).toEqual([]);
    expect(await s.bucketKeys()).toEqual(before);
    await seenNowhere(ds.slug, 'setengah.csv');

    // The same upload again, whole, through B: stored, loaded by the worker, as if nothing happened.
    const up = await api(b).post(`/api/v1/datasets/${ds.slug}/versions`).set(s.bearer('producer')).attach('file', file, 'setengah.csv').expect(202);
    expect(up.body.data.number).toBe(1);
    const v = await loaded(ds.slug, [b, worker]);
    expect({ state: v.state, rows: Number(v.row_count), errors: v.report?.errors }).toEqual({ state: 'draft', rows: 26_000, errors: [] });
    expect(await s.bucketKeys()).toEqual([...before, `raw/${sha(file).slice(0, 2)}/${sha(file)}`].sort());
    const raw = await api(b).get(`/dataset/${ds.slug}/versions/1/raw`).set(s.bearer('producer')).buffer(true).parse(binaryParser).expect(200);
    expect(Buffer.compare(raw.body as Buffer, file)).toBe(0);
  });

  it('once the bytes are stored but before they are a version: nothing is seen, and the left file is swept when a day old', async () => {
    a = await s.start('web');
    const ds = await makeDataset(s.svc, s.w.producer, s.w.opd.slug);
    const file = scaleCsv(26_000, 200);
    const before = await s.bucketKeys();
    const unfinished = unfinishedUploads().length;
    const upload = partialUpload(a.base, `/api/v1/datasets/${ds.slug}/versions`, s.bearer('producer').Authorization, 'tersimpan.csv', file);
    upload.send(0, 5.5 * 1024 * 1024);
    // Its bytes are arriving, so its checks have passed: the dataset is locked now, and the
    // upload's action waits for it with the whole file in incoming/.
    await s.until('a part of the upload to be in the bucket', async () => unfinishedUploads().length > unfinished, [a]);
    await s.holder.query('BEGIN');
    try {
      await s.holder.query('SELECT id FROM datasets WHERE id = $1 FOR UPDATE', [ds.id]);
      upload.finish(5.5 * 1024 * 1024);
      const stored = await s.until('the upload to be stored in incoming/', async () => (await s.bucketKeys('incoming/'))[0], [a]);
      await s.until('the upload action to wait for the dataset', async () => {
        const { rows } = await s.svc.db.raw(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%from "datasets"%'`);
        return rows[0].n > 0;
      }, [a]);
      await a.stop('SIGKILL');
      expect((await upload.answer).error).toMatch(/ECONNRESET|EPIPE|socket hang up/);
      await s.holder.query('COMMIT');

      expect(await s.svc.db('versions').where({ dataset_id: ds.id }).pluck('id')).toEqual([]);
      await seenNowhere(ds.slug, 'tersimpan.csv');
      // The file is left in incoming/, which no process answers for any more. Once it is a day
      // old (no request in flight is that old), the running worker's sweep removes it: no process
      // has to be restarted for that (a start sweeps too).
      expect(await s.bucketKeys()).toEqual([...before, stored].sort());
      age(stored, 25);
      await s.until('the day-old incoming file to be swept', async () => (await s.bucketKeys('incoming/')).length === 0, [b, worker], 120_000);
      expect(await s.bucketKeys()).toEqual(before);
      a = await s.start('web');
    } finally {
      await s.holder.query('ROLLBACK').catch(() => undefined);
    }
  });
});

/** The rows of version 1's table, as the file's cells (Indonesian decimals back to numbers). */
async function rowsOf(slug: string) {
  const v = await s.versionRow(slug, 1);
  const rows = await s.svc.db.withSchema('datastore').from(v.table_name!).orderBy('_id').select('kode_kabupaten_kota', 'nama_kabupaten_kota', 'indikator', 'nilai', 'tahun');
  return rows.map((r) => [String(r.kode_kabupaten_kota), r.nama_kabupaten_kota, r.indikator, Number(r.nilai), Number(r.tahun)]);
}
function cellsOf(file: Buffer) {
  return file
    .toString()
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(';'))
    .map(([kode, nama, ind, nilai, tahun]) => [kode, nama, ind, Number(nilai.replace(',', '.')), Number(tahun)]);
}

describe('the worker killed in the middle of a load', () => {
  /** Kills the worker while its load waits at row 5000 of attempt `attempt`; the load stays hidden. */
  async function killWorkerDuring(attempt: number, slug: string) {
    await s.until(`attempt ${attempt} to be loading rows`, () => s.holding(attempt), [worker]);
    await worker.stop('SIGKILL');
    await s.holder.query('SELECT pg_advisory_unlock($1)', [HOLD + attempt - 1]);
    const v = await s.versionRow(slug, 1);
    expect({ state: v.state, table: v.table_name, attempt: v.load_attempt }).toEqual({ state: 'processing', table: null, attempt });
    // The killed COPY's transaction died with its connection: its table was never there for anyone.
    const { rows } = await s.svc.db.raw('SELECT to_regclass(?) AS t', [`datastore.v${v.id}_${attempt}`]);
    expect(rows[0].t).toBeNull();
    const seen = await api(a).get(`/api/v1/datasets/${slug}/versions/1/rows`).set(s.bearer('producer'));
    expect(seen.body.data ?? []).toEqual([]);
    await api(b).get(`/api/v1/datasets/${slug}/rows`).expect(404);
  }

  it('once: a new worker loads it again, in a capped thread, and the rows are the file', async () => {
    const ds = await makeDataset(s.svc, s.w.producer, s.w.opd.slug);
    const file = scaleCsv(20_000);
    await s.holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
    await api(a).post(`/api/v1/datasets/${ds.slug}/versions`).set(s.bearer('producer')).attach('file', file, 'sekali.csv').expect(202);
    await killWorkerDuring(1, ds.slug);

    // Restarted on its data directory, as a supervisor would: it finds the stalled load.
    worker = await s.start('worker', s.dirOf.get(worker));
    const v = await loaded(ds.slug, [worker]);
    expect({ state: v.state, rows: Number(v.row_count), attempt: v.load_attempt, table: v.table_name }).toEqual({ state: 'draft', rows: 20_000, attempt: 2, table: `v${v.id}_2` });
    expect(await rowsOf(ds.slug)).toEqual(cellsOf(file));
    const events = await s.svc.db('audit_events').where({ version_id: v.id }).orderBy('id').select('action', 'details');
    expect(events.map((e) => e.action)).toEqual(['version.upload', 'version.loaded']);
    expect(events[1].details).toMatchObject({ attempt: 2, isolated: true, rows: 20_000 });
    const rows = await api(b).get(`/api/v1/datasets/${ds.slug}/versions/1/rows?limit=1`).set(s.bearer('producer')).expect(200);
    expect(rows.body.meta.total).toBe(20_000);
  });

  it('twice: its retry is not made a third time, the version ends failed with the reason', async () => {
    const ds = await makeDataset(s.svc, s.w.producer, s.w.opd.slug);
    const file = scaleCsv(6_000);
    await s.holder.query('SELECT pg_advisory_lock($1), pg_advisory_lock($2)', [HOLD, HOLD + 1]);
    await api(b).post(`/api/v1/datasets/${ds.slug}/versions`).set(s.bearer('producer')).attach('file', file, 'dua-kali.csv').expect(202);
    await killWorkerDuring(1, ds.slug);
    worker = await s.start('worker', s.dirOf.get(worker));
    await killWorkerDuring(2, ds.slug);
    worker = await s.start('worker', s.dirOf.get(worker));
    const v = await loaded(ds.slug, [worker]);
    expect({ state: v.state, attempt: v.load_attempt, table: v.table_name }).toEqual({ state: 'failed', attempt: 2, table: null });
    expect(v.report?.errors[0]).toMatchObject({ code: 'load_interrupted' });
    const shown = await api(a).get(`/api/v1/datasets/${ds.slug}/versions/1`).set(s.bearer('producer')).set('Accept-Language', 'en').expect(200);
    expect(shown.body.data.state).toBe('failed');
    expect(JSON.stringify(shown.body.data.report)).toContain('load_interrupted');
    const failed = await s.svc.db('audit_events').where({ version_id: v.id, action: 'version.load_failed' }).pluck('details');
    expect(failed).toEqual([{ reason: 'stalled' }]);
    // A failed load is retried by uploading again: the same file makes a new version.
    const again = await api(a).post(`/api/v1/datasets/${ds.slug}/versions`).set(s.bearer('producer')).attach('file', file, 'dua-kali.csv').expect(202);
    expect(again.body.data.number).toBe(2);
    await s.until('the new upload to be loaded', async () => (await s.versionRow(ds.slug, 2)).state === 'draft', [worker]);
  });
});

describe('the web process not taking part, killed during a load', () => {
  it('the load completes and the other web process serves it', async () => {
    const ds = await makeDataset(s.svc, s.w.producer, s.w.opd.slug);
    const file = scaleCsv(20_000);
    await s.holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
    try {
      await api(a).post(`/api/v1/datasets/${ds.slug}/versions`).set(s.bearer('producer')).attach('file', file, 'tanpa-b.csv').expect(202);
      await s.until('the worker to be loading rows', () => s.holding(1), [worker]);
      await b.stop('SIGKILL');
    } finally {
      await s.holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);
    }
    const v = await loaded(ds.slug, [a, worker]);
    expect({ state: v.state, rows: Number(v.row_count), attempt: v.load_attempt }).toEqual({ state: 'draft', rows: 20_000, attempt: 1 });
    expect(await rowsOf(ds.slug)).toEqual(cellsOf(file));
    const rows = await api(a).get(`/api/v1/datasets/${ds.slug}/versions/1/rows?limit=1`).set(s.bearer('producer')).expect(200);
    expect(rows.body.meta.total).toBe(20_000);
    const raw = await api(a).get(`/dataset/${ds.slug}/versions/1/raw`).set(s.bearer('producer')).buffer(true).parse(binaryParser).expect(200);
    expect(Buffer.compare(raw.body as Buffer, file)).toBe(0);
    expect(a.alive() && worker.alive()).toBe(true);
  });
});
