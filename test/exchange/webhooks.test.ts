import crypto from 'node:crypto';
import request from 'supertest';
import { PAUSE_AFTER_MS } from '../../server/exchange/webhooks';
import { makeOrg, publishedDataset } from '../support/factories';
import { webhookWorld, type Received } from '../support/webhooks';

// Its own database (webhookWorld): the dispatcher's cursor and the deliveries are the whole database's.
let failNext = 0;
const t = webhookWorld((r) => {
  if (r.path === '/mati') return { status: 503, body: 'mati' };
  if (failNext > 0) {
    failNext--;
    return { status: 500, body: 'sibuk' };
  }
  return { status: 204 };
});
const verify = (r: Received, secret: string) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['x-satudata-signature']));
  expect(m).not.toBeNull();
  const expected = crypto.createHmac('sha256', secret).update(`${m![1]}.${r.body}`).digest('hex');
  expect(crypto.timingSafeEqual(Buffer.from(m![2], 'hex'), Buffer.from(expected, 'hex'))).toBe(true);
  expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(60);
};

describe('webhooks', () => {
  it('delivers a publication signed with the subscriber\'s secret, retrying after a 500, and logs each attempt', async () => {
    const created = await request(t.app).post('/api/v1/webhooks').set(await t.bearer(t.w.walidata)).send({ url: `${t.base}/terima`, events: ['published', 'retracted'], organization: t.w.opd.slug }).expect(201);
    const { id, secret } = created.body.data;
    expect(secret).toMatch(/^whsec_/);
    // The secret is shown once, and kept sealed.
    const listed = await request(t.app).get('/api/v1/webhooks').set(await t.bearer(t.w.walidata)).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect((await t.svc.db('webhooks').where({ id }).first()).secret_sealed).not.toContain(secret);

    failNext = 1;
    const { ds } = await publishedDataset(t.svc, t.w);
    expect(await t.sweep()).toBe(0); // answered 500
    const first = t.received.filter((r) => r.path === '/terima');
    expect(first).toHaveLength(1);
    verify(first[0], secret);
    let log = (await request(t.app).get(`/api/v1/webhooks/${id}/deliveries`).set(await t.bearer(t.w.walidata)).expect(200)).body.data;
    expect(log).toEqual([expect.objectContaining({ event: 'published', dataset: ds.slug, status: 'retrying', attempts: 1, last_status: 500, next_attempt_at: expect.any(String) })]);
    expect(Date.parse(log[0].next_attempt_at)).toBeGreaterThan(Date.now());
    // Nothing is sent again before its time…
    expect(await t.sweep()).toBe(0);
    expect(t.received.filter((r) => r.path === '/terima')).toHaveLength(1);
    // …and at its time it is, and arrives.
    await t.svc.db('webhook_deliveries').where({ webhook_id: id }).update({ next_attempt_at: t.svc.db.raw("now() - interval '1 second'") });
    expect(await t.sweep()).toBe(1);
    const both = t.received.filter((r) => r.path === '/terima');
    expect(both).toHaveLength(2);
    verify(both[1], secret);
    expect(both[1].body).toBe(both[0].body); // the same event, the same body
    const event = JSON.parse(both[1].body);
    expect(event).toMatchObject({ type: 'published', dataset: { slug: ds.slug, url: expect.stringContaining(`/dataset/${ds.slug}`) }, version: 1 });
    expect(both[1].headers['x-satudata-event']).toBe('published');
    log = (await request(t.app).get(`/api/v1/webhooks/${id}/deliveries`).set(await t.bearer(t.w.walidata)).expect(200)).body.data;
    expect(log[0]).toMatchObject({ status: 'delivered', attempts: 2, last_status: 204 });
    // A later sweep sends nothing twice.
    expect(await t.sweep()).toBe(0);
    expect(t.received.filter((r) => r.path === '/terima')).toHaveLength(2);
  });

  it('sends only the events, organizations and public datasets a subscriber asked for', async () => {
    const other = await makeOrg(t.svc, 'opd', 'OPD Lain Webhook');
    const walidata = await t.bearer(t.w.walidata);
    await request(t.app).post('/api/v1/webhooks').set(walidata).send({ url: `${t.base}/lain`, events: ['published'], organization: other.slug }).expect(201);
    await request(t.app).post('/api/v1/webhooks').set(walidata).send({ url: `${t.base}/tarik`, events: ['retracted'] }).expect(201);
    await request(t.app).post('/api/v1/webhooks').set(walidata).send({ url: `${t.base}/semua`, events: ['published'] }).expect(201);
    const before = t.received.length;
    await publishedDataset(t.svc, t.w, undefined, { access_level: 'tertutup' });
    await publishedDataset(t.svc, t.w);
    await t.sweep();
    const paths = t.received.slice(before).map((r) => r.path).sort();
    // One open publication of this OPD: the closed one, the other OPD's and the retraction-only subscribers get nothing.
    expect(paths).toEqual(['/semua', '/terima']);
  });

  it('refuses subscribers that may not subscribe, and delivers to no private address', async () => {
    await request(t.app).post('/api/v1/webhooks').send({ url: `${t.base}/x`, events: ['published'] }).expect(401);
    await request(t.app).post('/api/v1/webhooks').set(await t.bearer(t.w.otherProducer)).send({ url: `${t.base}/x`, events: ['published'], organization: t.w.opd.slug }).expect(403);
    await request(t.app).post('/api/v1/webhooks').set(await t.bearer(t.w.producer)).send({ url: `${t.base}/x`, events: ['published'] }).expect(403);
    await request(t.app).post('/api/v1/webhooks').set(await t.bearer(t.w.producer)).send({ url: 'ftp://x.example/', events: ['published'], organization: t.w.opd.slug }).expect(400);
    const own = await request(t.app).post('/api/v1/webhooks').set(await t.bearer(t.w.producer)).send({ url: 'http://169.254.169.254/latest', events: ['published'], organization: t.w.opd.slug }).expect(201);
    await publishedDataset(t.svc, t.w);
    await t.sweep();
    const [d] = await t.svc.db('webhook_deliveries').where({ webhook_id: own.body.data.id });
    expect(d).toMatchObject({ status: 'retrying', attempts: 1, last_status: null });
    expect(d.last_error).toMatch(/private, loopback or special/);
    // Another producer can neither see nor remove it; its owner can.
    await request(t.app).get(`/api/v1/webhooks/${own.body.data.id}/deliveries`).set(await t.bearer(t.w.otherProducer)).expect(404);
    await request(t.app).delete(`/api/v1/webhooks/${own.body.data.id}`).set(await t.bearer(t.w.otherProducer)).expect(404);
    await request(t.app).delete(`/api/v1/webhooks/${own.body.data.id}`).set(await t.bearer(t.w.producer)).expect(200);
    expect(await t.svc.db('webhook_deliveries').where({ webhook_id: own.body.data.id })).toHaveLength(0);
  });

  it('pauses a subscriber that has failed for a day and tells its owner', async () => {
    const made = await request(t.app).post('/api/v1/webhooks').set(await t.bearer(t.w.producer)).send({ url: `${t.base}/mati`, events: ['published'], organization: t.w.opd.slug }).expect(201);
    const id = made.body.data.id;
    await t.svc.db('webhooks').where({ id }).update({ failing_since: new Date(Date.now() - PAUSE_AFTER_MS - 60_000) });
    await publishedDataset(t.svc, t.w);
    await t.sweep();
    const hook = await t.svc.db('webhooks').where({ id }).first();
    expect(hook).toMatchObject({ active: false, paused_at: expect.any(Date) });
    expect(await t.svc.db('webhook_deliveries').where({ webhook_id: id }).pluck('status')).toEqual(['abandoned']);
    expect(await t.svc.db('notifications').where({ user_id: t.w.producer.actor.id, kind: 'webhook_paused' })).toHaveLength(1);
    const listed = await request(t.app).get('/api/v1/webhooks').set(await t.bearer(t.w.producer)).expect(200);
    expect(listed.body.data.find((h: { id: number }) => h.id === id)).toMatchObject({ active: false, paused_at: expect.any(String) });
  });
});
