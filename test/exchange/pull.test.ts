import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { testWorld } from '../support/world';
import { makeDataset } from '../support/factories';
import { pullDueSources, FAILURES_BEFORE_NOTICE } from '../../server/exchange/pull';

const t = testWorld({ env: { FETCH_ALLOW_HOSTS: '127.0.0.1' } });

// A small source server: an OPD application's CSV export and its JSON API (with a key).
let csv = 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah,tahun\n1801,LAMPUNG BARAT,313756,2025\n';
let status = 200;
const hits: Record<string, number> = {};
let server: http.Server;
let base = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits[req.url ?? ''] = (hits[req.url ?? ''] ?? 0) + 1;
    if (req.url === '/export/penduduk.csv') return res.writeHead(status, { 'content-type': 'text/csv' }).end(status === 200 ? csv : 'galat');
    if (req.url === '/api/penduduk') {
      if (req.headers['x-api-key'] !== 'rahasia-opd-123') return res.writeHead(401).end('{}');
      return res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ status: 'ok', data: { items: [{ wilayah: { kode: '1801', nama: 'LAMPUNG BARAT' }, nilai: 313756, tahun: 2025 }, { wilayah: { kode: '1871', nama: 'BANDAR LAMPUNG' }, nilai: 1077664, tahun: 2025 }] } }),
      );
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const versionsOf = async (datasetId: number) => t.svc.db('versions').where({ dataset_id: datasetId }).orderBy('number').select('number', 'state', 'uploaded_by');

describe('a pulled source', () => {
  it('makes a version only when the file changed, logging every run', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await t.bearer(t.w.producer);
    const put = await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(auth).send({ kind: 'url', url: `${base}/export/penduduk.csv`, schedule: 'daily 06:00' }).expect(200);
    expect(put.body.data).toMatchObject({ kind: 'url', schedule: 'daily 06:00', enabled: true, failures: 0 });
    // 06:00 WIB is 23:00 UTC.
    expect(put.body.data.next_run_at).toMatch(/T23:00:00\.000Z$/);

    const first = await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).expect(200);
    expect(first.body.data).toMatchObject({ result: 'new_version', version: 1, http_status: 200, trigger: 'manual' });
    const again = await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).expect(200);
    expect(again.body.data).toMatchObject({ result: 'unchanged', version: null });
    expect(await versionsOf(ds.id)).toEqual([{ number: 1, state: 'draft', uploaded_by: t.w.producer.actor.id }]);

    csv += '1871,BANDAR LAMPUNG,1077664,2025\n';
    const changed = await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).expect(200);
    expect(changed.body.data).toMatchObject({ result: 'new_version', version: 2 });
    const rows = await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/2/rows`).set(auth).expect(200);
    expect(rows.body.meta.total).toBe(2);

    const runs = await request(t.app).get(`/api/v1/datasets/${ds.slug}/source/runs`).set(auth).expect(200);
    expect(runs.body.data.map((r: { result: string }) => r.result)).toEqual(['new_version', 'unchanged', 'new_version']);
    expect(runs.body.data[0]).toMatchObject({ bytes: Buffer.byteLength(csv), duration_ms: expect.any(Number) });
    // The walidata sees the log; the public and another OPD do not even see the source.
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/source/runs`).set(await t.bearer(t.w.walidata)).expect(200);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/source/runs`).expect(404);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/source`).set(await t.bearer(t.w.otherProducer)).expect(404);
    await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(await t.bearer(t.w.otherProducer)).send({ kind: 'url', url: `${base}/x.csv`, schedule: 'daily' }).expect(404);
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(await t.bearer(t.w.walidata)).expect(403);
  });

  it('reads a JSON API with a key kept sealed, picking records and mapping fields', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await t.bearer(t.w.producer);
    const put = await request(t.app)
      .put(`/api/v1/datasets/${ds.slug}/source`)
      .set(auth)
      .send({
        kind: 'json_api',
        url: `${base}/api/penduduk`,
        schedule: 'weekly senin 07:30',
        records_path: '$.data.items[*]',
        fields: { kode_kabupaten_kota: 'wilayah.kode', nama_kabupaten_kota: 'wilayah.nama', jumlah: 'nilai', tahun: 'tahun' },
        headers: { 'X-Api-Key': 'rahasia-opd-123' },
      })
      .expect(200);
    expect(put.body.data.header_names).toEqual(['X-Api-Key']);
    expect(JSON.stringify(put.body)).not.toContain('rahasia-opd-123');
    const stored = await t.svc.db('dataset_sources').where({ dataset_id: ds.id }).first();
    expect(stored.headers_sealed).not.toContain('rahasia-opd-123');
    const shown = await request(t.app).get(`/api/v1/datasets/${ds.slug}/source`).set(auth).expect(200);
    expect(JSON.stringify(shown.body)).not.toContain('rahasia-opd-123');
    const audit = await t.svc.db('audit_events').where({ dataset_id: ds.id, action: 'source.set' }).first();
    expect(JSON.stringify(audit.details)).not.toContain('rahasia-opd-123');

    const run = await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).expect(200);
    expect(run.body.data).toMatchObject({ result: 'new_version', version: 1 });
    const rows = await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1/rows?sort=kode_kabupaten_kota`).set(auth).expect(200);
    expect(rows.body.data).toEqual([
      expect.objectContaining({ kode_kabupaten_kota: '1801', nama_kabupaten_kota: 'LAMPUNG BARAT', jumlah: 313756, tahun: 2025 }),
      expect.objectContaining({ kode_kabupaten_kota: '1871', jumlah: 1077664 }),
    ]);
    // The same records again: no version, although the API was asked.
    const again = await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).expect(200);
    expect(again.body.data.result).toBe('unchanged');
    // Updating without headers keeps the key.
    await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(auth).send({ kind: 'json_api', url: `${base}/api/penduduk`, schedule: 'daily', records_path: 'data.items' }).expect(200);
    expect((await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth)).body.data.result).not.toBe('failed');
  });

  it('refuses what is not http(s), a bad schedule, and SSRF to loopback and the metadata address', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await t.bearer(t.w.producer);
    await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(auth).send({ kind: 'url', url: 'file:///etc/passwd', schedule: 'daily' }).expect(400);
    const bad = await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(auth).send({ kind: 'url', url: `${base}/x.csv`, schedule: 'kadang-kadang' }).expect(400);
    expect(bad.body.error.message).toMatch(/bukan jadwal/);
    await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(auth).send({ kind: 'url', url: 'http://169.254.169.254/latest/meta-data/', schedule: 'daily' }).expect(200);
    const meta = await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).expect(200);
    expect(meta.body.data).toMatchObject({ result: 'failed', error: expect.stringMatching(/privat, loopback/) });
    // localhost is the same machine, but only 127.0.0.1 is allowed here.
    const port = new URL(base).port;
    await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(auth).send({ kind: 'url', url: `http://localhost:${port}/export/penduduk.csv`, schedule: 'daily' }).expect(200);
    const local = await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).set('Accept-Language', 'en').expect(200);
    expect(local.body.data.result).toBe('failed');
    expect(hits['/export/penduduk.csv']).toBeGreaterThan(0); // the allowed runs above did reach it
    expect(await versionsOf(ds.id)).toEqual([]);
  });

  it(`tells the OPD and the walidata after ${FAILURES_BEFORE_NOTICE} failures in a row, once`, async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await t.bearer(t.w.producer);
    await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(auth).send({ kind: 'url', url: `${base}/export/penduduk.csv`, schedule: 'daily' }).expect(200);
    status = 500;
    try {
      for (let i = 0; i < FAILURES_BEFORE_NOTICE + 1; i++) {
        const r = await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).expect(200);
        expect(r.body.data).toMatchObject({ result: 'failed', http_status: 500, error: 'Sumber menjawab HTTP 500.' });
      }
    } finally {
      status = 200;
    }
    const notices = await t.svc.db('notifications').where({ dataset_id: ds.id, kind: 'source_failed' });
    const to = notices.map((n) => n.user_id);
    expect(new Set(to).size).toBe(to.length); // once each
    expect(to).toEqual(expect.arrayContaining([t.w.producer.actor.id, t.w.walidata.actor.id]));
    const roles = await t.svc.db('users').whereIn('id', to).select('role', 'organization_id');
    for (const u of roles) expect(u.role === 'walidata' || (u.role === 'produsen' && u.organization_id === ds.organization_id)).toBe(true);
    const ok = await request(t.app).post(`/api/v1/datasets/${ds.slug}/source/run`).set(auth).expect(200);
    expect(ok.body.data.result).toBe('new_version');
    expect((await t.svc.db('dataset_sources').where({ dataset_id: ds.id }).first()).failures).toBe(0);
  });

  it('runs a due source once however many workers sweep at the same time', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await t.bearer(t.w.producer);
    await request(t.app).put(`/api/v1/datasets/${ds.slug}/source`).set(auth).send({ kind: 'url', url: `${base}/export/penduduk.csv`, schedule: 'monthly 1 02:00' }).expect(200);
    // Other tests' sources are not due (their next run is tomorrow or later); this one is now.
    await t.svc.db('dataset_sources').where({ dataset_id: ds.id }).update({ next_run_at: t.svc.db.raw("now() - interval '1 minute'") });
    const counts = await Promise.all([pullDueSources(t.svc), pullDueSources(t.svc), pullDueSources(t.svc)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    const source = await t.svc.db('dataset_sources').where({ dataset_id: ds.id }).first();
    expect(await t.svc.db('source_runs').where({ source_id: source.id })).toEqual([expect.objectContaining({ trigger: 'schedule', result: 'new_version' })]);
    expect(new Date(source.next_run_at).getTime()).toBeGreaterThan(Date.now());
  });
});
