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

/**
 * A worker process like `npm run worker`, sweeping for due releases every second; resolves once
 * it says it is ready (its queue worked, its first sweep done).
 */
function startWorker(): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../server/worker-main.ts')], {
    env: { ...process.env, DATABASE_URL: isolated.url, DATA_DIR: svc.dataDir, RELEASE_SWEEP_SECONDS: '1', LOG_LEVEL: 'info', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  workers.push(p);
  return new Promise((resolve, reject) => {
    let out = '';
    p.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"msg":"worker ready"')) resolve(p);
    });
    p.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${out.slice(-2000)}`)));
  });
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
    // Both workers are up before anything is due: each works the queue's jobs and sweeps every
    // second, so they race for every publication; this process only schedules and watches.
    await Promise.all([startWorker(), startWorker()]);
    const versions: Array<{ id: number; slug: string; number: number }> = [];
    for (let i = 0; i < 3; i++) {
      const ds = await makeDataset(svc, w.producer, w.opd.slug);
      const v = await uploadContent(svc, w.producer.actor, ds.slug, SMALL_CSV);
      await perform(submitVersion, w.producer.actor, { slug: ds.slug, number: v.number }, svc);
      versions.push({ id: v.id, slug: ds.slug, number: v.number });
    }
    // Far enough ahead for the approvals to be done first on a busy machine, near enough to wait for.
    const at = new Date(Date.now() + 12_000);
    for (const v of versions) await perform(reviewVersion, w.walidata.actor, { slug: v.slug, number: v.number, decision: 'approve', publish_at: at.toISOString() }, svc);
    expect(Date.now()).toBeLessThan(at.getTime()); // else the test proves nothing about the time
    expect(await svc.db('versions').whereIn('id', versions.map((v) => v.id)).pluck('state')).toEqual(['scheduled', 'scheduled', 'scheduled']);
    await until('every version to be published', async () => {
      const states = await svc.db('versions').whereIn('id', versions.map((v) => v.id)).pluck('state');
      return states.every((s) => s === 'published');
    });
    // Both keep racing a while longer: a second publication would show now.
    await new Promise((r) => setTimeout(r, 2500));
    for (const { id, slug } of versions) {
      const events = await svc.db('audit_events').where({ version_id: id }).whereIn('action', ['version.publish_scheduled', 'version.publish_now', 'version.review']).orderBy('id');
      expect(events.map((e) => e.action)).toEqual(['version.review', 'version.publish_scheduled']);
      expect(events[1]).toMatchObject({ actor_id: null, actor_label: 'sistem:jadwal-rilis' });
      const v = await svc.db('versions').where({ id }).first();
      expect(new Date(v.published_at).getTime()).toBeGreaterThanOrEqual(at.getTime());
      // Published at its time by a worker that was waiting for it, not by some late catch-up.
      expect(new Date(v.published_at).getTime() - at.getTime()).toBeLessThan(20_000);
      expect((await svc.db('datasets').where({ slug }).first()).current_version_id).toBe(id);
      expect(await svc.db('notifications').where({ version_id: id, kind: 'released', user_id: w.producer.actor.id })).toHaveLength(1);
    }
    expect(workers.every((p) => p.exitCode === null)).toBe(true);
    // Nothing is left for a late sweep to publish a second time.
    expect(await publishDue(svc)).toBe(0);
  });
});
