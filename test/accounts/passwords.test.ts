import request from 'supertest';
import { perform } from '../../server/actions/action';
import { createUser } from '../../server/actions/accounts';
import { requestPasswordReset } from '../../server/actions/passwords';
import { passwordProblem } from '../../server/auth/password-rules';
import { AppError } from '../../server/errors';
import { log } from '../../server/log';
import { requesterActor, systemActor } from '../../server/policies/actor';
import { makeUser, uid } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { testWorld } from '../support/world';

const t = testWorld();

describe('password rules', () => {
  it('wants 12 characters, no common or breached password, not the e-mail', () => {
    expect(passwordProblem('pendek-11ch')?.code).toBe('password_too_short');
    expect(passwordProblem('qwerty123456')?.code).toBe('password_common');
    expect(passwordProblem('Password1234')?.code).toBe('password_common');
    expect(passwordProblem('1q2w3e4r5t6y')?.code).toBe('password_common');
    expect(passwordProblem('zzzzzzzzzzzzzz')?.code).toBe('password_common');
    expect(passwordProblem('Budi.Santoso@dinkes.id', 'budi.santoso@dinkes.id')?.code).toBe('password_is_email');
    expect(passwordProblem('sapi-terbang-di-way-kambas', 'budi@dinkes.id')).toBeNull();
  });

  it('holds for users made by the operator too', async () => {
    const err = await perform(createUser, systemActor, { email: `u-${uid()}@x.id`, name: 'Uji', role: 'admin', password: 'password1234' }, t.svc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    expect((err as AppError).messageEn).toMatch(/breached/);
  });
});

describe('changing one’s password', () => {
  it('needs the current password, follows the rules, ends the other sessions and rotates this one', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const here = await signedIn(t.app, u.email, u.password);
    const elsewhere = await signedIn(t.app, u.email, u.password);
    let page = await here.get('/account/password').expect(200);
    const wrong = await here.post('/account/password').type('form').send({ _csrf: csrfFrom(page.text), current_password: 'bukan-ini-sandinya', new_password: 'sapi-terbang-di-way-kambas', confirm_password: 'sapi-terbang-di-way-kambas' }).expect(400);
    expect(wrong.text).toContain('Kata sandi saat ini salah.');
    page = await here.get('/account/password').expect(200);
    const common = await here.post('/account/password').type('form').send({ _csrf: csrfFrom(page.text), current_password: u.password, new_password: 'qwerty123456', confirm_password: 'qwerty123456' }).expect(400);
    expect(common.text).toContain('paling sering dipakai');
    const mismatch = await here.post('/account/password').type('form').send({ _csrf: csrfFrom(page.text), current_password: u.password, new_password: 'sapi-terbang-di-way-kambas', confirm_password: 'sapi-terbang-di-way-kambas!' }).expect(400);
    expect(mismatch.text).toContain('tidak sama');
    const before = await here.get('/account').expect(200);
    const sidBefore = /sdp\.sid=([^;]+)/.exec(String(before.headers['set-cookie'] ?? ''))?.[1];
    const done = await here.post('/account/password').type('form').send({ _csrf: csrfFrom(page.text), current_password: u.password, new_password: 'sapi-terbang-di-way-kambas', confirm_password: 'sapi-terbang-di-way-kambas' }).expect(303);
    const sidAfter = /sdp\.sid=([^;]+)/.exec(String(done.headers['set-cookie'] ?? ''))?.[1];
    expect(sidAfter).toBeDefined();
    expect(sidAfter).not.toBe(sidBefore);
    expect((await here.get('/account').expect(200)).text).toContain('Kata sandi diganti');
    // The other device is signed out; the old password no longer works, the new one does.
    expect((await elsewhere.get('/account').expect(302)).headers.location).toMatch(/^\/login/);
    await request(t.app).post('/api/v1/tokens').send({ email: u.email, password: u.password }).expect(401);
    await request(t.app).post('/api/v1/tokens').send({ email: u.email, password: 'sapi-terbang-di-way-kambas' }).expect(201);
    const ev = await t.svc.db('audit_events').where({ action: 'user.password_change', target_id: String(u.actor.id) }).first();
    expect(ev.details).toMatchObject({ other_sessions_ended: 1 });
    expect(JSON.stringify(ev)).not.toContain('sapi-terbang');
  });

  it('refuses the form without its CSRF token', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const agent = await signedIn(t.app, u.email, u.password);
    await agent.post('/account/password').type('form').send({ current_password: u.password, new_password: 'sapi-terbang-di-way-kambas', confirm_password: 'sapi-terbang-di-way-kambas' }).expect(403);
    await request(t.app).post('/api/v1/tokens').send({ email: u.email, password: u.password }).expect(201);
  });
});

describe('resetting a forgotten password', () => {
  /** Asks for a link through the page and returns what the log got. */
  async function askForLink(email: string): Promise<{ url?: string; status: number; text: string }> {
    const spy = jest.spyOn(log, 'warn');
    try {
      const agent = request.agent(t.app);
      const page = await agent.get('/password/forgot').expect(200);
      const res = await agent.post('/password/forgot').type('form').send({ _csrf: csrfFrom(page.text), email });
      const call = spy.mock.calls.find((c) => (c[0] as { event?: string }).event === 'password_reset_link');
      return { url: (call?.[0] as { url?: string } | undefined)?.url, status: res.status, text: res.text };
    } finally {
      spy.mockRestore();
    }
  }

  it('prints a one-time link to the log, says the same for unknown accounts, and the link works once', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const other = await signedIn(t.app, u.email, u.password);
    const unknown = await askForLink(`tidak-ada-${uid()}@x.id`);
    const known = await askForLink(u.email.toUpperCase());
    expect(unknown.url).toBeUndefined();
    expect(known.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/password\/reset\/[A-Za-z0-9_-]{43}$/);
    expect([unknown.status, unknown.text.replace(/name="_csrf" value="[^"]+"/, '')]).toEqual([known.status, known.text.replace(/name="_csrf" value="[^"]+"/, '')]);
    const path = new URL(known.url!).pathname;
    // Only the hash is stored.
    expect(JSON.stringify(await t.svc.db('password_resets').where({ user_id: u.actor.id }))).not.toContain(path.split('/').pop());

    const agent = request.agent(t.app);
    const form = await agent.get(path).expect(200);
    expect(form.headers['cache-control']).toBe('no-store');
    const weak = await agent.post(path).type('form').send({ _csrf: csrfFrom(form.text), new_password: u.email, confirm_password: u.email }).expect(400);
    expect(weak.text).toContain('Kata sandi');
    await agent.post(path).type('form').send({ _csrf: csrfFrom(form.text), new_password: 'gajah-lampung-suka-kopi', confirm_password: 'gajah-lampung-suka-kopi' }).expect(303);
    await request(t.app).post('/api/v1/tokens').send({ email: u.email, password: 'gajah-lampung-suka-kopi' }).expect(201);
    await request(t.app).post('/api/v1/tokens').send({ email: u.email, password: u.password }).expect(401);
    // Used: it works no more, and every session of the user ended.
    await agent.get(path).expect(404);
    const again = await request.agent(t.app).get('/password/forgot');
    expect(again.status).toBe(200);
    expect((await other.get('/account').expect(302)).headers.location).toMatch(/^\/login/);
    expect(await t.svc.db('audit_events').where({ action: 'user.password_reset', target_id: String(u.actor.id) }).first()).toBeDefined();
  });

  it('lets a link expire, and a newer link replaces an older one', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    const first = await perform(requestPasswordReset, requesterActor, { email: u.email }, t.svc);
    await t.svc.db('password_resets').where({ user_id: u.actor.id }).update({ created_at: t.svc.db.raw("now() - interval '2 minutes'") });
    const second = await perform(requestPasswordReset, requesterActor, { email: u.email }, t.svc);
    // A third within the minute makes nothing.
    expect(await perform(requestPasswordReset, requesterActor, { email: u.email }, t.svc)).toBeNull();
    await request(t.app).get(`/password/reset/${first!.token}`).expect(404);
    await request(t.app).get(`/password/reset/${second!.token}`).expect(200);
    await t.svc.db('password_resets').where({ user_id: u.actor.id }).update({ expires_at: t.svc.db.raw("now() - interval '1 second'") });
    await request(t.app).get(`/password/reset/${second!.token}`).expect(404);
  });

  it('makes no link for a deactivated account', async () => {
    const u = await makeUser(t.svc, 'produsen', t.w.opd.slug);
    await t.svc.db('users').where({ id: u.actor.id }).update({ active: false });
    expect(await perform(requestPasswordReset, requesterActor, { email: u.email }, t.svc)).toBeNull();
  });
});
