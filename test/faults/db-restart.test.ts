import pg from 'pg';
import request from 'supertest';
import { makeDataset, makeWorld, publishedDataset, type World } from '../support/factories';
import { signedIn, tokenFor } from '../support/http';
import { ownCluster, startPortal, type OwnCluster, type PortalProcess } from '../support/own-cluster';
import { testServices, type TestServices } from '../support/services';
import { holdFirstAttempts } from '../support/hold-load';

// Issue 7, "Faults": PostgreSQL is stopped while the portal serves (on a cluster of this test's
// own, never the machine's): requests fail cleanly with 503 (a page or JSON, in Bahasa Indonesia
// and English) during the outage, /healthz says so, and the same process recovers once the
// database is back; a load in flight when it went away ends as a draft or `failed` with a reason.

jest.setTimeout(300_000);

let cl: OwnCluster;
let svc: TestServices;
let w: World;
let web: PortalProcess;
let owner: pg.Client;
/** The advisory lock the load's COPY waits for, part-way through: the outage comes mid-load. */
const HOLD = 840_777;

beforeAll(async () => {
  cl = await ownCluster();
  svc = testServices({ url: cl.appUrl });
  // This test's own connections see the outage too: dropped, not thrown.
  svc.sessionPool.on('error', () => undefined);
  w = await makeWorld(svc);
  owner = await ownerClient();
  // The first attempt's table of any version gets a row trigger that waits for HOLD at row 2000.
  await holdFirstAttempts((sql) => owner.query(sql), HOLD, 2000);
  web = await startPortal('web', { DATABASE_URL: cl.appUrl, DATA_DIR: svc.dataDir, INLINE_LOAD_MAX_MB: '0', LOAD_STALL_SECONDS: '2' });
});

afterAll(async () => {
  await web?.stop();
  await owner?.end().catch(() => undefined);
  await svc?.close().catch(() => undefined);
  await cl?.destroy();
});

async function ownerClient(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: cl.ownerUrl });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

function csv(rows: number): Buffer {
  let s = 'no;kategori;nilai;tahun\n';
  for (let i = 1; i <= rows; i++) s += `${i};Kategori ${i % 9};${(i * 1.5).toFixed(1).replace('.', ',')};${2000 + (i % 25)}\n`;
  return Buffer.from(s);
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${String(last)})\nportal output:\n${web.output().slice(-4000)}`);
}

/** Requests sent without pause from the start to the end of the test, with what they got. */
function traffic(base: string, paths: string[]) {
  const seen: Array<{ at: number; end: number; path: string; status: number | 'network' }> = [];
  let running = true;
  const loops = paths.map(async (p) => {
    while (running) {
      const at = Date.now();
      try {
        const r = await fetch(base + p, { signal: AbortSignal.timeout(15_000) });
        await r.arrayBuffer();
        seen.push({ at, end: Date.now(), path: p, status: r.status });
      } catch {
        seen.push({ at, end: Date.now(), path: p, status: 'network' });
      }
    }
  });
  return {
    seen,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('PostgreSQL stopped and started again while the portal serves', () => {
  it('answers 503 during the outage, recovers without a restart, and the load in flight ends', () =>
    withOutput(async () => {
    const { ds } = await publishedDataset(svc, w);
    const paths = ['/', '/dataset', `/dataset/${ds.slug}`, '/api/v1/datasets', `/api/v1/datasets/${ds.slug}/rows`, '/healthz'];
    const browser = await signedIn(web.base, w.producer.email, w.producer.password);
    await browser.get('/dashboard').expect(200);
    const token = await tokenFor(web.base, w.producer.email, w.producer.password);

    // A load through the queue, held mid-COPY.
    await owner.query('SELECT pg_advisory_lock($1)', [HOLD]);
    const other = await makeDataset(svc, w.producer, w.opd.slug);
    await request(web.base).post(`/api/v1/datasets/${other.slug}/versions`).set('Authorization', `Bearer ${token}`).attach('file', csv(20_000), 'besar.csv').expect(202);
    await until('the load to be copying rows', async () =>
      (await owner.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`, [HOLD])).rows[0].n > 0,
    );

    const load = traffic(web.base, paths);
    await new Promise((r) => setTimeout(r, 1000));
    const pid = web.child.pid;

    // The outage: a fast shutdown cuts every connection, the load's among them.
    const down = Date.now();
    await cl.stop();
    await owner.end().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));

    const page = await request(web.base).get('/dataset').set('Accept', 'text/html');
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['retry-after']).toBe('5');
    expect(page.text).toContain('Basis data sedang tidak dapat dihubungi');
    expect(page.text).toContain('The database cannot be reached right now');
    expect(page.text).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/); // no internals
    const api = await request(web.base).get('/api/v1/datasets');
    expect(api.status).toBe(503);
    expect(api.body).toEqual({ error: { code: 'database_unavailable', message: expect.stringContaining('Basis data') } });
    const apiEn = await request(web.base).get('/api/v1/datasets').set('Accept-Language', 'en');
    expect(apiEn.status).toBe(503);
    const health = await request(web.base).get('/healthz');
    expect(health.status).toBe(503);
    expect(health.body.status).not.toBe('ok');
    const signed = await browser.get('/dashboard');
    expect(signed.status).toBe(503); // not a sign-in page: the session is not lost, only out of reach

    await new Promise((r) => setTimeout(r, 3000));
    const restarting = Date.now();
    await cl.start();
    const back = Date.now();
    await until('/healthz to be healthy again', async () => (await fetch(`${web.base}/healthz`)).status === 200, 60_000);
    const healthyAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    await load.stop();

    // The same process, never restarted, serves again; the session made before the outage holds.
    expect(web.alive()).toBe(true);
    expect(web.child.pid).toBe(pid);
    for (const p of paths) expect({ p, status: (await fetch(web.base + p)).status }).toEqual({ p, status: 200 });
    await browser.get('/dashboard').expect(200);

    // What the readers saw: 200 before and after, 503 during, never a 500 or a dropped connection.
    const statuses = new Map<string, number>();
    for (const s of load.seen) statuses.set(String(s.status), (statuses.get(String(s.status)) ?? 0) + 1);
    const during = load.seen.filter((s) => s.at > down + 200 && s.end < restarting);
    expect(during.length).toBeGreaterThan(10);
    expect(new Set(during.map((s) => s.status))).toEqual(new Set([503]));
    expect(load.seen.filter((s) => s.status !== 200 && s.status !== 503)).toEqual([]);
    expect(load.seen.filter((s) => s.at > healthyAt + 500 && s.status !== 200)).toEqual([]);

    // The load cut by the outage is picked up again and finishes (or fails with a reason).
    owner = await ownerClient();
    const v = await until('the interrupted load to end', async () => {
      const r = await owner.query(
        `SELECT v.state, v.row_count, v.load_attempt, v.report FROM versions v JOIN datasets d ON d.id = v.dataset_id WHERE d.slug = $1 AND v.number = 1`,
        [other.slug],
      );
      return r.rows[0].state !== 'processing' ? r.rows[0] : null;
    });
    if (v.state === 'failed') expect(v.report.errors[0].code).toEqual(expect.any(String));
    else expect({ state: v.state, rows: v.row_count, errors: v.report.errors }).toEqual({ state: 'draft', rows: 20_000, errors: [] });
    process.stdout.write(
      `db-restart: ${load.seen.length} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}; outage ${restarting - down} ms (restart took ${back - restarting} ms); ` +
        `healthy ${healthyAt - back} ms after the restart; load ended ${v.state} at attempt ${v.load_attempt}\n`,
    );
    }));
});

/** A failure says what the portal process printed. */
async function withOutput(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const e = err as Error;
    throw new Error(`${e.message}\n${e.stack}\n--- portal output (alive: ${web.alive()}, postgres port ${cl.port}):\n${web.output().slice(-5000)}`);
  }
}
