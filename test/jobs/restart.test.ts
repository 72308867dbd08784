import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../server/app';
import { perform } from '../../server/actions/action';
import { uploadVersion } from '../../server/actions/versions';
import { JobQueue } from '../../server/jobs/queue';
import { makeDataset, makeWorld, type World } from '../support/factories';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';

let svc: TestServices;
let queue: JobQueue;
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let w: World;
const ROWS = 400_000;

beforeAll(async () => {
  isolated = await isolatedDatabase();
  queue = await JobQueue.start(isolated.url);
  // Everything goes through the queue; this process only enqueues (no worker here).
  svc = testServices({ url: isolated.url, jobs: queue, env: { INLINE_LOAD_MAX_MB: '0', LOAD_STALL_SECONDS: '2' } });
  w = await makeWorld(svc);
});
afterAll(async () => {
  await queue.stop();
  await svc.close();
  await isolated.drop();
});

/** A worker process on the test database and this test's storage, like `npm run worker`. */
function startWorker(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../server/worker-main.ts')], {
    env: { ...process.env, DATABASE_URL: isolated.url, DATA_DIR: svc.dataDir, LOAD_STALL_SECONDS: '2', LOG_LEVEL: 'silent', NODE_ENV: 'test' },
    stdio: 'ignore',
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await fn())}`);
}

function bigCsv(rows: number): Readable {
  return Readable.from(
    (function* () {
      // Semicolons and Indonesian decimals: the validating path, slow enough to be caught mid-load.
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

describe('a load interrupted by a crash', () => {
  jest.setTimeout(120_000);
  it('leaves nothing visible, and finishes once a worker is back', async () => {
    const ds = await makeDataset(svc, w.producer, w.opd.slug);
    const stored = await svc.storage.store(bigCsv(ROWS));
    const v = await perform(uploadVersion, w.producer.actor, { slug: ds.slug, file: { ...stored, filename: 'besar.csv' } }, svc);
    expect((await svc.db('versions').where({ id: v.id }).first()).state).toBe('processing');

    // A worker takes the job; it is killed (as in a power cut) while rows are loading.
    const first = startWorker();
    await until('rows to be loading', async () => {
      const row = await svc.db('versions').where({ id: v.id }).first();
      if (row.state !== 'processing') throw new Error(`loaded before it could be interrupted: ${row.state}`);
      return row.progress?.phase === 'loading' && row.progress.rows > 0;
    }, 30_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const app = createApp(svc);
    const api = await request(app).get(`/api/v1/datasets/${ds.slug}/versions/1`).expect(404); // public: nothing
    expect(api.body.error.code).toBe('not_found');
    const stuck = await svc.db('versions').where({ id: v.id }).first();
    expect(stuck.state).toBe('processing');
    expect(stuck.table_name).toBeNull();
    // The killed COPY's transaction died with its connection: no half-loaded table.
    await until('the aborted table to vanish', async () => !(await tableExists(`v${v.id}_1`)), 10_000);

    // A restarted worker notices the stalled load, picks it up again and finishes it.
    const second = startWorker();
    try {
      const done = await until('the load to finish', async () => {
        const row = await svc.db('versions').where({ id: v.id }).first();
        return row.state !== 'processing' ? row : null;
      });
      expect(done.state).toBe('draft');
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
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
  });
});
