import request from 'supertest';
import { perform } from '../../server/actions/action';
import { createDataset } from '../../server/actions/datasets';
import { issueToken } from '../../server/actions/accounts';
import { actorForToken } from '../../server/auth/actors';
import { AppError } from '../../server/errors';
import { makeUser } from '../support/factories';
import { csrfFrom, signedIn, tokenFor } from '../support/http';
import { testWorld } from '../support/world';

const t = testWorld();
const api = () => request(t.app);
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** POST /api/v1/tokens with the user's credentials, expecting `status`. */
function issue(u: { email: string; password: string }, body: Record<string, unknown> = {}, status = 201) {
  return api().post('/api/v1/tokens').send({ email: u.email, password: u.password, ...body }).expect(status);
}

describe('API tokens', () => {
  it('stores a new token only hashed, shows it once and lists it without its secret', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const res = await issue(u, { name: 'Skrip SIPD' });
    const token = res.body.token as string;
    expect(token).toMatch(/^sdp_/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.data).toMatchObject({ name: 'Skrip SIPD', scope: 'write', expires_at: null });
    const row = await t.svc.db('api_tokens').where({ id: res.body.data.id }).first();
    expect(JSON.stringify(row)).not.toContain(token.slice(10));
    const list = await api().get('/api/v1/tokens').set(auth(token)).expect(200);
    expect(list.body.data).toEqual([expect.objectContaining({ id: res.body.data.id, name: 'Skrip SIPD', scope: 'write', status: 'active', prefix: token.slice(0, 10) })]);
    expect(JSON.stringify(list.body)).not.toContain(token.slice(10));
    expect(Object.keys(list.body.data[0]).sort()).toEqual(['created_at', 'expires_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked_at', 'scope', 'status']);
  });

  it('lists only the caller’s own tokens', async () => {
    const a = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const b = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const ta = (await issue(a)).body.token;
    const tb = (await issue(b)).body;
    const mine = await api().get('/api/v1/tokens').set(auth(ta)).expect(200);
    expect(mine.body.data.map((x: { id: number }) => x.id)).not.toContain(tb.data.id);
    expect(mine.body.data).toHaveLength(1);
    await api().get('/api/v1/tokens').expect(401);
  });

  it('lets a read token read but never write, through the API or an action', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const res = await issue(u, { scope: 'read' });
    const read = res.body.token as string;
    expect(res.body.data.scope).toBe('read');
    await api().get('/api/v1/tokens').set(auth(read)).expect(200);
    await api().get('/api/v1/review-queue').set(auth(read)).expect(200);
    const refused = await api()
      .post('/api/v1/datasets')
      .set(auth(read))
      .send({ organization: t.w.opd.slug, title: 'Tidak boleh', topic: 'kependudukan', frequency: 'tahunan' })
      .expect(403);
    expect(refused.body.error.message).toMatch(/scope/);
    // A read token cannot make itself a write token, nor revoke one.
    await api().post('/api/v1/tokens').set(auth(read)).send({ scope: 'write' }).expect(403);
    await api().delete(`/api/v1/tokens/${res.body.data.id}`).set(auth(read)).expect(403);
    expect(await t.svc.db('datasets').where({ title: 'Tidak boleh' }).first()).toBeUndefined();
    // Below the routes: the actor a read token yields is refused by every action.
    const actor = await actorForToken(t.svc.db, read);
    expect(actor?.token?.scope).toBe('read');
    const err = await perform(createDataset, actor, { organization: t.w.opd.slug, title: 'Tidak boleh juga', topic: 'kependudukan' }, t.svc).catch((e: unknown) => e);
    expect((err as AppError).status).toBe(403);
  });

  it('lets a write token make a read token for the same user without a password', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const write = await tokenFor(t.app, u.email, u.password);
    const res = await api().post('/api/v1/tokens').set(auth(write)).send({ name: 'Dasbor', scope: 'read', expires_in_days: 30 }).expect(201);
    expect(res.body.data.scope).toBe('read');
    const days = (new Date(res.body.data.expires_at).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    await api().post('/api/v1/tokens').send({ name: 'tanpa apa pun' }).expect(401);
  });

  it('refuses a past or too distant expiry, and stops an expired token', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    await issue(u, { expires_at: '2020-01-01T00:00:00Z' }, 400);
    await issue(u, { expires_in_days: 100_000 }, 400);
    const res = await issue(u, { expires_in_days: 1 });
    const token = res.body.token as string;
    await api().get('/api/v1/tokens').set(auth(token)).expect(200);
    await t.svc.db('api_tokens').where({ id: res.body.data.id }).update({ expires_at: t.svc.db.raw("now() - interval '1 second'") });
    await api().get('/api/v1/tokens').set(auth(token)).expect(401);
    const other = await tokenFor(t.app, u.email, u.password);
    const listed = await api().get('/api/v1/tokens').set(auth(other)).expect(200);
    expect(listed.body.data.find((x: { id: number }) => x.id === res.body.data.id).status).toBe('expired');
  });

  it('revokes the caller’s own token, hides others’ tokens, lets the admin revoke any', async () => {
    const a = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const b = await makeUser(t.svc, 'produsen', t.w.otherOpd.slug);
    const ta = await issue(a).then((r) => r.body);
    const ta2 = await issue(a).then((r) => r.body);
    const tb = await issue(b).then((r) => r.body);
    // Someone else's token reads as a missing one.
    const hidden = await api().delete(`/api/v1/tokens/${tb.data.id}`).set(auth(ta.token)).expect(404);
    const missing = await api().delete('/api/v1/tokens/2147483000').set(auth(ta.token)).expect(404);
    expect(hidden.body).toEqual(missing.body);
    await api().get('/api/v1/tokens').set(auth(tb.token)).expect(200);
    await api().delete(`/api/v1/tokens/${ta2.data.id}`).set(auth(ta.token)).expect(200, { data: { id: ta2.data.id, revoked: true } });
    await api().get('/api/v1/tokens').set(auth(ta2.token)).expect(401);
    const admin = await tokenFor(t.app, t.w.admin.email, t.w.admin.password);
    await api().delete(`/api/v1/tokens/${tb.data.id}`).set(auth(admin)).expect(200);
    await api().get('/api/v1/tokens').set(auth(tb.token)).expect(401);
    const events = await t.svc.db('audit_events').where({ action: 'token.revoke', target_id: String(tb.data.id) });
    expect(events).toHaveLength(1);
    expect(events[0].actor_id).toBe(t.w.admin.actor.id);
    // A browser session cannot revoke through the API (no CSRF there).
    const browser = await signedIn(t.app, a.email, a.password);
    await browser.delete(`/api/v1/tokens/${ta.data.id}`).expect(401);
    await api().get('/api/v1/tokens').set(auth(ta.token)).expect(200);
  });

  it('stops the tokens of a deactivated user', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const token = await tokenFor(t.app, u.email, u.password);
    await api().get('/api/v1/tokens').set(auth(token)).expect(200);
    await t.svc.db('users').where({ id: u.actor.id }).update({ active: false });
    await api().get('/api/v1/tokens').set(auth(token)).expect(401);
  });

  it('records who issued a token for someone else', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const out = await perform(issueToken, t.w.admin.actor, { email: u.email, name: 'Akun layanan', scope: 'read' }, t.svc);
    const row = await t.svc.db('api_tokens').where({ id: out.id }).first();
    expect(row.created_by).toBe(t.w.admin.actor.id);
    const ev = await t.svc.db('audit_events').where({ action: 'token.issue', target_id: String(out.id) }).first();
    expect(ev.details).toMatchObject({ user: u.email, scope: 'read' });
  });
});

describe('the account’s token page', () => {
  it('makes a token shown once, lists it and revokes it, in both languages', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const agent = await signedIn(t.app, u.email, u.password);
    const page = await agent.get('/account/tokens').expect(200);
    expect(page.text).toContain('Token API');
    const made = await agent.post('/account/tokens').type('form').send({ _csrf: csrfFrom(page.text), name: 'Skrip <b>saya</b>', scope: 'read', expires_in_days: '30' }).expect(201);
    expect(made.headers['cache-control']).toBe('no-store');
    const token = /class="token-value"[^>]*>(sdp_[^<]+)</.exec(made.text)?.[1];
    expect(token).toBeDefined();
    expect(made.text).toContain('Skrip &lt;b&gt;saya&lt;/b&gt;');
    expect(made.text).not.toContain('<b>saya</b>');
    await api().get('/api/v1/tokens').set(auth(token!)).expect(200);
    const again = await agent.get('/account/tokens').expect(200);
    expect(again.text).not.toContain(token!);
    expect(again.text).toContain(token!.slice(0, 10));
    const row = await t.svc.db('api_tokens').where({ user_id: u.actor.id }).first();
    expect(row).toMatchObject({ scope: 'read' });
    expect((new Date(row.expires_at).getTime() - Date.now()) / 86_400_000).toBeGreaterThan(29.9);
    await agent.post(`/account/tokens/${row.id}/revoke`).type('form').send({ _csrf: csrfFrom(again.text) }).expect(303);
    await api().get('/api/v1/tokens').set(auth(token!)).expect(401);
    const en = await agent.get('/account/tokens?lang=en').expect(200);
    expect(en.text).toContain('API tokens');
    expect(en.text).toContain('revoked');
  });

  it('refuses the forms without their CSRF token, and sends the public to sign in', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const agent = await signedIn(t.app, u.email, u.password);
    await agent.post('/account/tokens').type('form').send({ name: 'x' }).expect(403);
    const token = (await issue(u)).body;
    await agent.post(`/account/tokens/${token.data.id}/revoke`).type('form').send({}).expect(403);
    await agent.post(`/account/tokens/${token.data.id}/revoke`).field('x', 'y').expect(403);
    await api().get('/api/v1/tokens').set(auth(token.token)).expect(200);
    expect(await t.svc.db('api_tokens').where({ user_id: u.actor.id }).count('* as n').first()).toEqual({ n: 1 });
    const anon = await api().get('/account/tokens').expect(302);
    expect(anon.headers.location).toBe('/login?next=%2Faccount%2Ftokens');
  });

  it('cannot revoke someone else’s token from the page', async () => {
    const a = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const b = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const tb = (await issue(b)).body;
    const agent = await signedIn(t.app, a.email, a.password);
    const page = await agent.get('/account/tokens').expect(200);
    await agent.post(`/account/tokens/${tb.data.id}/revoke`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(404);
    await api().get('/api/v1/tokens').set(auth(tb.token)).expect(200);
  });
});

describe('the admin’s token page', () => {
  it('lists every user’s tokens, issues one for a user and revokes any', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const tu = (await issue(u, { name: 'Milik produsen' })).body;
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const page = await admin.get(`/admin/tokens?email=${encodeURIComponent(u.email)}`).expect(200);
    expect(page.text).toContain('Milik produsen');
    expect(page.text).toContain(u.email);
    const made = await admin.post('/admin/tokens').type('form').send({ _csrf: csrfFrom(page.text), email: u.email, name: 'Layanan', scope: 'write', expires_in_days: '' }).expect(201);
    const token = /class="token-value">(sdp_[^<]+)</.exec(made.text)?.[1];
    const listed = await api().get('/api/v1/tokens').set(auth(token!)).expect(200);
    expect(listed.body.data.find((x: { name: string }) => x.name === 'Layanan')).toMatchObject({ scope: 'write', expires_at: null });
    await admin.post(`/admin/tokens/${tu.data.id}/revoke`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    await api().get('/api/v1/tokens').set(auth(tu.token)).expect(401);
  });

  it('is the admin’s only', async () => {
    for (const who of [t.w.producer, t.w.walidata, t.w.pembina]) {
      const agent = await signedIn(t.app, who.email, who.password);
      await agent.get('/admin/tokens').expect(403);
    }
  });
});
