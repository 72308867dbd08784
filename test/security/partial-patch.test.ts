import request from 'supertest';
import { testWorld } from '../support/world';
import { publishedDataset, makeDataset } from '../support/factories';
import { signedIn, csrfFrom, tokenFor } from '../support/http';

const t = testWorld();

const bearer = async (u: { email: string; password: string }) => ({ Authorization: `Bearer ${await tokenFor(t.app, u.email, u.password)}` });

const closedPriority = { access_level: 'tertutup', prioritas: true, tags: ['rahasia', 'uji'], description: 'Data tertutup OPD' };

describe('a partial change of a dataset', () => {
  it('keeps every field a PATCH does not name, and closed data stays closed', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, undefined, closedPriority);
    const res = await request(t.app).patch(`/api/v1/datasets/${ds.slug}`).set(await bearer(t.w.producer)).send({ title: 'Judul baru saja' }).expect(200);
    expect(res.body.data).toMatchObject({ title: 'Judul baru saja', access_level: 'tertutup', prioritas: true, tags: ['rahasia', 'uji'], description: 'Data tertutup OPD' });
    const stored = await t.svc.db('datasets').where({ id: ds.id }).first();
    expect(stored).toMatchObject({ access_level: 'tertutup', prioritas: true, tags: ['rahasia', 'uji'], frequency: 'tahunan', license: 'CC-BY-4.0' });
    expect(stored.metadata).toMatchObject({ nama_indikator: 'Indikator uji', satuan: 'Jiwa' });
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/rows`).expect(404);
    await request(t.app).get(`/dataset/${ds.slug}/download.csv`).expect(404);
  });

  it('refuses the OPD opening up a published dataset or changing its prioritas flag, and lets it close it further', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, undefined, { access_level: 'terbatas', prioritas: true });
    const producer = await bearer(t.w.producer);
    const open = await request(t.app).patch(`/api/v1/datasets/${ds.slug}`).set(producer).send({ access_level: 'terbuka' }).expect(403);
    expect(open.body.error.message).toMatch(/walidata/);
    await request(t.app).patch(`/api/v1/datasets/${ds.slug}`).set(producer).send({ prioritas: false }).expect(403);
    expect(await t.svc.db('datasets').where({ id: ds.id }).first()).toMatchObject({ access_level: 'terbatas', prioritas: true });
    await request(t.app).patch(`/api/v1/datasets/${ds.slug}`).set(producer).send({ access_level: 'tertutup' }).expect(200);
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).access_level).toBe('tertutup');
  });

  it('lets the walidata change access and prioritas, recording before and after in the audit log', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, undefined, closedPriority);
    await request(t.app).patch(`/api/v1/datasets/${ds.slug}`).set(await bearer(t.w.walidata)).send({ access_level: 'terbuka', prioritas: false }).expect(200);
    const ev = await t.svc.db('audit_events').where({ dataset_id: ds.id, action: 'dataset.update' }).orderBy('id', 'desc').first();
    expect(ev.actor_id).toBe(t.w.walidata.actor.id);
    expect(ev.details.access).toEqual({ access_level: { from: 'tertutup', to: 'terbuka' }, prioritas: { from: true, to: false } });
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/rows`).expect(200);
  });

  it('lets the OPD set access and prioritas freely before anything is published', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { access_level: 'tertutup' });
    await request(t.app).patch(`/api/v1/datasets/${ds.slug}`).set(await bearer(t.w.producer)).send({ access_level: 'terbuka', prioritas: true }).expect(200);
    expect(await t.svc.db('datasets').where({ id: ds.id }).first()).toMatchObject({ access_level: 'terbuka', prioritas: true });
  });

  it('keeps the prioritas flag when a producer saves the edit form of a published dataset (the box is locked)', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, undefined, { prioritas: true, access_level: 'terbatas' });
    const agent = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const form = await agent.get(`/dashboard/datasets/${ds.slug}/edit`).expect(200);
    expect(form.text).toMatch(/name="prioritas" checked disabled/);
    expect(form.text).not.toContain('name="prioritas_shown"');
    expect(form.text).not.toMatch(/<option value="terbuka"/);
    expect(form.text).toMatch(/<option value="tertutup"/);
    await agent.post(`/dashboard/datasets/${ds.slug}/edit`).type('form').send({
      _csrf: csrfFrom(form.text), title: 'Judul dari formulir', topic: 'kependudukan', access_level: 'terbatas', frequency: 'tahunan', license: 'CC-BY-4.0',
    }).expect(303);
    expect(await t.svc.db('datasets').where({ id: ds.id }).first()).toMatchObject({ title: 'Judul dari formulir', prioritas: true, access_level: 'terbatas' });
  });
});

describe('the English title and description', () => {
  it('are kept with the dataset and shown under the English switch only', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, undefined, { title: 'Jumlah Penduduk Miskin', title_en: 'Number of Poor People', description_en: 'People below the poverty line.' });
    const api = await request(t.app).get(`/api/v1/datasets/${ds.slug}`).expect(200);
    expect(api.body.data).toMatchObject({ title: 'Jumlah Penduduk Miskin', title_en: 'Number of Poor People', description_en: 'People below the poverty line.' });
    expect((await request(t.app).get(`/dataset/${ds.slug}`).expect(200)).text).toContain('<h1>Jumlah Penduduk Miskin</h1>');
    const en = await request(t.app).get(`/dataset/${ds.slug}?lang=en`).expect(200);
    expect(en.text).toContain('<h1>Number of Poor People</h1>');
    expect(en.text).toContain('People below the poverty line.');
  });
});
