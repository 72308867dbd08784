import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { S3Storage } from '../../server/storage-s3';
import { makeDataset, makeWorld, SMALL_CSV, uid, type World } from '../support/factories';
import { csrfFrom, signedIn, tokenFor } from '../support/http';
import { isolatedDatabase } from '../support/isolated-db';
import { startPortal, type PortalProcess } from '../support/own-cluster';
import { startS3, type TestBucket } from '../support/s3';
import { testServices, type TestServices } from '../support/services';
import { holdFirstAttempts } from '../support/hold-load';

// Issue 7, "Scale-out" (SPEC §6): two web processes and one worker on one PostgreSQL, the stored
// files in an S3-compatible bucket (s3rver here) and nothing shared on disk (each process has a
// DATA_DIR of its own). A session made on one web process works on the other; an upload through
// one is loaded by the worker and downloaded through the other; the sign-in limit counts across
// both; a load goes on when the web process that took its upload is killed.

jest.setTimeout(600_000);

let bucket: TestBucket;
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let svc: TestServices;
let w: World;
let files: S3Storage;
let a: PortalProcess;
let b: PortalProcess;
let worker: PortalProcess;
let holder: pg.Client;
const dirs: string[] = [];
/** Each process's DATA_DIR. */
const dirOf = new Map<PortalProcess, string>();
const tokens: Record<'producer' | 'otherProducer' | 'walidata', string> = { producer: '', otherProducer: '', walidata: '' };
/** The advisory lock the worker's COPY waits for, part-way through: web process A is killed meanwhile. */
const HOLD = 840_913;

const dataDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-scale-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  bucket = await startS3();
  files = new S3Storage(bucket.settings, dataDir());
  // A database of its own: the worker sweeps the whole database for stalled loads.
  isolated = await isolatedDatabase();
  svc = testServices({ url: isolated.url });
  w = await makeWorld(svc);
  // The first attempt's table of a version waits at row 5000 for a lock this test holds.
  await holdFirstAttempts((sql) => svc.db.raw(sql), HOLD, 5000);
  holder = new pg.Client({ connectionString: isolated.url });
  await holder.connect();

  const common = {
    ...bucket.env,
    DATABASE_URL: isolated.url,
    SESSION_SECRET: crypto.randomBytes(36).toString('base64'),
    RATE_LIMIT_NAMESPACE: `scale-${uid()}`,
    // Every load goes to the queue, so only the worker loads.
    INLINE_LOAD_MAX_MB: '0',
    LOAD_STALL_SECONDS: '10',
  };
  const start = async (kind: 'web' | 'worker') => {
    const dir = dataDir();
    const p = await startPortal(kind, { ...common, DATA_DIR: dir, ...(kind === 'web' ? { RUN_WORKER: 'no' } : {}) });
    dirOf.set(p, dir);
    return p;
  };
  [a, b, worker] = await Promise.all([start('web'), start('web'), start('worker')]);
  // Before the sign-in limit is used up below (tokens are counted apart from the form, but alike).
  tokens.producer = await tokenFor(a.base, w.producer.email, w.producer.password);
  tokens.otherProducer = await tokenFor(b.base, w.otherProducer.email, w.otherProducer.password);
  tokens.walidata = await tokenFor(b.base, w.walidata.email, w.walidata.password);
});

afterAll(async () => {
  await Promise.all([a, b, worker].map((p) => p?.stop().catch(() => undefined)));
  await holder?.end().catch(() => undefined);
  await svc?.close();
  await isolated?.drop();
  await bucket?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const bearer = (who: keyof typeof tokens) => ({ Authorization: `Bearer ${tokens[who]}` });

async function bucketKeys(prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const f of files.list(prefix)) keys.push(f.key);
  return keys.sort();
}

/** Files under a web process's own data directory (uploads must not land there). */
function localFiles(dir: string, sub: string): string[] {
  const root = path.join(dir, 'uploads', sub);
  return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(root, f)).isFile()) : [];
}

/** The session cookie of a sign-in through the form on `base`. */
async function signIn(base: string, email: string, password: string): Promise<string> {
  const page = await request(base).get('/login').expect(200);
  const res = await request(base).post('/login').set('Cookie', cookieOf(page.headers)).type('form').send({ _csrf: csrfFrom(page.text), email, password }).expect(303);
  return cookieOf(res.headers);
}
const cookieOf = (h: Record<string, unknown>) => ((h['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]).join('; ');

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 240_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nworker:\n${worker.output().slice(-3000)}`);
    if (!worker.alive()) throw new Error(`the worker exited while waiting for ${what}:\n${worker.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const versionRow = (slug: string, n: number) =>
  svc.db('versions').join('datasets', 'datasets.id', 'versions.dataset_id').where({ 'datasets.slug': slug, 'versions.number': n }).first('versions.*');

function csv(rows: number): Buffer {
  let s = 'kode_kabupaten_kota;nama_kabupaten_kota;indikator;nilai;tahun\n';
  for (let i = 0; i < rows; i++) s += `1801;LAMPUNG BARAT;Indikator ${i % 7};${(i * 1.37).toFixed(2).replace('.', ',')};${2000 + (i % 25)}\n`;
  return Buffer.from(s);
}

describe('two web processes and a worker on one database and one bucket', () => {
  it('a session made on one web process works on the other', async () => {
    const cookie = await signIn(a.base, w.producer.email, w.producer.password);
    expect(cookie).toMatch(/=/);
    const onA = await request(a.base).get('/dashboard').set('Cookie', cookie).expect(200);
    const onB = await request(b.base).get('/dashboard').set('Cookie', cookie).expect(200);
    for (const page of [onA, onB]) expect(page.text).toContain(w.producer.actor.name);
    expect((await request(b.base).get('/dashboard').expect(302)).headers.location).toMatch(/^\/login/);
    // Signing out on B ends the session on A too.
    await request(b.base).post('/logout').set('Cookie', cookie).type('form').send({ _csrf: csrfFrom(onB.text) }).expect(303);
    expect((await request(a.base).get('/dashboard').set('Cookie', cookie).expect(302)).headers.location).toMatch(/^\/login/);
  });

  it('an upload through one web process is loaded by the worker and downloaded through the other', async () => {
    const ds = await makeDataset(svc, w.producer, w.opd.slug);
    const body = csv(3000);
    const up = await request(a.base).post(`/api/v1/datasets/${ds.slug}/versions`).set(bearer('producer')).attach('file', body, 'besar.csv').expect(202);
    expect(up.body.data.state).toBe('processing');
    const sha = crypto.createHash('sha256').update(body).digest('hex');
    // The bytes are in the bucket, not on A's disk.
    expect(await bucketKeys('raw/')).toContain(`raw/${sha.slice(0, 2)}/${sha}`);
    expect(await bucketKeys('incoming/')).toEqual([]);
    expect(localFiles(dirOf.get(a)!, 'raw')).toEqual([]);
    expect(localFiles(dirOf.get(a)!, 'incoming')).toEqual([]);

    const loaded = await until('the worker to load the upload', async () => {
      const v = await versionRow(ds.slug, 1);
      return v.state !== 'processing' ? v : null;
    });
    expect({ state: loaded.state, rows: Number(loaded.row_count), errors: loaded.report.errors }).toEqual({ state: 'draft', rows: 3000, errors: [] });
    // The worker's copy for the loader is gone once loaded.
    expect(localFiles(dirOf.get(worker)!, 'cache')).toEqual([]);

    const raw = await request(b.base).get(`/dataset/${ds.slug}/versions/1/raw`).set(bearer('producer')).buffer(true).parse(binaryParser).expect(200);
    expect(Buffer.compare(raw.body as Buffer, body)).toBe(0);
    expect(raw.headers['content-disposition']).toContain('besar.csv');
    // Not to the public while a draft.
    await request(b.base).get(`/dataset/${ds.slug}/versions/1/raw`).expect(404);

    // Submitted on A, approved on B: then anyone reads its CSV through either.
    await request(a.base).post(`/api/v1/datasets/${ds.slug}/versions/1/submit`).set(bearer('producer')).expect(200);
    const review = await request(b.base).post(`/api/v1/datasets/${ds.slug}/versions/1/review`).set(bearer('walidata')).send({ decision: 'approve' }).expect(200);
    expect(review.body.data.state).toBe('published');
    const out = await request(b.base).get(`/dataset/${ds.slug}/download.csv`).buffer(true).expect(200);
    const lines = out.text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(3001);
    expect(lines[1]).toContain('LAMPUNG BARAT');
    const rawPublic = await request(a.base).get(`/dataset/${ds.slug}/versions/1/raw`).buffer(true).parse(binaryParser).expect(200);
    expect(Buffer.compare(rawPublic.body as Buffer, body)).toBe(0);
    // A client's copy is still good: 304, with no read of the bucket needed.
    await request(b.base).get(`/dataset/${ds.slug}/versions/1/raw`).set('If-None-Match', rawPublic.headers.etag).expect(304);
  });

  it('keeps nothing in the bucket of uploads refused for their caller or their CSRF token', async () => {
    const ds = await makeDataset(svc, w.producer, w.opd.slug);
    const file = Buffer.from(`${SMALL_CSV}1802,TANGGAMUS,${Date.now()},2025\n`);
    const before = await bucketKeys();
    await request(a.base).post(`/api/v1/datasets/${ds.slug}/versions`).attach('file', file, 'a.csv').expect(401);
    await request(b.base).post(`/api/v1/datasets/${ds.slug}/versions`).set(bearer('otherProducer')).attach('file', file, 'a.csv').expect(404);
    const agent = await signedIn(b.base, w.producer.email, w.producer.password);
    await agent.post(`/dashboard/datasets/${ds.slug}/versions`).attach('file', file, 'a.csv').expect(403);
    await agent.post(`/dashboard/datasets/${ds.slug}/versions`).field('_csrf', 'salah').attach('file', file, 'a.csv').expect(403);
    // Refused by the action after the file was received (bad options): discarded from the bucket.
    await request(a.base).post(`/api/v1/datasets/${ds.slug}/versions`).set(bearer('producer')).field('encoding', 'ebcdic').attach('file', file, 'a.csv').expect(400);
    expect(await bucketKeys()).toEqual(before);
    expect(await svc.db('versions').where({ dataset_id: ds.id }).pluck('id')).toEqual([]);
  });

  it('counts failed sign-ins on both web processes against one limit', async () => {
    const limit = 20; // SIGN_IN_ATTEMPTS at its default
    const codes: number[] = [];
    for (let i = 0; i < limit + 1; i++) {
      // Alternating between the processes, each failure with an e-mail of its own (an account's own lockout is another limit).
      const p = i % 2 === 0 ? a : b;
      const agent = request.agent(p.base);
      const csrf = csrfFrom((await agent.get('/login').expect(200)).text);
      codes.push((await agent.post('/login').type('form').send({ _csrf: csrf, email: `coba-${uid()}@uji.id`, password: 'salah-sekali-12' })).status);
    }
    expect(codes).toEqual([...Array(limit).fill(401), 429]);
    // The right password is refused on either, until the window has passed.
    for (const p of [a, b]) {
      const agent = request.agent(p.base);
      const csrf = csrfFrom((await agent.get('/login').expect(200)).text);
      expect((await agent.post('/login').type('form').send({ _csrf: csrf, email: w.producer.email, password: w.producer.password })).status).toBe(429);
    }
  });

  it('finishes a load when the web process that took its upload is killed mid-load, and the other serves it', async () => {
    const ds = await makeDataset(svc, w.producer, w.opd.slug);
    const body = csv(20_000);
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
    try {
      await request(a.base).post(`/api/v1/datasets/${ds.slug}/versions`).set(bearer('producer')).attach('file', body, 'dua-puluh-ribu.csv').expect(202);
      // The worker's COPY has taken rows and waits: A dies now, as in a power cut.
      await until('the worker to be loading rows', async () => (await svc.db.raw(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ? AND NOT granted`, [HOLD])).rows[0].n > 0);
      await a.stop('SIGKILL');
      expect(a.alive()).toBe(false);
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);
    }
    const done = await until('the load to finish', async () => {
      const v = await versionRow(ds.slug, 1);
      return v.state !== 'processing' ? v : null;
    });
    expect({ state: done.state, rows: Number(done.row_count), attempt: done.load_attempt }).toEqual({ state: 'draft', rows: 20_000, attempt: 1 });
    const rows = await request(b.base).get(`/api/v1/datasets/${ds.slug}/versions/1/rows?limit=2`).set(bearer('producer')).expect(200);
    expect(rows.body.meta.total).toBe(20_000);
    const raw = await request(b.base).get(`/dataset/${ds.slug}/versions/1/raw`).set(bearer('producer')).buffer(true).parse(binaryParser).expect(200);
    expect(Buffer.compare(raw.body as Buffer, body)).toBe(0);
    expect(b.alive() && worker.alive()).toBe(true);
  });
});

function binaryParser(res: request.Response, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}
