import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { perform } from '../../server/actions/action';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { JobQueue } from '../../server/jobs/queue';
import { publishDue } from '../../server/jobs/releases';
import { makeDataset, makeWorld, SMALL_CSV, uploadContent, type World } from '../support/factories';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';

let svc: TestServices;
let queue: JobQueue;
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let w: World;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  isolated = await isolatedDatabase();
  queue = await JobQueue.start(isolated.url);
  // This process approves and enqueues; it works no queue itself.
  svc = testServices({ url: isolated.url, jobs: queue });
  w = await makeWorld(svc);
});
afterAll(async () => {
  for (const p of workers) if (p.exitCode === null) p.kill('SIGTERM');
  await Promise.all(workers.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : null)));
  await queue.stop();
  await svc.close();
  await isolated.drop();
});

/** A worker process like `npm run worker`, sweeping for due releases every second. */
function startWorker(): ChildProcess {
  const p = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../server/worker-main.ts')], {
    env: { ...process.env, DATABASE_URL: isolated.url, DATA_DIR: svc.dataDir, RELEASE_SWEEP_SECONDS: '1', LOG_LEVEL: 'silent', NODE_ENV: 'test' },
    stdio: 'ignore',
  });
  workers.push(p);
  return p;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('scheduled releases with two worker processes', () => {
  jest.setTimeout(150_000);
  it('publishes each version exactly once at its time, with one audit event written as the system', async () => {
    const submitted: Array<{ slug: string; number: number; id: number }> = [];
    for (let i = 0; i < 3; i++) {
      const ds = await makeDataset(svc, w.producer, w.opd.slug);
      const v = await uploadContent(svc, w.producer.actor, ds.slug, SMALL_CSV);
      await perform(submitVersion, w.producer.actor, { slug: ds.slug, number: v.number }, svc);
      submitted.push({ slug: ds.slug, number: v.number, id: v.id });
    }
    // The time is set once the slow part is done, with room for three approvals on a busy
    // machine: an approval after its publish_at would publish at once, not as a scheduled release.
    const at = new Date(Date.now() + 10_000);
    for (const v of submitted) {
      await perform(reviewVersion, w.walidata.actor, { slug: v.slug, number: v.number, decision: 'approve', publish_at: at.toISOString() }, svc);
    }
    const versions = submitted.map((v) => v.id);
    expect(Date.now()).toBeLessThan(at.getTime()); // else the approvals took longer than the room given
    expect(await svc.db('versions').whereIn('id', versions).pluck('state')).toEqual(['scheduled', 'scheduled', 'scheduled']);
    // Both workers get the queue's jobs and sweep every second, so they race for every
    // publication; this process only watches.
    startWorker();
    startWorker();
    await until('every version to be published', async () => {
      const states = await svc.db('versions').whereIn('id', versions).pluck('state');
      return states.every((s) => s === 'published');
    });
    for (const id of versions) {
      const events = await svc.db('audit_events').where({ version_id: id, action: 'version.publish_scheduled' });
      expect(events).toHaveLength(1);
      expect(events[0].actor_label).toBe('sistem:jadwal-rilis');
      const v = await svc.db('versions').where({ id }).first();
      expect(new Date(v.published_at).getTime()).toBeGreaterThanOrEqual(at.getTime());
      expect(await svc.db('notifications').where({ version_id: id, kind: 'released', user_id: w.producer.actor.id })).toHaveLength(1);
    }
    expect(workers.every((p) => p.exitCode === null)).toBe(true);
    // Nothing is left for a late sweep to publish a second time.
    expect(await publishDue(svc)).toBe(0);
  });
});
