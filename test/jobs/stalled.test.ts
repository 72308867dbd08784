import { perform } from '../../server/actions/action';
import { uploadVersion } from '../../server/actions/versions';
import { recoverStalledLoads, MAX_ATTEMPTS } from '../../server/jobs/load-version';
import type { Jobs } from '../../server/services';
import { makeDataset, makeWorld, SMALL_CSV, type World } from '../support/factories';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';
import { Readable } from 'node:stream';

let svc: TestServices;
let w: World;
const queued: number[] = [];
const recording: Jobs = { enqueueLoad: async (id) => void queued.push(id), schedulePublication: async () => undefined };

let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;

// The sweep looks at every load in its database: this test gets a database of its own.
beforeAll(async () => {
  isolated = await isolatedDatabase();
  svc = testServices({ url: isolated.url, jobs: recording, env: { INLINE_LOAD_MAX_MB: '0', LOAD_STALL_SECONDS: '1' } });
  w = await makeWorld(svc);
});
afterAll(async () => {
  await svc.close();
  await isolated.drop();
});

/** A version whose worker died during attempt `attempt` (claimed, heartbeat long stale). */
async function diedDuring(attempt: number) {
  const ds = await makeDataset(svc, w.producer, w.opd.slug);
  const stored = await svc.storage.store(Readable.from([Buffer.from(SMALL_CSV)]));
  const v = await perform(uploadVersion, w.producer.actor, { slug: ds.slug, file: { ...stored, filename: 'data.csv' } }, svc);
  await svc.db('versions').where({ id: v.id }).update({ load_attempt: attempt, heartbeat_at: svc.db.raw("now() - interval '1 hour'") });
  return v.id;
}

describe('loads whose worker died', () => {
  it('queues the first interrupted attempt once more', async () => {
    const id = await diedDuring(1);
    queued.length = 0;
    await recoverStalledLoads(svc);
    expect(queued).toContain(id);
    expect((await svc.db('versions').where({ id }).first()).state).toBe('processing');
  });

  it('ends a load failed, never queued again, once its retry died too', async () => {
    expect(MAX_ATTEMPTS).toBe(2);
    const id = await diedDuring(MAX_ATTEMPTS);
    queued.length = 0;
    await recoverStalledLoads(svc);
    expect(queued).not.toContain(id);
    const v = await svc.db('versions').where({ id }).first();
    expect(v.state).toBe('failed');
    expect(v.report.errors[0]).toMatchObject({ code: 'load_interrupted', message: expect.stringContaining('2 kali') });
  });
});
