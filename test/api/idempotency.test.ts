import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { testWorld } from '../support/world';
import { makeDataset, SMALL_CSV, uid } from '../support/factories';
import { csrfFrom, signedIn, tokenFor } from '../support/http';

const t = testWorld();

const bearer = async () => ({ Authorization: `Bearer ${await tokenFor(t.app, t.w.producer.email, t.w.producer.password)}` });
const fileOf = (extra: string) => Buffer.from(`${SMALL_CSV}1802,TANGGAMUS,${extra.length},2025\n`.replace('TANGGAMUS', `TANGGAMUS ${extra}`));
const incoming = () => {
  const dir = path.join(t.svc.config.storageDir, 'incoming');
  return fs.existsSync(dir) ? fs.readdirSync(dir).length : 0;
};
const versionsOf = async (slug: string) =>
  t.svc.db('versions').join('datasets', 'datasets.id', 'versions.dataset_id').where('datasets.slug', slug).orderBy('number').select('versions.number', 'versions.state');

describe('a pushed version is made once, however often the push is retried', () => {
  it('answers a retry with the same Idempotency-Key by the version the first attempt made (200), keeping no second copy', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await bearer();
    const file = fileOf(uid());
    const first = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).set('Idempotency-Key', 'push-1').attach('file', file, 'a.csv');
    expect([201, 202]).toContain(first.status);
    const before = incoming();
    const again = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).set('Idempotency-Key', 'push-1').attach('file', file, 'a.csv').expect(200);
    expect(again.body.data.number).toBe(first.body.data.number);
    expect(await versionsOf(ds.slug)).toHaveLength(1);
    expect(incoming()).toBe(before);
    const events = await t.svc.db('audit_events').where({ dataset_id: ds.id, action: 'version.upload' });
    expect(events).toHaveLength(1);
    expect(events[0].details.idempotency_key).toBe('push-1');
  });

  it('refuses the same key with another file (409), making nothing', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await bearer();
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).set('Idempotency-Key', 'k').attach('file', fileOf(uid()), 'a.csv');
    const res = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).set('Idempotency-Key', 'k').attach('file', fileOf(uid()), 'a.csv').expect(409);
    expect(res.body.error.message).toMatch(/Idempotency-Key/);
    expect(await versionsOf(ds.slug)).toHaveLength(1);
  });

  it('answers an unchanged file (the latest version\'s sha256) with that version, and a changed one with a new version', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await bearer();
    const file = fileOf(uid());
    const first = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).attach('file', file, 'a.csv');
    const same = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).attach('file', file, 'lagi.csv').expect(200);
    expect(same.body.data.number).toBe(first.body.data.number);
    const changed = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).attach('file', fileOf(uid()), 'b.csv');
    expect([201, 202]).toContain(changed.status);
    expect(changed.body.data.number).toBe(first.body.data.number + 1);
    // The first file again is no longer the latest: a real change back, so a new version.
    const back = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).attach('file', file, 'a.csv');
    expect(back.body.data.number).toBe(first.body.data.number + 2);
  });

  it('makes a new version of a file whose latest version failed (that is how to try again)', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const auth = await bearer();
    const file = fileOf(uid());
    const first = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).attach('file', file, 'a.csv');
    await t.svc.db('versions').where({ dataset_id: ds.id, number: first.body.data.number }).update({ state: 'failed' });
    const retry = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(auth).attach('file', file, 'a.csv');
    expect([201, 202]).toContain(retry.status);
    expect(retry.body.data.number).toBe(first.body.data.number + 1);
  });

  it('tells a producer re-uploading the same file in the dashboard that no version was made', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const agent = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const file = fileOf(uid());
    const upload = async () => {
      const page = await agent.get(`/dashboard/datasets/${ds.slug}`).expect(200);
      return agent.post(`/dashboard/datasets/${ds.slug}/versions`).field('_csrf', csrfFrom(page.text)).attach('file', file, 'a.csv').expect(303);
    };
    const first = await upload();
    const second = await upload();
    expect(second.headers.location).toBe(first.headers.location);
    const shown = await agent.get(second.headers.location).expect(200);
    expect(shown.text).toContain('sama persis dengan versi 1');
    expect(await versionsOf(ds.slug)).toHaveLength(1);
  });
});
