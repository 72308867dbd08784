import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app';
import { deliverDueWebhooks, enqueueWebhookEvents, PAUSE_AFTER_MS } from '../../server/exchange/webhooks';
import { makeOrg, makeWorld, publishedDataset, type World } from '../support/factories';
import { tokenFor } from '../support/http';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';

// Its own database: the dispatcher's cursor and the deliveries are the whole database's.
let svc: TestServices;
let app: Express;
let w: World;
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;

interface Received { path: string; body: string; headers: http.IncomingHttpHeaders }
const received: Received[] = [];
let failNext = 0;
let receiver: http.Server;
let base = '';

beforeAll(async () => {
  isolated = await isolatedDatabase();
  svc = testServices({ url: isolated.url, env: { FETCH_ALLOW_HOSTS: '127.0.0.1' } });
  app = createApp(svc);
  w = await makeWorld(svc);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body, headers: req.headers });
      if (req.url === '/mati') return res.writeHead(503).end('mati');
      if (failNext > 0) {
        failNext--;
        return res.writeHead(500).end('sibuk');
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  await enqueueWebhookEvents(svc, 0); // the dispatcher starts here
});
afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await svc.close();
  await isolated.drop();
});

const bearer = async (u: { email: string; password: string }) => ({ Authorization: `Bearer ${await tokenFor(app, u.email, u.password)}` });
const sweep = async () => {
  await enqueueWebhookEvents(svc, 0);
  return deliverDueWebhooks(svc);
};
const verify = (r: Received, secret: string) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['x-satudata-signature']));
  expect(m).not.toBeNull();
  const expected = crypto.createHmac('sha256', secret).update(`${m![1]}.${r.body}`).digest('hex');
  expect(crypto.timingSafeEqual(Buffer.from(m![2], 'hex'), Buffer.from(expected, 'hex'))).toBe(true);
  expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(60);
};

describe('webhooks', () => {
  it('delivers a publication signed with the subscriber\'s secret, retrying after a 500, and logs each attempt', async () => {
    const created = await request(app).post('/api/v1/webhooks').set(await bearer(w.walidata)).send({ url: `${base}/terima`, events: ['published', 'retracted'], organization: w.opd.slug }).expect(201);
    const { id, secret } = created.body.data;
    expect(secret).toMatch(/^whsec_/);
    // The secret is shown once, and kept sealed.
    const listed = await request(app).get('/api/v1/webhooks').set(await bearer(w.walidata)).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect((await svc.db('webhooks').where({ id }).first()).secret_sealed).not.toContain(secret);

    failNext = 1;
    const { ds } = await publishedDataset(svc, w);
    expect(await sweep()).toBe(0); // answered 500
    const first = received.filter((r) => r.path === '/terima');
    expect(first).toHaveLength(1);
    verify(first[0], secret);
    let log = (await request(app).get(`/api/v1/webhooks/${id}/deliveries`).set(await bearer(w.walidata)).expect(200)).body.data;
    expect(log).toEqual([expect.objectContaining({ event: 'published', dataset: ds.slug, status: 'retrying', attempts: 1, last_status: 500, next_attempt_at: expect.any(String) })]);
    expect(Date.parse(log[0].next_attempt_at)).toBeGreaterThan(Date.now());
    // Nothing is sent again before its time…
    expect(await sweep()).toBe(0);
    expect(received.filter((r) => r.path === '/terima')).toHaveLength(1);
    // …and at its time it is, and arrives.
    await svc.db('webhook_deliveries').where({ webhook_id: id }).update({ next_attempt_at: svc.db.raw("now() - interval '1 second'") });
    expect(await sweep()).toBe(1);
    const both = received.filter((r) => r.path === '/terima');
    expect(both).toHaveLength(2);
    verify(both[1], secret);
    expect(both[1].body).toBe(both[0].body); // the same event, the same body
    const event = JSON.parse(both[1].body);
    expect(event).toMatchObject({ type: 'published', dataset: { slug: ds.slug, url: expect.stringContaining(`/dataset/${ds.slug}`) }, version: 1 });
    expect(both[1].headers['x-satudata-event']).toBe('published');
    log = (await request(app).get(`/api/v1/webhooks/${id}/deliveries`).set(await bearer(w.walidata)).expect(200)).body.data;
    expect(log[0]).toMatchObject({ status: 'delivered', attempts: 2, last_status: 204 });
    // A later sweep sends nothing twice.
    expect(await sweep()).toBe(0);
    expect(received.filter((r) => r.path === '/terima')).toHaveLength(2);
  });

  it('sends only the events, organizations and public datasets a subscriber asked for', async () => {
    const other = await makeOrg(svc, 'opd', 'OPD Lain Webhook');
    const walidata = await bearer(w.walidata);
    await request(app).post('/api/v1/webhooks').set(walidata).send({ url: `${base}/lain`, events: ['published'], organization: other.slug }).expect(201);
    await request(app).post('/api/v1/webhooks').set(walidata).send({ url: `${base}/tarik`, events: ['retracted'] }).expect(201);
    await request(app).post('/api/v1/webhooks').set(walidata).send({ url: `${base}/semua`, events: ['published'] }).expect(201);
    const before = received.length;
    await publishedDataset(svc, w, undefined, { access_level: 'tertutup' });
    await publishedDataset(svc, w);
    await sweep();
    const paths = received.slice(before).map((r) => r.path).sort();
    // One open publication of this OPD: the closed one, the other OPD's and the retraction-only subscribers get nothing.
    expect(paths).toEqual(['/semua', '/terima']);
  });

  it('refuses subscribers that may not subscribe, and delivers to no private address', async () => {
    await request(app).post('/api/v1/webhooks').send({ url: `${base}/x`, events: ['published'] }).expect(401);
    await request(app).post('/api/v1/webhooks').set(await bearer(w.otherProducer)).send({ url: `${base}/x`, events: ['published'], organization: w.opd.slug }).expect(403);
    await request(app).post('/api/v1/webhooks').set(await bearer(w.producer)).send({ url: `${base}/x`, events: ['published'] }).expect(403);
    await request(app).post('/api/v1/webhooks').set(await bearer(w.producer)).send({ url: 'ftp://x.example/', events: ['published'], organization: w.opd.slug }).expect(400);
    const own = await request(app).post('/api/v1/webhooks').set(await bearer(w.producer)).send({ url: 'http://169.254.169.254/latest', events: ['published'], organization: w.opd.slug }).expect(201);
    await publishedDataset(svc, w);
    await sweep();
    const [d] = await svc.db('webhook_deliveries').where({ webhook_id: own.body.data.id });
    expect(d).toMatchObject({ status: 'retrying', attempts: 1, last_status: null });
    expect(d.last_error).toMatch(/private, loopback or special/);
    // Another producer can neither see nor remove it; its owner can.
    await request(app).get(`/api/v1/webhooks/${own.body.data.id}/deliveries`).set(await bearer(w.otherProducer)).expect(404);
    await request(app).delete(`/api/v1/webhooks/${own.body.data.id}`).set(await bearer(w.otherProducer)).expect(404);
    await request(app).delete(`/api/v1/webhooks/${own.body.data.id}`).set(await bearer(w.producer)).expect(200);
    expect(await svc.db('webhook_deliveries').where({ webhook_id: own.body.data.id })).toHaveLength(0);
  });

  it('pauses a subscriber that has failed for a day and tells its owner', async () => {
    const made = await request(app).post('/api/v1/webhooks').set(await bearer(w.producer)).send({ url: `${base}/mati`, events: ['published'], organization: w.opd.slug }).expect(201);
    const id = made.body.data.id;
    await svc.db('webhooks').where({ id }).update({ failing_since: new Date(Date.now() - PAUSE_AFTER_MS - 60_000) });
    await publishedDataset(svc, w);
    await sweep();
    const hook = await svc.db('webhooks').where({ id }).first();
    expect(hook).toMatchObject({ active: false, paused_at: expect.any(Date) });
    expect(await svc.db('webhook_deliveries').where({ webhook_id: id }).pluck('status')).toEqual(['abandoned']);
    expect(await svc.db('notifications').where({ user_id: w.producer.actor.id, kind: 'webhook_paused' })).toHaveLength(1);
    const listed = await request(app).get('/api/v1/webhooks').set(await bearer(w.producer)).expect(200);
    expect(listed.body.data.find((h: { id: number }) => h.id === id)).toMatchObject({ active: false, paused_at: expect.any(String) });
  });
});
