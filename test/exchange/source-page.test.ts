import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { testWorld } from '../support/world';
import { makeDataset } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';

const t = testWorld({ env: { FETCH_ALLOW_HOSTS: '127.0.0.1' } });

let server: http.Server;
let base = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/api' && req.headers.authorization === 'Token kunci-rahasia-9') {
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hasil: [{ kode: '1801', jumlah: 5 }, { kode: '1802', jumlah: 7 }] }));
    }
    res.writeHead(403).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('the pulled source on the workspace page', () => {
  it('lets the OPD set a JSON API source with a secret header, run it and read the history; the key never shows again', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const agent = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const page = await agent.get(`/dashboard/datasets/${ds.slug}`).expect(200);
    expect(page.text).toContain('Sumber data otomatis');
    expect(page.text).toContain('belum memiliki sumber data otomatis');
    await agent
      .post(`/dashboard/datasets/${ds.slug}/source`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), kind: 'json_api', url: `${base}/api`, schedule: 'weekly senin 06:00', records_path: 'hasil', fields: 'kode_kabupaten_kota = kode\njumlah = jumlah', headers: 'Authorization: Token kunci-rahasia-9', enabled: 'on' })
      .expect(303);
    const saved = await agent.get(`/dashboard/datasets/${ds.slug}`).expect(200);
    expect(saved.text).toContain('Sumber data disimpan.');
    expect(saved.text).toContain('kode_kabupaten_kota &#x3D; kode'); // Handlebars escapes '='
    expect(saved.text).toContain('<code>Authorization</code>');
    expect(saved.text).not.toContain('kunci-rahasia-9');
    await agent.post(`/dashboard/datasets/${ds.slug}/source/run`).type('form').send({ _csrf: csrfFrom(saved.text) }).expect(303);
    const ran = await agent.get(`/dashboard/datasets/${ds.slug}`).expect(200);
    expect(ran.text).toContain('Sumber diambil: versi 1 dibuat.');
    expect(ran.text).toMatch(/versi baru 1/);
    expect(ran.text).not.toContain('kunci-rahasia-9');
    const en = await agent.get(`/dashboard/datasets/${ds.slug}`).set('Cookie', 'lang=en');
    expect(en.status).toBe(200);
  });

  it('shows a bad form line as an error and keeps others out', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const agent = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const page = await agent.get(`/dashboard/datasets/${ds.slug}`).expect(200);
    await agent.post(`/dashboard/datasets/${ds.slug}/source`).type('form').send({ _csrf: csrfFrom(page.text), kind: 'url', url: `${base}/x.csv`, schedule: 'daily', headers: 'tanpa titik dua' }).expect(303);
    const shown = await agent.get(`/dashboard/datasets/${ds.slug}`).expect(200);
    expect(shown.text).toContain('tidak berbentuk');
    expect(await t.svc.db('dataset_sources').where({ dataset_id: ds.id })).toHaveLength(0);

    const other = await signedIn(t.app, t.w.otherProducer.email, t.w.otherProducer.password);
    const own = await other.get('/dashboard').expect(200);
    await other.post(`/dashboard/datasets/${ds.slug}/source`).type('form').send({ _csrf: csrfFrom(own.text), kind: 'url', url: `${base}/x.csv`, schedule: 'daily' }).expect(404);
    await other.post(`/dashboard/datasets/${ds.slug}/source/run`).type('form').send({ _csrf: csrfFrom(own.text) }).expect(404);
    // Without the form's token nothing is stored.
    await agent.post(`/dashboard/datasets/${ds.slug}/source`).type('form').send({ kind: 'url', url: `${base}/x.csv`, schedule: 'daily' }).expect(403);
    expect(await t.svc.db('dataset_sources').where({ dataset_id: ds.id })).toHaveLength(0);
  });
});
