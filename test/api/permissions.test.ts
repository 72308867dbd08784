import request from 'supertest';
import { testWorld } from '../support/world';
import { perform } from '../../server/actions/action';
import { submitVersion } from '../../server/actions/versions';
import { makeDataset, publishedDataset, SMALL_CSV, uploadContent } from '../support/factories';
import { signedIn, tokenFor } from '../support/http';

const t = testWorld();

const bearer = async (u: { email: string; password: string }) => ({ Authorization: `Bearer ${await tokenFor(t.app, u.email, u.password)}` });

describe('who may see and change what', () => {
  it('keeps a draft away from the public and other OPDs (404), and lets its OPD and the custodian see it', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    for (const path of [`/api/v1/datasets/${ds.slug}`, `/api/v1/datasets/${ds.slug}/versions/1`, `/api/v1/datasets/${ds.slug}/versions/1/rows`, `/dataset/${ds.slug}/download.csv?version=1`, `/dataset/${ds.slug}`]) {
      await request(t.app).get(path).expect(404);
      await request(t.app).get(path).set(await bearer(t.w.otherProducer)).expect(404);
    }
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1`).set(await bearer(t.w.producer2)).expect(200);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1/rows`).set(await bearer(t.w.walidata)).expect(200);
    const list = await request(t.app).get('/api/v1/datasets').query({ q: ds.title }).expect(200);
    expect(list.body.data).toEqual([]);
  });

  it('refuses another OPD’s producer any change (404, nothing changes)', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const other = await bearer(t.w.otherProducer);
    await request(t.app).patch(`/api/v1/datasets/${ds.slug}`).set(other).send({ title: 'Dibajak' }).expect(404);
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions`).set(other).attach('file', Buffer.from(SMALL_CSV), 'x.csv').expect(404);
    await request(t.app).post('/api/v1/datasets').set(other).send({ organization: t.w.opd.slug, title: 'Bukan milik saya', topic: 'sosial' }).expect(403);
    const row = await t.svc.db('datasets').where({ id: ds.id }).first();
    expect(row.title).toBe(ds.title);
    expect(await t.svc.db('versions').where({ dataset_id: ds.id }).first()).toBeUndefined();
  });

  it('refuses reviews by producers (403) and self-review by anyone', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    const url = `/api/v1/datasets/${ds.slug}/versions/1/review`;
    await request(t.app).post(url).set(await bearer(t.w.producer2)).send({ decision: 'approve' }).expect(403);
    await request(t.app).post(url).set(await bearer(t.w.producer)).send({ decision: 'approve' }).expect(403);
    await request(t.app).post(url).send({ decision: 'approve' }).expect(404); // the public may not know it exists

    // An admin who uploaded a version cannot approve it either.
    const ds2 = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v2 = await uploadContent(t.svc, t.w.admin.actor, ds2.slug, SMALL_CSV);
    await perform(submitVersion, t.w.producer.actor, { slug: ds2.slug, number: v2.number }, t.svc);
    const res = await request(t.app).post(`/api/v1/datasets/${ds2.slug}/versions/1/review`).set(await bearer(t.w.admin)).send({ decision: 'approve' }).expect(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await t.svc.db('versions').where({ id: v2.id }).first()).state).toBe('submitted');
  });

  it('ignores session cookies for API writes: a bearer token is required', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const browser = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    await browser.get(`/api/v1/datasets/${ds.slug}`).expect(200); // reading with the session works
    const res = await browser.patch(`/api/v1/datasets/${ds.slug}`).send({ title: 'Tanpa token' }).expect(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).title).toBe(ds.title);
  });

  it('keeps published data public while a newer draft stays private', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV.replace('313756', '313757'));
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1`).expect(200);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/2`).expect(404);
    const detail = await request(t.app).get(`/api/v1/datasets/${ds.slug}`).expect(200);
    expect(detail.body.data.versions.map((v: { number: number }) => v.number)).toEqual([1]);
  });
});

describe('state transitions are guarded', () => {
  it('two concurrent approvals: exactly one wins, the other gets 409', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    const [a, b] = [await bearer(t.w.walidata), await bearer(t.w.walidata2)];
    const url = `/api/v1/datasets/${ds.slug}/versions/1/review`;
    const results = await Promise.all([
      request(t.app).post(url).set(a).send({ decision: 'approve' }),
      request(t.app).post(url).set(b).send({ decision: 'approve' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await t.svc.db('reviews').where({ version_id: v.id, decision: 'approve' }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 1 }]);
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).current_version_id).toBe(v.id);
  });

  it('refuses to submit twice or to withdraw a draft (409)', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    const p = await bearer(t.w.producer);
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions/1/withdraw`).set(p).expect(409);
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions/1/submit`).set(p).expect(200);
    const again = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions/1/submit`).set(p).expect(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('approving makes the version current and the previous one superseded, in one step', async () => {
    const { ds, v } = await publishedDataset(t.svc, t.w);
    const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV.replace('313756', '320000'));
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v2.number }, t.svc);
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions/2/review`).set(await bearer(t.w.walidata)).send({ decision: 'approve' }).expect(200);
    const states = await t.svc.db('versions').where({ dataset_id: ds.id }).orderBy('number').pluck('state');
    expect(states).toEqual(['superseded', 'published']);
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).current_version_id).toBe(v2.id);
    const old = await request(t.app).get(`/dataset/${ds.slug}/download.csv?version=${v.number}`).expect(200);
    expect(old.text).toBe(SMALL_CSV);
    const cur = await request(t.app).get(`/dataset/${ds.slug}/download.csv`).expect(200);
    expect(cur.text).toContain('320000');
  });
});

describe('the audit log', () => {
  it('holds one event per action with actor, action, target and time', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions/1/review`).set(await bearer(t.w.walidata)).send({ decision: 'approve' }).expect(200);
    const events = await t.svc.db('audit_events').where({ dataset_id: ds.id }).orderBy('id');
    expect(events.map((e) => [e.action, e.actor_id])).toEqual([
      ['dataset.create', t.w.producer.actor.id],
      ['version.upload', t.w.producer.actor.id],
      ['version.loaded', null],
      ['version.submit', t.w.producer.actor.id],
      ['version.review', t.w.walidata.actor.id],
    ]);
    for (const e of events) {
      expect(e.at).toBeInstanceOf(Date);
      expect(e.target_type).toMatch(/^(dataset|version)$/);
      expect(e.target_id).toBeTruthy();
    }
    expect(events[4].details).toMatchObject({ decision: 'approve', from: 'submitted', to: 'published' });
  });

  it('cannot be changed or deleted, even with direct SQL', async () => {
    const [e] = await t.svc.db('audit_events').orderBy('id', 'desc').limit(1);
    await expect(t.svc.db('audit_events').where({ id: e.id }).update({ action: 'diubah' })).rejects.toThrow(/append-only/);
    await expect(t.svc.db('audit_events').where({ id: e.id }).delete()).rejects.toThrow(/append-only/);
    await expect(t.svc.db.raw('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
  });
});
