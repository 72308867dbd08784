import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { createHarvestSource } from '../../server/actions/harvest';
import { harvestDueSources, runHarvest } from '../../server/exchange/harvest';
import { SMALL_CSV, uid } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { testWorld } from '../support/world';

// The walidata's page of harvest sources: each portal with its last runs, and "harvest now"
// (a form with its CSRF token, through the same action as the API).

const t = testWorld({ env: { FETCH_ALLOW_HOSTS: '127.0.0.1' } });
let server: http.Server;
let base = '';
const title = `Jumlah Penduduk Kecamatan ${uid()}`;
/** When set, the CKAN's package_search answers only once it is released (a harvest caught under way). */
let hold: { arrived: () => void; released: Promise<void> } | null = null;

beforeAll(async () => {
  // The smallest CKAN: one package with one CSV.
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const json = (result: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, result }));
    if (url.pathname === '/api/3/action/package_search') {
      if (hold) {
        const h = hold;
        hold = null;
        h.arrived();
        void h.released.then(() => answerSearch(url, json));
        return;
      }
      return answerSearch(url, json);
    }
    if (url.pathname === '/api/3/action/package_list') return json(['penduduk-kecamatan']);
    if (url.pathname === '/penduduk.csv') return res.writeHead(200, { 'content-type': 'text/csv' }).end(SMALL_CSV);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

function answerSearch(url: URL, json: (result: unknown) => void) {
  const pkg = { id: 'p-1', name: 'penduduk-kecamatan', title, notes: '', metadata_modified: '2024-01-02T03:04:05.000000', state: 'active', private: false, tags: [], extras: [], resources: [{ url: `${base}/penduduk.csv`, format: 'CSV', name: 'Penduduk' }] };
  json({ count: 1, results: url.searchParams.get('start') === '0' ? [pkg] : [] });
}

describe('the harvest sources page', () => {
  it('lists the sources with their runs and harvests one now through a CSRF-guarded form', async () => {
    const name = `Kabupaten Halaman ${uid()}`;
    const source = await perform(createHarvestSource, t.w.walidata.actor, { kind: 'ckan', url: `${base}/api/3/action`, name, review: true }, t.svc);
    const agent = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const manage = await agent.get('/manage').expect(200);
    expect(manage.text).toContain('href="/manage/panen"');
    const page = await agent.get('/manage/panen').expect(200);
    expect(page.text).toContain(name);
    expect(page.text).toContain('melalui antrean walidata');
    expect(page.text).toContain('Belum pernah dipanen.');
    // Without the form's token: refused, nothing run.
    await agent.post(`/manage/panen/${source.id}/run`).type('form').send({}).expect(403);
    expect(await t.svc.db('harvest_runs').where({ source_id: source.id })).toEqual([]);
    await agent.post(`/manage/panen/${source.id}/run`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    const after = await agent.get('/manage/panen').expect(200);
    expect(after.text).toContain(`Panen ${name} selesai: berhasil — 1 baru, 0 diperbarui, 0 ditarik, 0 gagal.`);
    expect(after.text).toContain('baru 1 · diperbarui 0 · tetap 0 · ditarik 0 · gagal 0');
    expect(await t.svc.db('audit_events').where({ action: 'harvest_source.run', target_id: String(source.id), actor_id: t.w.walidata.actor.id }).first('id')).toBeTruthy();
    // The harvested dataset waits in the walidata's queue (this source asks for review).
    const queue = await agent.get('/review').expect(200);
    expect(queue.text).toContain(title);
    // In English too.
    const en = await agent.get('/manage/panen?lang=en').expect(200);
    expect(en.text).toContain('Harvesting kabupaten/kota portals');
    expect(en.text).toContain('new 1 · updated 0 · unchanged 0 · retracted 0 · failed 0');
  });

  it('is the custodian’s: a producer is refused, the public sent to sign in', async () => {
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    await producer.get('/manage/panen').expect(403);
    const res = await request(t.app).get('/manage/panen').expect(302);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it('harvests a due source once however many workers sweep, and never runs one source twice at a time', async () => {
    const source = await perform(createHarvestSource, t.w.walidata.actor, { kind: 'ckan', url: `${base}/api/3/action?due=${uid()}`, name: `Kabupaten Jadwal ${uid()}`, schedule: 'monthly 1 02:00' }, t.svc);
    // Other files' sources are not due (their next run is days ahead); this one is now.
    await t.svc.db('harvest_sources').where({ id: source.id }).update({ next_run_at: t.svc.db.raw("now() - interval '1 minute'") });
    const counts = await Promise.all([harvestDueSources(t.svc), harvestDueSources(t.svc), harvestDueSources(t.svc)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await t.svc.db('harvest_runs').where({ source_id: source.id }).select('trigger', 'result', 'created')).toEqual([{ trigger: 'schedule', result: 'ok', created: 1 }]);
    expect(new Date((await t.svc.db('harvest_sources').where({ id: source.id }).first()).next_run_at).getTime()).toBeGreaterThan(Date.now());
    // A manual run while another is under way (caught asking the remote for its list): it is
    // told one is under way and runs nothing; the first one then finishes.
    let release = () => {};
    const arrived = new Promise<void>((arrive) => {
      hold = { arrived: arrive, released: new Promise<void>((r) => (release = r)) };
    });
    const first = runHarvest(t.svc, source.id, 'manual');
    await arrived;
    const second = await runHarvest(t.svc, source.id, 'manual');
    expect(second.result).toBe('failed');
    expect(second.error).toMatch(/sedang berjalan/);
    release();
    expect((await first).result).toBe('ok');
    expect(await t.svc.db('harvest_runs').where({ source_id: source.id, trigger: 'manual' }).orderBy('id').pluck('result')).toEqual(['ok', 'failed']);
  });
});
