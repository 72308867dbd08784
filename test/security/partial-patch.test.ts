import request from 'supertest';
import { createApp } from '../../server/app';
import { makeWorld, publishedDataset, makeDataset, type World } from '../support/factories';
import { signedIn, csrfFrom, tokenFor } from '../support/http';
import { testServices, type TestServices } from '../support/services';

let svc: TestServices;
let app: ReturnType<typeof createApp>;
let w: World;
const bearer = async (u: { email: string; password: string }) => ({ Authorization: `Bearer ${await tokenFor(app, u.email, u.password)}` });

beforeAll(async () => {
  svc = testServices();
  app = createApp(svc);
  w = await makeWorld(svc);
});
afterAll(() => svc.close());

const closedPriority = { access_level: 'tertutup', prioritas: true, tags: ['rahasia', 'uji'], description: 'Data tertutup OPD' };

describe('a partial change of a dataset', () => {
  it('keeps every field a PATCH does not name, and closed data stays closed', async () => {
    const { ds } = await publishedDataset(svc, w, undefined, closedPriority);
    const res = await request(app).patch(`/api/v1/datasets/${ds.slug}`).set(await bearer(w.producer)).send({ title: 'Judul baru saja' }).expect(200);
    expect(res.body.data).toMatchObject({ title: 'Judul baru saja', access_level: 'tertutup', prioritas: true, tags: ['rahasia', 'uji'], description: 'Data tertutup OPD' });
    const stored = await svc.db('datasets').where({ id: ds.id }).first();
    expect(stored).toMatchObject({ access_level: 'tertutup', prioritas: true, tags: ['rahasia', 'uji'], frequency: 'tahunan', license: 'CC-BY-4.0' });
    expect(stored.metadata).toMatchObject({ nama_indikator: 'Indikator uji', satuan: 'Jiwa' });
    await request(app).get(`/api/v1/datasets/${ds.slug}/rows`).expect(404);
    await request(app).get(`/dataset/${ds.slug}/download.csv`).expect(404);
  });

  it('refuses the OPD opening up a published dataset or changing its prioritas flag, and lets it close it further', async () => {
    const { ds } = await publishedDataset(svc, w, undefined, { access_level: 'terbatas', prioritas: true });
    const producer = await bearer(w.producer);
    const open = await request(app).patch(`/api/v1/datasets/${ds.slug}`).set(producer).send({ access_level: 'terbuka' }).expect(403);
    expect(open.body.error.message).toMatch(/walidata/);
    await request(app).patch(`/api/v1/datasets/${ds.slug}`).set(producer).send({ prioritas: false }).expect(403);
    expect(await svc.db('datasets').where({ id: ds.id }).first()).toMatchObject({ access_level: 'terbatas', prioritas: true });
    await request(app).patch(`/api/v1/datasets/${ds.slug}`).set(producer).send({ access_level: 'tertutup' }).expect(200);
    expect((await svc.db('datasets').where({ id: ds.id }).first()).access_level).toBe('tertutup');
  });

  it('lets the walidata change access and prioritas, recording before and after in the audit log', async () => {
    const { ds } = await publishedDataset(svc, w, undefined, closedPriority);
    await request(app).patch(`/api/v1/datasets/${ds.slug}`).set(await bearer(w.walidata)).send({ access_level: 'terbuka', prioritas: false }).expect(200);
    const ev = await svc.db('audit_events').where({ dataset_id: ds.id, action: 'dataset.update' }).orderBy('id', 'desc').first();
    expect(ev.actor_id).toBe(w.walidata.actor.id);
    expect(ev.details.access).toEqual({ access_level: { from: 'tertutup', to: 'terbuka' }, prioritas: { from: true, to: false } });
    await request(app).get(`/api/v1/datasets/${ds.slug}/rows`).expect(200);
  });

  it('lets the OPD set access and prioritas freely before anything is published', async () => {
    const ds = await makeDataset(svc, w.producer, w.opd.slug, { access_level: 'tertutup' });
    await request(app).patch(`/api/v1/datasets/${ds.slug}`).set(await bearer(w.producer)).send({ access_level: 'terbuka', prioritas: true }).expect(200);
    expect(await svc.db('datasets').where({ id: ds.id }).first()).toMatchObject({ access_level: 'terbuka', prioritas: true });
  });

  it('keeps the prioritas flag when a producer saves the edit form of a published dataset (the box is locked)', async () => {
    const { ds } = await publishedDataset(svc, w, undefined, { prioritas: true, access_level: 'terbatas' });
    const agent = await signedIn(app, w.producer.email, w.producer.password);
    const form = await agent.get(`/dashboard/datasets/${ds.slug}/edit`).expect(200);
    expect(form.text).toMatch(/name="prioritas" checked disabled/);
    expect(form.text).not.toContain('name="prioritas_shown"');
    expect(form.text).not.toMatch(/<option value="terbuka"/);
    expect(form.text).toMatch(/<option value="tertutup"/);
    await agent.post(`/dashboard/datasets/${ds.slug}/edit`).type('form').send({
      _csrf: csrfFrom(form.text), title: 'Judul dari formulir', topic: 'kependudukan', access_level: 'terbatas', frequency: 'tahunan', license: 'CC-BY-4.0',
    }).expect(303);
    expect(await svc.db('datasets').where({ id: ds.id }).first()).toMatchObject({ title: 'Judul dari formulir', prioritas: true, access_level: 'terbatas' });
  });
});
