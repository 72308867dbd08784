import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../../server/app';
import { perform } from '../../server/actions/action';
import { retractDataset } from '../../server/actions/datasets';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { makeWorld, publishedDataset, makeDataset, uploadContent, uid, SMALL_CSV, type World } from '../support/factories';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';
import { testWorld } from '../support/world';

// Harvesting a kabupaten/kota portal that is a second instance of this very portal: its own
// database, its own app on another port, its datasets published through its own workflow. The
// province (the usual test app) harvests it over its CKAN API and over its DCAT catalog.

jest.setTimeout(120_000);
const t = testWorld({ env: { FETCH_ALLOW_HOSTS: '127.0.0.1' } });

const kab = {} as { svc: TestServices; w: World; server: http.Server; base: string; drop(): Promise<void> };
const CSV_B = 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah_sekolah,tahun\n1801,LAMPUNG BARAT,120,2024\n1801,LAMPUNG BARAT,124,2025\n';
let open1: { slug: string; title: string };
let open2: { slug: string; title: string };

beforeAll(async () => {
  const db = await isolatedDatabase();
  kab.drop = db.drop;
  kab.svc = testServices({ url: db.url });
  kab.w = await makeWorld(kab.svc);
  kab.server = http.createServer(createApp(kab.svc));
  await new Promise<void>((r) => kab.server.listen(0, '127.0.0.1', r));
  kab.base = `http://127.0.0.1:${(kab.server.address() as AddressInfo).port}`;
  // Two open published datasets; one published but restricted, one only a draft, one waiting in review.
  open1 = (await publishedDataset(kab.svc, kab.w, SMALL_CSV, { title: `Jumlah Penduduk Kabupaten ${uid()}`, tags: ['penduduk'] })).ds;
  open2 = (await publishedDataset(kab.svc, kab.w, CSV_B, { title: `Jumlah Sekolah Dasar ${uid()}`, topic: 'pendidikan', frequency: 'tahunan' })).ds;
  await publishedDataset(kab.svc, kab.w, SMALL_CSV, { title: `Data Terbatas ${uid()}`, access_level: 'terbatas' });
  const draft = await makeDataset(kab.svc, kab.w.producer, kab.w.opd.slug, { title: `Masih Draf ${uid()}` });
  await uploadContent(kab.svc, kab.w.producer.actor, draft.slug, SMALL_CSV);
  const queued = await makeDataset(kab.svc, kab.w.producer, kab.w.opd.slug, { title: `Dalam Tinjauan ${uid()}` });
  const qv = await uploadContent(kab.svc, kab.w.producer.actor, queued.slug, SMALL_CSV);
  await perform(submitVersion, kab.w.producer.actor, { slug: queued.slug, number: qv.number }, kab.svc);
});
afterAll(async () => {
  await new Promise((r) => kab.server.close(r));
  await kab.svc.close();
  await kab.drop();
});

/** The province's datasets filed under a harvest source's organization, by remote title. */
async function harvestedHere(orgSlug: string) {
  const rows = await t.svc.db('datasets as d')
    .join('organizations as o', 'o.id', 'd.organization_id')
    .join('dataset_harvests as h', 'h.dataset_id', 'd.id')
    .where('o.slug', orgSlug)
    .select('d.id', 'd.slug', 'd.title', 'd.current_version_id', 'd.retracted_at', 'h.remote_url', 'h.remote_modified', 'o.kind');
  return new Map(rows.map((r) => [r.title as string, r]));
}
const versionsOf = (datasetId: number) => t.svc.db('versions').where({ dataset_id: datasetId }).orderBy('number').select('number', 'state', 'raw_sha256');

describe('harvesting a second instance of this portal', () => {
  it('over CKAN: brings its published open datasets with their rows, retracts what it retracts, and makes nothing new when nothing changed', async () => {
    const wali = await t.bearer(t.w.walidata);
    const name = `Kabupaten Uji ${uid()}`;
    // Only the walidata (and the admin) register sources.
    await request(t.app).post('/api/v1/harvest-sources').send({ kind: 'ckan', url: `${kab.base}/api/3/action`, name, review: false }).expect(401);
    await request(t.app).post('/api/v1/harvest-sources').set(await t.bearer(t.w.producer)).send({ kind: 'ckan', url: `${kab.base}/api/3/action`, name, review: false }).expect(403);
    const made = await request(t.app).post('/api/v1/harvest-sources').set(wali).send({ kind: 'ckan', url: `${kab.base}/api/3/action`, name, review: false }).expect(201);
    expect(made.body.data).toMatchObject({ kind: 'ckan', name, review: false, enabled: true, organization: { name } });
    const org = made.body.data.organization.slug as string;
    await request(t.app).post('/api/v1/harvest-sources').set(wali).send({ kind: 'ckan', url: `${kab.base}/api/3/action`, name: `${name} lagi`, review: false }).expect(409);
    const id = made.body.data.id as number;

    const first = await request(t.app).post(`/api/v1/harvest-sources/${id}/run`).set(wali).expect(200);
    expect(first.body.data).toMatchObject({ result: 'ok', created: 2, failed: 0, retracted: 0, trigger: 'manual' });
    let here = await harvestedHere(org);
    expect([...here.keys()].sort()).toEqual([open1.title, open2.title].sort());
    const one = here.get(open1.title)!;
    expect(one.kind).toBe('kabkota');
    expect(one.remote_url).toBe(`${kab.base}/dataset/${open1.slug}`);
    expect(one.current_version_id).not.toBeNull();
    // Its rows, read back through the province's own API, are the kabupaten's.
    const theirs = await request(kab.server).get(`/api/v1/datasets/${open2.slug}/rows?sort=tahun`).expect(200);
    const ours = await request(t.app).get(`/api/v1/datasets/${here.get(open2.title)!.slug}/rows?sort=tahun`).expect(200);
    expect(ours.body.data).toEqual(theirs.body.data);
    expect(ours.body.meta.total).toBe(2);
    // Published by the harvester without review (this source's setting), with an audit event.
    const published = await t.svc.db('audit_events').where({ dataset_id: one.id, action: 'version.publish_harvested' }).first();
    expect(published).toMatchObject({ actor_label: 'sistem:panen', actor_id: null });
    // The page says where it comes from and links back.
    const page = await request(t.app).get(`/dataset/${one.slug}`).expect(200);
    expect(page.text).toContain(`Sumber: Portal Satu Data ${name}`);
    expect(page.text).toContain(`href="${kab.base}/dataset/${open1.slug}"`);
    const en = await request(t.app).get(`/dataset/${one.slug}`).set('Cookie', 'lang=en').expect(200);
    expect(en.text).toMatch(/Source: .*Portal Satu Data/);

    // Nothing changed there: nothing new here.
    const versionsBefore = await versionsOf(one.id);
    const again = await request(t.app).post(`/api/v1/harvest-sources/${id}/run`).set(wali).expect(200);
    expect(again.body.data).toMatchObject({ result: 'ok', created: 0, updated: 0, retracted: 0, failed: 0 });
    expect(await versionsOf(one.id)).toEqual(versionsBefore);

    // A new version there is a new version here; a retraction there is a retraction here.
    const two = here.get(open2.title)!;
    const v2 = await uploadContent(kab.svc, kab.w.producer.actor, open2.slug, `${CSV_B}1871,BANDAR LAMPUNG,310,2025\n`);
    await perform(submitVersion, kab.w.producer.actor, { slug: open2.slug, number: v2.number }, kab.svc);
    await perform(reviewVersion, kab.w.walidata.actor, { slug: open2.slug, number: v2.number, decision: 'approve' }, kab.svc);
    await perform(retractDataset, kab.w.walidata.actor, { slug: open1.slug, reason: 'Data diperbaiki' }, kab.svc);
    const third = await request(t.app).post(`/api/v1/harvest-sources/${id}/run`).set(wali).expect(200);
    expect(third.body.data).toMatchObject({ result: 'ok', created: 0, updated: 1, retracted: 1, failed: 0 });
    expect((await versionsOf(two.id)).map((v) => [v.number, v.state])).toEqual([[1, 'superseded'], [2, 'published']]);
    expect((await request(t.app).get(`/api/v1/datasets/${two.slug}/rows`).expect(200)).body.meta.total).toBe(3);
    here = await harvestedHere(org);
    expect(here.get(open1.title)!.retracted_at).not.toBeNull();
    const retraction = await t.svc.db('audit_events').where({ dataset_id: one.id, action: 'dataset.retract' }).first();
    expect(retraction).toMatchObject({ actor_label: 'sistem:panen' });
    await request(t.app).get(`/api/v1/datasets/${one.slug}`).expect(404);
    // The change feed tells the next harvester up (the national portal) of it too.
    const feed = await request(t.app).get('/api/v1/changes?limit=1000').expect(200);
    expect(feed.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'version_published', dataset: two.slug, version: 2 })]));

    const runs = await request(t.app).get(`/api/v1/harvest-sources/${id}/runs`).set(wali).expect(200);
    expect(runs.body.data.map((r: { created: number; updated: number; retracted: number }) => [r.created, r.updated, r.retracted])).toEqual([[0, 1, 1], [0, 0, 0], [2, 0, 0]]);
    await request(t.app).get(`/api/v1/harvest-sources/${id}/runs`).set(await t.bearer(t.w.producer)).expect(403);
    const list = await request(t.app).get('/api/v1/harvest-sources').set(wali).expect(200);
    expect(list.body.data.map((s: { id: number }) => s.id)).toContain(id);

    // Put back there: restored here.
    await perform(retractDataset, kab.w.walidata.actor, { slug: open1.slug, retract: false }, kab.svc);
    const fourth = await request(t.app).post(`/api/v1/harvest-sources/${id}/run`).set(wali).expect(200);
    expect(fourth.body.data).toMatchObject({ result: 'ok', updated: 1, retracted: 0 });
    expect((await harvestedHere(org)).get(open1.title)!.retracted_at).toBeNull();
  });

  it('over DCAT (Turtle and JSON-LD): the same datasets, into the walidata’s queue when the source asks for review', async () => {
    const wali = await t.bearer(t.w.walidata);
    for (const ext of ['ttl', 'jsonld']) {
      const name = `Kota Uji DCAT ${ext} ${uid()}`;
      const made = await request(t.app).post('/api/v1/harvest-sources').set(wali).send({ kind: 'dcat', url: `${kab.base}/catalog.${ext}`, name, review: true }).expect(201);
      const run = await request(t.app).post(`/api/v1/harvest-sources/${made.body.data.id}/run`).set(wali).expect(200);
      expect(run.body.data).toMatchObject({ result: 'ok', failed: 0 });
      const here = await harvestedHere(made.body.data.organization.slug);
      // Exactly what the kabupaten publishes openly now.
      const theirs = (await request(kab.server).get('/api/v1/datasets?per_page=100').expect(200)).body.data.map((d: { title: string }) => d.title);
      expect([...here.keys()].sort()).toEqual([...theirs].sort());
      expect(run.body.data.created).toBe(theirs.length);
      const two = here.get(open2.title)!;
      // Waiting for the walidata: not public yet.
      expect(two.current_version_id).toBeNull();
      expect((await versionsOf(two.id)).map((v) => v.state)).toEqual(['submitted']);
      await request(t.app).get(`/api/v1/datasets/${two.slug}`).expect(404);
      const queue = await request(t.app).get('/api/v1/review-queue').set(wali).expect(200);
      expect(JSON.stringify(queue.body)).toContain(two.slug);
      // The walidata approves it: public, with the kabupaten's rows.
      await perform(reviewVersion, t.w.walidata.actor, { slug: two.slug, number: 1, decision: 'approve' }, t.svc);
      const rows = await request(t.app).get(`/api/v1/datasets/${two.slug}/rows?sort=tahun,kode_kabupaten_kota`).expect(200);
      const theirRows = await request(kab.server).get(`/api/v1/datasets/${open2.slug}/rows?sort=tahun,kode_kabupaten_kota`).expect(200);
      expect(rows.body.data).toEqual(theirRows.body.data);
      // Unchanged there: nothing here.
      const again = await request(t.app).post(`/api/v1/harvest-sources/${made.body.data.id}/run`).set(wali).expect(200);
      expect(again.body.data).toMatchObject({ result: 'ok', created: 0, updated: 0, retracted: 0 });
      expect((await versionsOf(two.id)).map((v) => v.state)).toEqual(['published']);
    }
  });

  it('refuses a harvest source that points at the cloud metadata address', async () => {
    const wali = await t.bearer(t.w.walidata);
    const made = await request(t.app).post('/api/v1/harvest-sources').set(wali).send({ kind: 'ckan', url: 'http://169.254.169.254/api/3/action', name: `Kabupaten Jahat ${uid()}` }).expect(201);
    const run = await request(t.app).post(`/api/v1/harvest-sources/${made.body.data.id}/run`).set(wali).expect(200);
    expect(run.body.data).toMatchObject({ result: 'failed', created: 0, error: expect.stringMatching(/privat, loopback/) });
    await request(t.app).post('/api/v1/harvest-sources').set(wali).send({ kind: 'ckan', url: 'file:///etc/passwd', name: `Kabupaten Berkas ${uid()}` }).expect(400);
  });
});
