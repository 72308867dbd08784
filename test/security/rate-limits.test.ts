import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { makeWorld, type World } from '../support/factories';
import { csrfFrom } from '../support/http';
import { testServices, type TestServices } from '../support/services';

// The limits at their real values (the defaults, as the README states them), on an app of their
// own: the rest of the suite raises the sign-in limit. Rotating X-Forwarded-For must not escape
// them while no proxy is trusted (TRUST_PROXY unset), nor through a trusted proxy, which appends
// the address it saw.

const DEFAULTS = loadConfig({ NODE_ENV: 'test' });
const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

let svc: TestServices;
let w: World;
beforeAll(async () => {
  svc = testServices({ realLimits: true });
  w = await makeWorld(svc);
});
afterAll(() => svc.close());

/** A fresh app (its own in-memory sign-in counters) on the same services. */
const freshApp = (s: TestServices = svc): Express => createApp(s);
let n = 0;
const rotating = () => `198.51.100.${(n++ % 250) + 1}`;

describe('rate limits at their real values', () => {
  it('are the values the README states', () => {
    expect(README).toMatch(new RegExp(`\\| \`SIGN_IN_ATTEMPTS\` \\| \`${DEFAULTS.signInAttempts}\` \\|`));
    expect(README).toMatch(new RegExp(`\\| \`REQUESTS_PER_HOUR\` \\| \`${DEFAULTS.requestsPerHour}\` \\|`));
    expect(svc.config.signInAttempts).toBe(DEFAULTS.signInAttempts);
    expect(svc.config.requestsPerHour).toBe(DEFAULTS.requestsPerHour);
  });

  it('the sign-in form answers 429 after SIGN_IN_ATTEMPTS failures from one address, however X-Forwarded-For rotates', async () => {
    const app = freshApp();
    const agent = request.agent(app);
    const csrf = csrfFrom((await agent.get('/login').expect(200)).text);
    const codes: number[] = [];
    for (let i = 0; i < DEFAULTS.signInAttempts + 1; i++) {
      codes.push((await agent.post('/login').set('X-Forwarded-For', rotating()).type('form').send({ _csrf: csrf, email: w.producer.email, password: 'salah-sekali-12' })).status);
    }
    expect(codes).toEqual([...Array(DEFAULTS.signInAttempts).fill(401), 429]);
    // The right password does not get through either until the window has passed.
    const blocked = await agent.post('/login').set('X-Forwarded-For', rotating()).type('form').send({ _csrf: csrf, email: w.producer.email, password: w.producer.password });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Terlalu banyak');
    expect((await agent.get('/dashboard').expect(302)).headers.location).toMatch(/^\/login/);
  });

  it('successful sign-ins do not count against the form’s limit', async () => {
    const app = freshApp();
    for (let i = 0; i < DEFAULTS.signInAttempts + 2; i++) {
      const agent = request.agent(app);
      const csrf = csrfFrom((await agent.get('/login').expect(200)).text);
      await agent.post('/login').type('form').send({ _csrf: csrf, email: w.producer.email, password: w.producer.password }).expect(303);
    }
  });

  it('POST /api/v1/tokens answers 429 after SIGN_IN_ATTEMPTS tries from one address, however X-Forwarded-For rotates', async () => {
    const app = freshApp();
    const codes: number[] = [];
    for (let i = 0; i < DEFAULTS.signInAttempts + 1; i++) {
      codes.push((await request(app).post('/api/v1/tokens').set('X-Forwarded-For', rotating()).send({ email: w.producer.email, password: 'salah-sekali-12' })).status);
    }
    expect(codes).toEqual([...Array(DEFAULTS.signInAttempts).fill(401), 429]);
    const res = await request(app).post('/api/v1/tokens').send({ email: w.producer.email, password: w.producer.password }).expect(429);
    expect(res.body.error.code).toBe('rate_limited');
    expect(res.body.token).toBeUndefined();
  });

  it('data requests answer 429 after REQUESTS_PER_HOUR from one address, however X-Forwarded-For rotates', async () => {
    const app = freshApp();
    const codes: number[] = [];
    for (let i = 0; i < DEFAULTS.requestsPerHour + 1; i++) {
      codes.push((await request(app).post('/api/v1/requests').set('X-Forwarded-For', rotating()).send({ title: `Permintaan batas ${i}`, name: 'Sari', email: 'sari@contoh.id' })).status);
    }
    expect(codes).toEqual([...Array(DEFAULTS.requestsPerHour).fill(201), 429]);
    const [{ n: stored }] = await svc.db('data_requests').where('title', 'like', 'Permintaan batas %').count<{ n: string }[]>({ n: '*' });
    expect(Number(stored)).toBe(DEFAULTS.requestsPerHour);
  });

  it('behind a trusted proxy, the address the proxy saw counts, not what the client forged before it', async () => {
    const proxied = testServices({ realLimits: true, env: { TRUST_PROXY: 'loopback' } });
    try {
      const app = createApp(proxied);
      const codes: number[] = [];
      // The proxy appends the client's address to whatever X-Forwarded-For the client sent.
      for (let i = 0; i < DEFAULTS.requestsPerHour + 1; i++) {
        codes.push((await request(app).post('/api/v1/requests').set('X-Forwarded-For', `${rotating()}, 203.0.113.7`).send({ title: `Lewat proksi ${i}`, name: 'Sari', email: 'sari@contoh.id' })).status);
      }
      expect(codes).toEqual([...Array(DEFAULTS.requestsPerHour).fill(201), 429]);
      // Another client behind the same proxy has its own allowance.
      await request(app).post('/api/v1/requests').set('X-Forwarded-For', '203.0.113.8').send({ title: 'Klien lain', name: 'Budi', email: 'budi@contoh.id' }).expect(201);
    } finally {
      await proxied.close();
    }
  });
});
