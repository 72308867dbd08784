import request from 'supertest';
import { testWorld } from '../support/world';
import { createApp } from '../../server/app';
import { perform } from '../../server/actions/action';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { dummyHash } from '../../server/auth/actors';
import { makeDataset, publishedDataset, SMALL_CSV, uploadContent } from '../support/factories';
import { signedIn, tokenFor } from '../support/http';
import { testServices } from '../support/services';

const t = testWorld();

const bearer = async (u: { email: string; password: string }) => ({ Authorization: `Bearer ${await tokenFor(t.app, u.email, u.password)}` });

describe('findings of the attack on a fresh instance', () => {
  it('keeps another OPD out of a published dataset’s workspace page (404, no versions shown)', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    await uploadContent(t.svc, t.w.producer.actor, ds.slug, `${SMALL_CSV}1802,TANGGAMUS,641036,2025\n`, 'draf-rahasia.csv');
    const other = await signedIn(t.app, t.w.otherProducer.email, t.w.otherProducer.password);
    const res = await other.get(`/dashboard/datasets/${ds.slug}`).expect(404);
    expect(res.text).not.toContain('draf-rahasia.csv');
    await other.get(`/dashboard/datasets/${ds.slug}/edit`).expect(404);
    await other.get(`/dashboard/datasets/${ds.slug}/versions/2`).expect(404);
    const own = await signedIn(t.app, t.w.producer2.email, t.w.producer2.password);
    expect((await own.get(`/dashboard/datasets/${ds.slug}`).expect(200)).text).toContain('draf-rahasia.csv');
  });

  it('follows only local paths after a language switch', async () => {
    for (const next of ['/%5Cevil.example/', '//evil.example/', '/\\evil.example', '/%09/evil.example', 'https://evil.example/']) {
      const res = await request(t.app).get(`/lang/en?next=${next}`).expect(302);
      expect(res.headers.location).toBe('/');
    }
    expect((await request(t.app).get('/lang/en?next=/dataset%3Fq%3Dipm').expect(302)).headers.location).toBe('/dataset?q=ipm');
  });

  it('checks an unknown email against a hash as costly as a real one', async () => {
    const real = (await t.svc.db('users').where({ id: t.w.producer.actor.id }).first()).password_hash as string;
    const dummy = await dummyHash(t.svc.config.scryptLogN);
    expect(dummy.split('$').slice(0, 4)).toEqual(real.split('$').slice(0, 4));
    expect((await dummyHash(16)).split('$')[1]).toBe('16');
  });

  it('answers a hidden dataset exactly as a missing one, on every way in', async () => {
    const hidden = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const other = await bearer(t.w.otherProducer);
    const pairs: Array<[string, string, object?]> = [
      ['patch', `/api/v1/datasets/${hidden.slug}`, { title: 'Coba' }],
      ['get', `/api/v1/datasets/${hidden.slug}`],
      ['post', `/api/v1/datasets/${hidden.slug}/versions/1/submit`],
      ['get', `/dataset/${hidden.slug}`],
    ];
    for (const [method, url, body] of pairs) {
      const missing = url.replace(hidden.slug, 'tidak-pernah-ada');
      const a = await request(t.app)[method as 'get'](url).set(other).set('Accept', 'application/json').send(body);
      const b = await request(t.app)[method as 'get'](missing).set(other).set('Accept', 'application/json').send(body);
      expect([a.status, a.body]).toEqual([404, b.body]);
      expect(b.status).toBe(404);
    }
  });

  it('never lets a browser session write to the API, whatever Authorization header comes with it', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const browser = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    for (const auth of ['Basic eDp5', 'Bearer', 'Token abc', 'bearer ']) {
      await browser.patch(`/api/v1/datasets/${ds.slug}`).set('Authorization', auth).send({ title: 'Lewat cookie' }).expect(401);
    }
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).title).not.toBe('Lewat cookie');
  });

  it('answers out-of-range and malformed number filters with 400, not 500', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    for (const [col, v] of [['tahun', '99999999999999999999'], ['tahun', '2025.5'], ['tahun', '3000000000'], ['jumlah', '1e400'], ['jumlah', '12abc'], ['jumlah', '99999999999999999999']]) {
      const res = await request(t.app).get(`/api/v1/datasets/${ds.slug}/rows`).query({ [`filter[${col}]`]: v });
      expect([col, v, res.status]).toEqual([col, v, 400]);
      expect(res.body.error.code).toBe('invalid');
    }
    const ok = await request(t.app).get(`/api/v1/datasets/${ds.slug}/rows`).query({ 'filter[tahun]': '2025' }).expect(200);
    expect(ok.body.meta.total).toBe(2);
  });

  it('does not put a forged Host into absolute links when PUBLIC_URL is unset', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const res = await request(t.app).get(`/api/v1/datasets/${ds.slug}`).set('Host', 'evil.example').expect(200);
    expect(JSON.stringify(res.body)).not.toContain('evil.example');
    expect(res.body.data.url).toBe(`http://localhost:${t.svc.config.port}/dataset/${ds.slug}`);
    const local = await request(t.app).get(`/api/v1/datasets/${ds.slug}`).set('Host', '127.0.0.1:8123').expect(200);
    expect(local.body.data.url).toBe(`http://127.0.0.1:8123/dataset/${ds.slug}`);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
    const login = async (a: ReturnType<typeof createApp>) => {
      const agent = request.agent(a);
      const page = await agent.get('/login');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      await agent.post('/login').set('X-Forwarded-For', '203.0.113.9').type('form').send({ _csrf: csrf, email: t.w.admin.email, password: t.w.admin.password }).expect(303);
      return (await t.svc.db('audit_events').where({ actor_id: t.w.admin.actor.id, action: 'user.sign_in' }).orderBy('id', 'desc').first()).ip as string;
    };
    expect(await login(t.app)).not.toBe('203.0.113.9');
    const proxied = testServices({ env: { TRUST_PROXY: 'loopback' } });
    try {
      expect(await login(createApp(proxied))).toBe('203.0.113.9');
    } finally {
      await proxied.close();
    }
  });

  it('shows the pembina a priority dataset’s work only once the walidata has passed a version to it', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { prioritas: true, access_level: 'tertutup' });
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    const pembina = await bearer(t.w.pembina);
    const web = await signedIn(t.app, t.w.pembina.email, t.w.pembina.password);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}`).set(pembina).expect(404);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1/rows`).set(pembina).expect(404);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1`).set(pembina).expect(404);
    await web.get(`/review/${ds.slug}/1`).expect(404);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve' }, t.svc);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1/rows`).set(pembina).expect(200);
    await web.get(`/review/${ds.slug}/1`).expect(200);
    // A later draft of the same dataset stays with its OPD until the walidata passes it too.
    await perform(reviewVersion, t.w.pembina.actor, { slug: ds.slug, number: v.number, decision: 'approve' }, t.svc);
    await uploadContent(t.svc, t.w.producer.actor, ds.slug, `${SMALL_CSV}1802,TANGGAMUS,1,2025\n`);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/2`).set(pembina).expect(404);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1`).set(pembina).expect(200);
  });
});
