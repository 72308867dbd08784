import crypto from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../server/app';
import { loadConfig, weakSecret } from '../../server/config';
import { makeUser, uid } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { testServices } from '../support/services';
import { testWorld } from '../support/world';

// The limits at their real values (SIGN_IN_ATTEMPTS 20 per 15 minutes, 5 free failures per account),
// counted in PostgreSQL. Each test takes a namespace of its own, so the counters start at zero.
const t = testWorld();

type Agent = ReturnType<typeof request.agent>;

/** An app on the test database with its own rate-limit namespace (optionally shared, optionally behind a proxy). */
function appWith(env: Record<string, string> = {}) {
  const svc = testServices({ env: { RATE_LIMIT_NAMESPACE: `t-${uid()}`, SIGN_IN_ATTEMPTS: '20', ...env } });
  opened.push(svc);
  return { svc, app: createApp(svc) };
}
const opened: Array<ReturnType<typeof testServices>> = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

async function tryLogin(agent: Agent, email: string, password: string, headers: Record<string, string> = {}) {
  const page = await agent.get('/login').expect(200);
  return agent.post('/login').set(headers).type('form').send({ _csrf: csrfFrom(page.text), email, password });
}

/** Lets the account's current lock run out (as if its minutes had passed). */
async function expireLock(svc: ReturnType<typeof testServices>, email: string) {
  await svc.db('rate_limits').where('key', 'like', `%:login-lock:${email.toLowerCase()}`).update({ expire: Date.now() - 1 });
}

describe('sign-in limits', () => {
  it('locks an account after 5 failures in a row, even for the right password, with a doubling wait', async () => {
    const { svc, app } = appWith();
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const agent = request.agent(app);
    for (let i = 0; i < 5; i++) expect((await tryLogin(agent, u.email, 'salah-sekali-ini')).status).toBe(401);
    const locked = await tryLogin(agent, u.email, u.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(50);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(locked.text).toContain('untuk akun ini');
    // The same account is locked through the API too (one counter for every way in).
    const api = await request(app).post('/api/v1/tokens').send({ email: u.email.toUpperCase(), password: u.password }).expect(429);
    expect(api.body.error.code).toBe('rate_limited');
    // Once the minute is over, one more failure locks it for two minutes.
    await expireLock(svc, u.email);
    expect((await tryLogin(agent, u.email, 'salah-lagi-sekali')).status).toBe(401);
    const longer = await tryLogin(agent, u.email, u.password);
    expect(longer.status).toBe(429);
    expect(Number(longer.headers['retry-after'])).toBeGreaterThan(110);
    expect(Number(longer.headers['retry-after'])).toBeLessThanOrEqual(120);
    // Past the lock, the right password signs in and clears the count.
    await expireLock(svc, u.email);
    expect((await tryLogin(agent, u.email, u.password)).status).toBe(303);
    const fresh = request.agent(app);
    expect((await tryLogin(fresh, u.email, 'salah-sekali-ini')).status).toBe(401);
    expect((await tryLogin(fresh, u.email, u.password)).status).toBe(303);
  });

  it('locks an e-mail without an account the same way (a lock tells nothing)', async () => {
    const { app } = appWith();
    const agent = request.agent(app);
    const ghost = `tidak-ada-${uid()}@x.id`;
    for (let i = 0; i < 5; i++) expect((await tryLogin(agent, ghost, 'salah-sekali-ini')).status).toBe(401);
    expect((await tryLogin(agent, ghost, 'salah-sekali-ini')).status).toBe(429);
  });

  it('limits an address to 20 failures in 15 minutes, and a forged X-Forwarded-For does not escape it', async () => {
    const { app } = appWith();
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const agent = request.agent(app);
    for (let i = 0; i < 20; i++) {
      const res = await tryLogin(agent, `acak-${i}-${uid()}@x.id`, 'salah-sekali-ini', { 'X-Forwarded-For': `198.51.100.${i + 1}` });
      expect(res.status).toBe(401);
    }
    const blocked = await tryLogin(agent, u.email, u.password, { 'X-Forwarded-For': '198.51.100.200' });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('dari alamat ini');
  });

  it('counts each client behind a configured proxy by its forwarded address', async () => {
    const { app } = appWith({ TRUST_PROXY: 'loopback' });
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const agent = request.agent(app);
    for (let i = 0; i < 20; i++) await tryLogin(agent, `acak-${i}-${uid()}@x.id`, 'salah-sekali-ini', { 'X-Forwarded-For': '203.0.113.7' });
    expect((await tryLogin(agent, u.email, u.password, { 'X-Forwarded-For': '203.0.113.7' })).status).toBe(429);
    expect((await tryLogin(agent, u.email, u.password, { 'X-Forwarded-For': '203.0.113.8' })).status).toBe(303);
  });

  it('shares the counters between two app processes on one database', async () => {
    const ns = `shared-${uid()}`;
    const a = appWith({ RATE_LIMIT_NAMESPACE: ns });
    const b = appWith({ RATE_LIMIT_NAMESPACE: ns });
    expect(a.svc.db).not.toBe(b.svc.db);
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    for (let i = 0; i < 3; i++) expect((await tryLogin(request.agent(a.app), u.email, 'salah-sekali-ini')).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await tryLogin(request.agent(b.app), u.email, 'salah-sekali-ini')).status).toBe(401);
    expect((await tryLogin(request.agent(a.app), u.email, u.password)).status).toBe(429);
    expect((await request(b.app).post('/api/v1/tokens').send({ email: u.email, password: u.password })).status).toBe(429);
  });

  it('limits reset-link requests to 10 an hour per address', async () => {
    const { app } = appWith();
    const agent = request.agent(app);
    const page = await agent.get('/password/forgot').expect(200);
    for (let i = 0; i < 10; i++) await agent.post('/password/forgot').type('form').send({ _csrf: csrfFrom(page.text), email: `x${i}@x.id` }).expect(200);
    const res = await agent.post('/password/forgot').type('form').send({ _csrf: csrfFrom(page.text), email: 'x@x.id' }).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(3500);
  });
});

describe('sessions', () => {
  const sid = (res: { headers: Record<string, unknown> }) => /sdp\.sid=([^;]+)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1];

  it('gets a new id at sign-in and an idle expiry of SESSION_IDLE_MINUTES', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const agent = request.agent(t.app);
    const page = await agent.get('/login').expect(200);
    const before = sid(page);
    expect(before).toBeDefined();
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), email: u.email, password: u.password }).expect(303);
    expect(sid(res)).toBeDefined();
    expect(sid(res)).not.toBe(before);
    const expires = new Date(/Expires=([^;]+)/.exec(String(res.headers['set-cookie']))![1]).getTime();
    expect(Math.abs(expires - (Date.now() + 7200_000))).toBeLessThan(60_000);
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly/);
    // Unused past its idle time, the stored session no longer counts.
    await agent.get('/account').expect(200);
    await t.svc.db('sessions').whereRaw("(sess->>'userId') = ?", [String(u.actor.id)]).update({ expire: t.svc.db.raw("now() - interval '1 second'") });
    expect((await agent.get('/account').expect(302)).headers.location).toMatch(/^\/login/);
  });

  it('ends a busy session SESSION_MAX_HOURS after its sign-in', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const agent = await signedIn(t.app, u.email, u.password);
    await agent.get('/account').expect(200);
    const thirteenHoursAgo = Date.now() - 13 * 3600_000;
    await t.svc.db('sessions').whereRaw("(sess->>'userId') = ?", [String(u.actor.id)]).update({ sess: t.svc.db.raw("jsonb_set(sess::jsonb, '{signedInAt}', to_jsonb(?::bigint))::json", [thirteenHoursAgo]) });
    expect((await agent.get('/account').expect(302)).headers.location).toMatch(/^\/login/);
  });
});

describe('SESSION_SECRET in production', () => {
  it('refuses to start without a long, random secret', () => {
    const prod = (SESSION_SECRET?: string) => () => loadConfig({ NODE_ENV: 'production', ...(SESSION_SECRET === undefined ? {} : { SESSION_SECRET }) });
    expect(prod()).toThrow(/SESSION_SECRET is required/);
    expect(prod('pendek')).toThrow(/at least 32 characters/);
    expect(prod('a'.repeat(64))).toThrow(/does not look random/);
    expect(prod('abababababababababababababababababababab')).toThrow(/does not look random/);
    expect(prod('changeme-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')).toThrow(/placeholder/);
    const good = crypto.randomBytes(48).toString('base64');
    expect(weakSecret(good)).toBeNull();
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: good }).sessionSecret).toBe(good);
    // Outside production a secret is derived for the data directory.
    expect(loadConfig({ NODE_ENV: 'development' }).sessionSecret).toMatch(/^dev-secret:/);
  });
});
