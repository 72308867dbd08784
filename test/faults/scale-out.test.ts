import crypto from 'node:crypto';
import request from 'supertest';
import { makeDataset, publishedDataset, SMALL_CSV, uid } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import type { PortalProcess } from '../support/own-cluster';
import { binaryParser, localFiles, scaleCsv, scaleOut, type ScaleOut } from '../support/scale-out';

// Issue 7, "Scale-out" (SPEC §6): two web processes and one worker on one PostgreSQL, the stored
// files in an S3-compatible bucket (s3rver here) and nothing shared on disk (each process has a
// DATA_DIR of its own). A session made on one web process works on the other; an upload through
// one is loaded by the worker and downloaded through the other; the sign-in limit counts across
// both; a load goes on when the web process that took its upload is killed.

jest.setTimeout(600_000);

let s: ScaleOut;
let a: PortalProcess;
let b: PortalProcess;
let worker: PortalProcess;
/** The advisory lock the worker's COPY waits for, part-way through: web process A is killed meanwhile. */
const HOLD = 840_913;

beforeAll(async () => {
  // The first attempt's table of a version waits at row 5000 for a lock this test holds.
  s = await scaleOut({ hold: HOLD, holdRow: 5000 });
  a = await s.start('web');
  [b, worker] = await Promise.all([s.start('web'), s.start('worker')]);
});

afterAll(() => s?.close());

const bearer = (who: 'producer' | 'otherProducer' | 'walidata') => s.bearer(who);
const bucketKeys = (prefix?: string) => s.bucketKeys(prefix);
const versionRow = (slug: string, n: number) => s.versionRow(slug, n);
const until = <T>(what: string, fn: () => Promise<T | undefined | null | false>) => s.until(what, fn, [worker]);
const csv = (rows: number) => scaleCsv(rows);

/** The session cookie of a sign-in through the form on `base`. */
async function signIn(base: string, email: string, password: string): Promise<string> {
  const page = await request(base).get('/login').expect(200);
  const res = await request(base).post('/login').set('Cookie', cookieOf(page.headers)).type('form').send({ _csrf: csrfFrom(page.text), email, password }).expect(303);
  return cookieOf(res.headers);
}
const cookieOf = (h: Record<string, unknown>) => ((h['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0]).join('; ');

describe('two web processes and a worker on one database and one bucket', () => {
  it('a session made on one web process works on the other', async () => {
    const cookie = await signIn(a.base, s.w.producer.email, s.w.producer.password);
    expect(cookie).toMatch(/=/);
    const onA = await request(a.base).get('/dashboard').set('Cookie', cookie).expect(200);
    const onB = await request(b.base).get('/dashboard').set('Cookie', cookie).expect(200);
    for (const page of [onA, onB]) expect(page.text).toContain(s.w.producer.actor.name);
    expect((await request(b.base).get('/dashboard').expect(302)).headers.location).toMatch(/^\/login/);
    // Signing out on B ends the session on A too.
    await request(b.base).post('/logout').set('Cookie', cookie).type('form').send({ _csrf: csrfFrom(onB.text) }).expect(303);
    expect((await request(a.base).get('/dashboard').set('Cookie', cookie).expect(302)).headers.location).toMatch(/^\/login/);
  });

  it('an upload through one web process is loaded by the worker and downloaded through the other', async () => {
    const ds = await makeDataset(s.svc, s.w.producer, s.w.opd.slug);
    const body = csv(3000);
    const up = await request(a.base).post(`/api/v1/datasets/${ds.slug}/versions`).set(bearer('producer')).attach('file', body, 'besar.csv').expect(202);
    expect(up.body.data.state).toBe('processing');
    const sha = crypto.createHash('sha256').update(body).digest('hex');
    // The bytes are in the bucket, not on A's disk.
    expect(await bucketKeys('raw/')).toContain(`raw/${sha.slice(0, 2)}/${sha}`);
    expect(await bucketKeys('incoming/')).toEqual([]);
    expect(localFiles(s.dirOf.get(a)!, 'raw')).toEqual([]);
    expect(localFiles(s.dirOf.get(a)!, 'incoming')).toEqual([]);

    const loaded = await until('the worker to load the upload', async () => {
      const v = await versionRow(ds.slug, 1);
      return v.state !== 'processing' ? v : null;
    });
    expect({ state: loaded.state, rows: Number(loaded.row_count), errors: loaded.report?.errors }).toEqual({ state: 'draft', rows: 3000, errors: [] });
    // The worker's copy for the loader goes once the load is done (after the draft is out, its
    // indexes are built, and only then is the copy released).
    await until('the worker to remove its copy of the file', async () => localFiles(s.dirOf.get(worker)!, 'cache').length === 0);

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

  it('a page shared by readers on one web process shows a change made through the other at once', async () => {
    const { ds } = await publishedDataset(s.svc, s.w);
    for (let i = 0; i < 2; i++) expect((await request(a.base).get(`/dataset/${ds.slug}`).expect(200)).text).toContain(ds.title);
    await request(b.base).patch(`/api/v1/datasets/${ds.slug}`).set(bearer('producer')).send({ title: 'Judul Diubah Lewat Proses Lain' }).expect(200);
    expect((await request(a.base).get(`/dataset/${ds.slug}`).expect(200)).text).toContain('Judul Diubah Lewat Proses Lain');
  });

  it('keeps nothing in the bucket of uploads refused for their caller or their CSRF token', async () => {
    const ds = await makeDataset(s.svc, s.w.producer, s.w.opd.slug);
    const file = Buffer.from(`${SMALL_CSV}1802,TANGGAMUS,${Date.now()},2025\n`);
    const before = await bucketKeys();
    await request(a.base).post(`/api/v1/datasets/${ds.slug}/versions`).attach('file', file, 'a.csv').expect(401);
    await request(b.base).post(`/api/v1/datasets/${ds.slug}/versions`).set(bearer('otherProducer')).attach('file', file, 'a.csv').expect(404);
    const agent = await signedIn(b.base, s.w.producer.email, s.w.producer.password);
    await agent.post(`/dashboard/datasets/${ds.slug}/versions`).attach('file', file, 'a.csv').expect(403);
    await agent.post(`/dashboard/datasets/${ds.slug}/versions`).field('_csrf', 'salah').attach('file', file, 'a.csv').expect(403);
    // Refused by the action after the file was received (bad options): discarded from the bucket.
    await request(a.base).post(`/api/v1/datasets/${ds.slug}/versions`).set(bearer('producer')).field('encoding', 'ebcdic').attach('file', file, 'a.csv').expect(400);
    expect(await bucketKeys()).toEqual(before);
    expect(await s.svc.db('versions').where({ dataset_id: ds.id }).pluck('id')).toEqual([]);
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
      expect((await agent.post('/login').type('form').send({ _csrf: csrf, email: s.w.producer.email, password: s.w.producer.password })).status).toBe(429);
    }
  });

  it('finishes a load when the web process that took its upload is killed mid-load, and the other serves it', async () => {
    const ds = await makeDataset(s.svc, s.w.producer, s.w.opd.slug);
    const body = csv(20_000);
    await s.holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
    try {
      await request(a.base).post(`/api/v1/datasets/${ds.slug}/versions`).set(bearer('producer')).attach('file', body, 'dua-puluh-ribu.csv').expect(202);
      // The worker's COPY has taken rows and waits: A dies now, as in a power cut.
      await until('the worker to be loading rows', async () => (await s.svc.db.raw(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ? AND NOT granted`, [HOLD])).rows[0].n > 0);
      await a.stop('SIGKILL');
      expect(a.alive()).toBe(false);
    } finally {
      await s.holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);
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
