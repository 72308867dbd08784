import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import request from 'supertest';
import { createApp } from '../../server/app';
import { perform } from '../../server/actions/action';
import { uploadVersion } from '../../server/actions/versions';
import { JobQueue } from '../../server/jobs/queue';
import { makeDataset, makeWorld, type World } from '../support/factories';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';
import { holdFirstAttempts } from '../support/hold-load';

let svc: TestServices;
let queue: JobQueue;
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let w: World;
let holder: pg.Client;
const ROWS = 100_000;
/**
 * The stall window of this test's services and workers: well above the 1 s heartbeat, so a
 * heartbeat that a busy machine delays by a second or two is not taken for a dead worker (which
 * would end the retry `failed`); a killed worker's load is still picked up within seconds.
 */
const STALL_SECONDS = '5';
/** The advisory lock the first attempt's COPY waits for, once it has taken some rows. */
const HOLD = 840_001;

beforeAll(async () => {
  isolated = await isolatedDatabase();
  queue = await JobQueue.start(isolated.url);
  // Everything goes through the queue; this process only enqueues (no worker here).
  svc = testServices({ url: isolated.url, jobs: queue, env: { INLINE_LOAD_MAX_MB: '0', LOAD_STALL_SECONDS: STALL_SECONDS } });
  w = await makeWorld(svc);
  // In this database of its own: every first-attempt table of a version gets a row trigger that
  // makes its load wait, part-way through its COPY, for a lock this test holds. The crash below
  // then happens mid-load however fast or slow the machine is.
  await holdFirstAttempts((sql) => svc.db.raw(sql), HOLD, 5000);
  holder = new pg.Client({ connectionString: isolated.url });
  await holder.connect();
});
afterAll(async () => {
  await holder?.end();
  await queue.stop();
  await svc.close();
  await isolated.drop();
});

interface Worker {
  child: ChildProcess;
  output: () => string;
}

/** A worker process on the test database and this test's storage, like `npm run worker`; its output is kept. */
function startWorker(): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../server/worker-main.ts')], {
    env: { ...process.env, DATABASE_URL: isolated.url, DATA_DIR: svc.dataDir, LOAD_STALL_SECONDS: STALL_SECONDS, LOG_LEVEL: 'info', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out.slice(-6000) };
}

/** Before it has claimed the load, a worker may take this long to start (tsx compiles it on a busy machine). */
const START_MS = 240_000;
/** Once it loads, a worker that beats no heartbeat for this long is stuck, however slow the machine. */
const IDLE_MS = 45_000;

/**
 * Waits for `fn` while the worker works: no fixed deadline, which a slow machine would miss, but
 * a failure as soon as the worker has exited, has not claimed the version within START_MS, or has
 * beaten no heartbeat for IDLE_MS — a stuck load, not a slow one. The message shows the version.
 */
async function whileWorking<T>(what: string, versionId: number, worker: Worker, fn: () => Promise<T | undefined | null | false>): Promise<T> {
  const started = Date.now();
  const row = () => svc.db('versions').where({ id: versionId }).first('state', 'load_attempt', 'heartbeat_at', 'progress');
  const claimedAt = (await row()).load_attempt;
  let beat: string | null = null;
  let beatSeen = Date.now();
  const fail = async (why: string) => new Error(`${why} while waiting for ${what}: ${JSON.stringify(await row())}\nworker output:\n${worker.output()}`);
  for (;;) {
    const v = await fn();
    if (v) return v;
    const r = await row();
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) throw await fail('the worker exited');
    const heartbeat = r.heartbeat_at ? new Date(r.heartbeat_at).toISOString() : null;
    if (heartbeat !== beat) [beat, beatSeen] = [heartbeat, Date.now()];
    if (r.load_attempt === claimedAt && Date.now() - started > START_MS) throw await fail(`no claim in ${START_MS / 1000} s`);
    if (r.load_attempt !== claimedAt && Date.now() - beatSeen > IDLE_MS) throw await fail(`no heartbeat for ${IDLE_MS / 1000} s`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

function bigCsv(rows: number): Readable {
  return Readable.from(
    (function* () {
      // Semicolons and Indonesian decimals: the validating path.
      yield 'kode_kabupaten_kota;nama_kabupaten_kota;indikator;nilai;tahun\n';
      for (let i = 0; i < rows; i += 1000) {
        let chunk = '';
        for (let j = i; j < Math.min(rows, i + 1000); j++) chunk += `1801;LAMPUNG BARAT;Indikator ${j % 7};${(j * 1.37).toFixed(2).replace('.', ',')};${2000 + (j % 25)}\n`;
        yield chunk;
      }
    })(),
  );
}

const tableExists = async (name: string) =>
  (await svc.db.raw('SELECT to_regclass(?) AS t', [`datastore.${name}`])).rows[0].t !== null;

/** The backend of a worker waiting for the hold lock: the first attempt is stopped mid-COPY. */
const waitingForHold = async () =>
  (await svc.db.raw(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ? AND NOT granted`, [HOLD])).rows[0].n > 0;

describe('a load interrupted by a crash', () => {
  // Bounded by the workers' progress (see whileWorking), not by how fast this machine is today.
  jest.setTimeout(900_000);
  it('leaves nothing visible, and finishes once a worker is back', async () => {
    const ds = await makeDataset(svc, w.producer, w.opd.slug);
    const stored = await svc.storage.store(bigCsv(ROWS));
    const v = await perform(uploadVersion, w.producer.actor, { slug: ds.slug, file: { ...stored, filename: 'besar.csv' } }, svc);
    expect((await svc.db('versions').where({ id: v.id }).first()).state).toBe('processing');

    // A worker takes the job; it is killed (as in a power cut) while its COPY has taken rows.
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
    const first = startWorker();
    await whileWorking('the first attempt to be loading rows', v.id, first, waitingForHold);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    // Its backend, left waiting, goes on to find its client gone and rolls back.
    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);

    const app = createApp(svc);
    const api = await request(app).get(`/api/v1/datasets/${ds.slug}/versions/1`).expect(404); // public: nothing
    expect(api.body.error.code).toBe('not_found');
    const stuck = await svc.db('versions').where({ id: v.id }).first();
    expect(stuck.state).toBe('processing');
    expect(stuck.table_name).toBeNull();
    // The killed COPY's transaction died with its connection: no half-loaded table.
    expect(await tableExists(`v${v.id}_1`)).toBe(false);

    // A restarted worker notices the stalled load, picks it up again and finishes it.
    const second = startWorker();
    try {
      const done = await whileWorking('the load to finish', v.id, second, async () => {
        const row = await svc.db('versions').where({ id: v.id }).first();
        return row.state !== 'processing' ? row : null;
      });
      expect({ state: done.state, errors: done.report.errors }).toEqual({ state: 'draft', errors: [] });
      expect(Number(done.row_count)).toBe(ROWS);
      expect(done.load_attempt).toBe(2);
      expect(done.table_name).toBe(`v${v.id}_2`);
      expect(await tableExists(`v${v.id}_1`)).toBe(false);
      const events = await svc.db('audit_events').where({ version_id: v.id }).pluck('action');
      expect(events).toEqual(['version.upload', 'version.loaded']);
      // The retry of a load whose process died is not made as-is: it ran in a capped thread.
      const loaded = await svc.db('audit_events').where({ version_id: v.id, action: 'version.loaded' }).first();
      expect(loaded.details).toMatchObject({ attempt: 2, isolated: true });
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  });
});
