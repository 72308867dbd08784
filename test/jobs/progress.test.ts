import request from 'supertest';
import { createApp } from '../../server/app';
import { JobQueue } from '../../server/jobs/queue';
import { makeDataset, makeWorld, SMALL_CSV, type World } from '../support/factories';
import { signedIn, tokenFor } from '../support/http';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';

let svc: TestServices;
let queue: JobQueue;
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let w: World;

beforeAll(async () => {
  isolated = await isolatedDatabase();
  queue = await JobQueue.start(isolated.url);
  svc = testServices({ url: isolated.url, jobs: queue, env: { INLINE_LOAD_MAX_MB: '0' } });
  w = await makeWorld(svc);
});
afterAll(async () => {
  await queue.stop();
  await svc.close();
  await isolated.drop();
});

describe('an upload loaded in the background', () => {
  it('answers 202 with progress, shows a progress bar, and ends a draft once a worker runs', async () => {
    const app = createApp(svc);
    const ds = await makeDataset(svc, w.producer, w.opd.slug);
    const auth = { Authorization: `Bearer ${await tokenFor(app, w.producer.email, w.producer.password)}` };
    const up = await request(app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).attach('file', Buffer.from(SMALL_CSV), 'antre.csv').expect(202);
    expect(up.body.data).toMatchObject({ state: 'processing', progress: { phase: 'queued', bytes_done: 0, bytes_total: SMALL_CSV.length, rows: 0 } });

    const producer = await signedIn(app, w.producer.email, w.producer.password);
    const page = await producer.get(`/dashboard/datasets/${ds.slug}/versions/1`).expect(200);
    expect(page.text).toContain(`<progress class="progress" max="100" value="0" data-progress-url="/api/v1/datasets/${ds.slug}/versions/1"`);
    expect(page.text).toContain('Menunggu giliran');
    // The page's script polls the version API with the session cookie.
    expect((await producer.get(`/api/v1/datasets/${ds.slug}/versions/1`).expect(200)).body.data.state).toBe('processing');

    await queue.work(svc);
    const end = Date.now() + 30_000;
    let v = up.body.data;
    while (v.state === 'processing' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      v = (await request(app).get(`/api/v1/datasets/${ds.slug}/versions/1`).set(auth)).body.data;
    }
    expect(v).toMatchObject({ state: 'draft', row_count: 2, progress: null });
    expect((await producer.get(`/dashboard/datasets/${ds.slug}/versions/1`)).text).not.toContain('<progress');
  });
});
