import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { createDataset } from '../../server/actions/datasets';
import { AppError } from '../../server/errors';
import { log } from '../../server/log';
import { makeOrg, makeUser, uid } from '../support/factories';
import { csrfFrom, signedIn, tokenFor } from '../support/http';
import { testWorld } from '../support/world';

const t = testWorld();
const run = promisify(execFile);
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A page's CSRF token for an admin agent. */
async function csrf(agent: ReturnType<typeof request.agent>, url = '/admin') {
  return csrfFrom((await agent.get(url).expect(200)).text);
}

/** The link the portal printed to the log while `fn` ran. */
async function loggedLink(fn: () => Promise<unknown>): Promise<string | undefined> {
  const spy = jest.spyOn(log, 'warn');
  try {
    await fn();
    const call = spy.mock.calls.find((c) => (c[0] as { event?: string }).event === 'password_reset_link');
    return (call?.[0] as { url?: string } | undefined)?.url;
  } finally {
    spy.mockRestore();
  }
}

describe('the admin’s organization pages', () => {
  it('create, edit, deactivate and activate an organization, audited', async () => {
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const slug = `dinas-${uid()}`;
    const token = await csrf(admin, '/admin/organizations/new');
    const bad = await admin.post('/admin/organizations').type('form').send({ _csrf: token, slug: 'Bukan Slug!', name: 'X', kind: 'opd' }).expect(400);
    expect(bad.text).toContain('Bukan Slug!');
    await admin.post('/admin/organizations').type('form').send({ _csrf: token, slug, name: 'Dinas <Uji>', kind: 'opd', short_name: 'DU' }).expect(303);
    const list = await admin.get('/admin/organizations').expect(200);
    expect(list.text).toContain('Dinas &lt;Uji&gt;');
    await admin.post(`/admin/organizations/${slug}/edit`).type('form').send({ _csrf: token, name: 'Dinas Uji Baru', short_name: '', description: 'Tentang', contact_email: 'kontak@x.id', website: 'javascript:alert(1)' }).expect(400);
    await admin.post(`/admin/organizations/${slug}/edit`).type('form').send({ _csrf: token, name: 'Dinas Uji Baru', short_name: '', description: 'Tentang', contact_email: 'kontak@x.id', website: 'https://dinas.example.id' }).expect(303);
    const row = await t.svc.db('organizations').where({ slug }).first();
    expect(row).toMatchObject({ name: 'Dinas Uji Baru', short_name: null, website: 'https://dinas.example.id', active: true });
    const ev = await t.svc.db('audit_events').where({ action: 'organization.update', target_id: String(row.id) }).first();
    expect(ev.details).toMatchObject({ before: { name: 'Dinas <Uji>', short_name: 'DU' }, after: { name: 'Dinas Uji Baru', short_name: null } });
    await admin.post(`/admin/organizations/${slug}/deactivate`).type('form').send({ _csrf: token }).expect(303);
    expect((await t.svc.db('organizations').where({ slug }).first()).active).toBe(false);
    await admin.post(`/admin/organizations/${slug}/activate`).type('form').send({ _csrf: token }).expect(303);
    expect((await t.svc.db('organizations').where({ slug }).first()).active).toBe(true);
  });

  it('a deactivated organization’s members are signed out, cannot sign in, their tokens stop, nothing new is filed under it', async () => {
    const org = await makeOrg(t.svc, 'opd');
    const u = await makeUser(t.svc, 'produsen', org.slug);
    const browser = await signedIn(t.app, u.email, u.password);
    const token = await tokenFor(t.app, u.email, u.password);
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    await admin.post(`/admin/organizations/${org.slug}/deactivate`).type('form').send({ _csrf: await csrf(admin) }).expect(303);
    expect((await browser.get('/account').expect(302)).headers.location).toMatch(/^\/login/);
    await request(t.app).get('/api/v1/tokens').set(auth(token)).expect(401);
    await request(t.app).post('/api/v1/tokens').send({ email: u.email, password: u.password }).expect(401);
    const err = await perform(createDataset, t.w.admin.actor, { organization: org.slug, title: 'Tidak boleh', topic: 'kependudukan' }, t.svc).catch((e: unknown) => e);
    expect((err as AppError).status).toBe(400);
    const made = await admin.post('/admin/users').type('form').send({ _csrf: await csrf(admin), email: `x-${uid()}@x.id`, name: 'Baru', role: 'produsen', org: org.slug, password: 'kopi-robusta-lampung' }).expect(400);
    expect(made.text).toContain('dinonaktifkan');
    await admin.post(`/admin/organizations/${org.slug}/activate`).type('form').send({ _csrf: await csrf(admin) }).expect(303);
    await request(t.app).get('/api/v1/tokens').set(auth(token)).expect(200);
  });
});

describe('the admin’s user pages', () => {
  it('invite a user by a one-time link, shown once and printed to the log', async () => {
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const email = `undangan-${uid()}@x.id`;
    const token = await csrf(admin, '/admin/users/new');
    const weak = await admin.post('/admin/users').type('form').send({ _csrf: token, email, name: 'Diundang', role: 'produsen', org: t.w.opd.slug, password: 'password1234' }).expect(400);
    expect(weak.text).toContain('paling sering dipakai');
    let page = '';
    const url = await loggedLink(async () => {
      const res = await admin.post('/admin/users').type('form').send({ _csrf: token, email, name: 'Diundang', role: 'produsen', org: t.w.opd.slug, password: '' }).expect(201);
      expect(res.headers['cache-control']).toBe('no-store');
      page = res.text;
    });
    expect(url).toMatch(/\/password\/reset\/[A-Za-z0-9_-]{43}$/);
    expect(page).toContain(url!);
    const user = await t.svc.db('users').where({ email }).first();
    expect(user).toMatchObject({ role: 'produsen', organization_id: t.w.opd.id, active: true });
    const reset = await t.svc.db('password_resets').where({ user_id: user.id }).first();
    expect(new Date(reset.expires_at).getTime() - Date.now()).toBeGreaterThan(71 * 3600_000);
    expect(reset.created_by).toBe(t.w.admin.actor.id);
    const agent = request.agent(t.app);
    const linkPath = new URL(url!).pathname;
    const form = await agent.get(linkPath).expect(200);
    await agent.post(linkPath).type('form').send({ _csrf: csrfFrom(form.text), new_password: 'kopi-robusta-lampung', confirm_password: 'kopi-robusta-lampung' }).expect(303);
    await signedIn(t.app, email, 'kopi-robusta-lampung');
  });

  it('change a role and an organization, which ends the user’s sessions', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const browser = await signedIn(t.app, u.email, u.password);
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const page = await admin.get(`/admin/users/${u.actor.id}`).expect(200);
    expect(page.text).toContain(u.email);
    // A role with an organization of the wrong kind is refused, and shown on the page.
    const wrong = await admin.post(`/admin/users/${u.actor.id}`).type('form').send({ _csrf: csrfFrom(page.text), name: 'Nama', role: 'walidata', org: t.w.opd.slug }).expect(400);
    expect(wrong.text).toContain('walidata');
    // A name alone is not a privilege change: the session stays.
    await admin.post(`/admin/users/${u.actor.id}`).type('form').send({ _csrf: csrfFrom(page.text), name: 'Nama Baru', role: 'produsen', org: t.w.opd.slug }).expect(303);
    await browser.get('/account').expect(200);
    await admin.post(`/admin/users/${u.actor.id}`).type('form').send({ _csrf: csrfFrom(page.text), name: 'Nama Baru', role: 'produsen', org: t.w.otherOpd.slug }).expect(303);
    expect((await browser.get('/account').expect(302)).headers.location).toMatch(/^\/login/);
    expect(await t.svc.db('users').where({ id: u.actor.id }).first()).toMatchObject({ name: 'Nama Baru', organization_id: t.w.otherOpd.id });
    const ev = await t.svc.db('audit_events').where({ action: 'user.update', target_id: String(u.actor.id) }).orderBy('id', 'desc').first();
    expect(ev.details).toMatchObject({ before: { organization_id: t.w.opd.id }, after: { organization_id: t.w.otherOpd.id }, sessions_ended: 1 });
  });

  it('deactivate a user: sessions end, tokens stop, sign-in is refused; activate again', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const browser = await signedIn(t.app, u.email, u.password);
    const token = await tokenFor(t.app, u.email, u.password);
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const c = await csrf(admin, `/admin/users/${u.actor.id}`);
    await admin.post(`/admin/users/${u.actor.id}/deactivate`).type('form').send({ _csrf: c }).expect(303);
    expect((await browser.get('/account').expect(302)).headers.location).toMatch(/^\/login/);
    await request(t.app).get('/api/v1/tokens').set(auth(token)).expect(401);
    const login = request.agent(t.app);
    const form = await login.get('/login').expect(200);
    await login.post('/login').type('form').send({ _csrf: csrfFrom(form.text), email: u.email, password: u.password }).expect(401);
    // No reset link for a deactivated account either.
    await admin.post(`/admin/users/${u.actor.id}/reset-password`).type('form').send({ _csrf: c }).expect(303);
    expect(await t.svc.db('password_resets').where({ user_id: u.actor.id }).first()).toBeUndefined();
    await admin.post(`/admin/users/${u.actor.id}/activate`).type('form').send({ _csrf: c }).expect(303);
    await request(t.app).get('/api/v1/tokens').set(auth(token)).expect(200);
    const events = await t.svc.db('audit_events').where({ action: 'user.set_active', target_id: String(u.actor.id) }).orderBy('id');
    expect(events.map((e) => e.details.active)).toEqual([false, true]);
  });

  it('the admin cannot deactivate themself', async () => {
    const me = await makeUser(t.svc, 'admin');
    const admin = await signedIn(t.app, me.email, me.password);
    const c = await csrf(admin, `/admin/users/${me.actor.id}`);
    await admin.post(`/admin/users/${me.actor.id}/deactivate`).type('form').send({ _csrf: c }).expect(303);
    expect((await t.svc.db('users').where({ id: me.actor.id }).first()).active).toBe(true);
    expect((await admin.get('/admin').expect(200)).text).toContain('sendiri');
  });

  it('make a password reset link for a user, and end their sessions', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const browser = await signedIn(t.app, u.email, u.password);
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const c = await csrf(admin, `/admin/users/${u.actor.id}`);
    const url = await loggedLink(() => admin.post(`/admin/users/${u.actor.id}/reset-password`).type('form').send({ _csrf: c }).expect(201));
    expect(url).toBeDefined();
    await request(t.app).get(new URL(url!).pathname).expect(200);
    await admin.post(`/admin/users/${u.actor.id}/sign-out`).type('form').send({ _csrf: c }).expect(303);
    expect((await browser.get('/account').expect(302)).headers.location).toMatch(/^\/login/);
    // The admin's own session goes on.
    await admin.get('/admin/users').expect(200);
  });

  it('lists and filters users without leaking hashes', async () => {
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const res = await admin.get('/admin/users').query({ q: t.w.pembina.email, role: 'pembina' }).expect(200);
    expect(res.text).toContain(t.w.pembina.email);
    expect(res.text).not.toContain(t.w.producer.email);
    expect(res.text).not.toContain('scrypt$');
    const en = await admin.get('/admin/users?lang=en').expect(200);
    expect(en.text).toContain('Users');
  });

  it('is the admin’s only, and every form needs its CSRF token', async () => {
    for (const who of [t.w.producer, t.w.walidata, t.w.pembina]) {
      const agent = await signedIn(t.app, who.email, who.password);
      for (const url of ['/admin', '/admin/users', '/admin/users/new', `/admin/users/${t.w.producer.actor.id}`, '/admin/organizations', '/admin/organizations/new']) await agent.get(url).expect(403);
      const c = csrfFrom((await agent.get('/account').expect(200)).text);
      await agent.post(`/admin/users/${t.w.producer2.actor.id}/deactivate`).type('form').send({ _csrf: c }).expect(403);
      await agent.post('/admin/organizations').type('form').send({ _csrf: c, slug: `x-${uid()}`, name: 'Xx', kind: 'opd' }).expect(403);
    }
    expect((await t.svc.db('users').where({ id: t.w.producer2.actor.id }).first()).active).toBe(true);
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    for (const url of [`/admin/users/${t.w.producer2.actor.id}/deactivate`, `/admin/users/${t.w.producer2.actor.id}/reset-password`, `/admin/users/${t.w.producer2.actor.id}/sign-out`, `/admin/users/${t.w.producer2.actor.id}`, '/admin/users', '/admin/organizations', `/admin/organizations/${t.w.opd.slug}/deactivate`]) {
      await admin.post(url).type('form').send({ name: 'x' }).expect(403);
    }
    expect((await t.svc.db('users').where({ id: t.w.producer2.actor.id }).first()).active).toBe(true);
    expect((await t.svc.db('organizations').where({ id: t.w.opd.id }).first()).active).toBe(true);
    expect((await request(t.app).get('/admin/users').expect(302)).headers.location).toBe('/login?next=%2Fadmin%2Fusers');
  });
});

describe('signing out everywhere', () => {
  it('ends every other session and keeps this one under a new id', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const here = await signedIn(t.app, u.email, u.password);
    const other1 = await signedIn(t.app, u.email, u.password);
    const other2 = await signedIn(t.app, u.email, u.password);
    const page = await here.get('/account').expect(200);
    expect(page.text).toContain('Keluar dari semua perangkat');
    const res = await here.post('/account/sessions/end').type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    expect(String(res.headers['set-cookie'])).toMatch(/sdp\.sid=/);
    expect((await here.get('/account').expect(200)).text).toContain('2 sesi diakhiri');
    for (const o of [other1, other2]) expect((await o.get('/account').expect(302)).headers.location).toMatch(/^\/login/);
    await here.post('/account/sessions/end').type('form').send({}).expect(403);
  });
});

describe('operator commands for accounts', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../scripts/cli.ts'), ...args], {
      env: { ...process.env, DATABASE_URL: process.env.SATUDATA_TEST_DB, LOG_LEVEL: 'silent', NODE_ENV: 'test', SCRYPT_LOG_N: '10' },
    });

  // Six commands, each booting the portal's services: give a loaded machine time.
  it('deactivate and activate a user, revoke a token, make a reset link, refuse unknown e-mails', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const token = await tokenFor(t.app, u.email, u.password);
    const out = JSON.parse((await cli('user:deactivate', '--email', u.email)).stdout);
    expect(out).toEqual({ id: u.actor.id, active: false });
    await request(t.app).get('/api/v1/tokens').set(auth(token)).expect(401);
    await cli('user:activate', '--email', u.email);
    await request(t.app).get('/api/v1/tokens').set(auth(token)).expect(200);
    const id = (await t.svc.db('api_tokens').where({ user_id: u.actor.id }).first()).id;
    expect(JSON.parse((await cli('token:revoke', '--id', String(id))).stdout)).toEqual({ id, revoked: true });
    await request(t.app).get('/api/v1/tokens').set(auth(token)).expect(401);
    const link = JSON.parse((await cli('user:reset-password', '--email', u.email)).stdout);
    expect(link.url).toMatch(/\/password\/reset\/[A-Za-z0-9_-]{43}$/);
    const updated = JSON.parse((await cli('user:update', '--email', u.email, '--role', 'produsen', '--org', t.w.otherOpd.slug)).stdout);
    expect(updated).toMatchObject({ id: u.actor.id, organization_id: t.w.otherOpd.id });
    const err = await cli('user:deactivate', '--email', 'tidak-ada@x.id').catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain('No user with e-mail');
  }, 300_000);
});
