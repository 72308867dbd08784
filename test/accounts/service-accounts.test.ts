import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { testWorld } from '../support/world';
import { perform } from '../../server/actions/action';
import { createServiceAccount, revokeServiceAccount, rotateServiceAccountToken, setServiceAccountDatasets } from '../../server/actions/service-accounts';
import { makeDataset, publishedDataset, SMALL_CSV, uid } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';

const t = testWorld();
jest.setTimeout(120_000);

const csv = () => `${SMALL_CSV}1802,TANGGAMUS ${uid()},1,2025\n`;
const push = (slug: string, token: string) =>
  request(t.app).post(`/api/v1/datasets/${slug}/versions`).set('Authorization', `Bearer ${token}`).attach('file', Buffer.from(csv()), 'push.csv');

async function account(datasets: string[], org = t.w.opd.slug) {
  const slug = `app-${uid()}`;
  return perform(createServiceAccount, t.w.admin.actor, { slug, name: `Aplikasi ${slug}`, org, datasets }, t.svc);
}

describe('service accounts (an OPD application pushes versions)', () => {
  it('pushes and submits versions of its chosen datasets, and nothing else a producer may do (403)', async () => {
    const mine = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const sibling = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const foreign = await makeDataset(t.svc, t.w.otherProducer, t.w.otherOpd.slug);
    const sa = await account([mine.slug]);
    const auth = { Authorization: `Bearer ${sa.token}` };

    const pushed = await push(mine.slug, sa.token);
    expect([201, 202]).toContain(pushed.status);
    const n = pushed.body.data.number;
    await request(t.app).post(`/api/v1/datasets/${mine.slug}/versions/${n}/submit`).set(auth).expect(200);
    expect((await t.svc.db('versions').where({ dataset_id: mine.id, number: n }).first()).state).toBe('submitted');
    const event = await t.svc.db('audit_events').where({ dataset_id: mine.id, action: 'version.submit' }).first();
    expect(event.actor_id).toBe(sa.id);

    // Another dataset of the same OPD: it may read it (as its OPD), never push to it.
    expect((await push(sibling.slug, sa.token)).status).toBe(403);
    await request(t.app).get(`/api/v1/datasets/${sibling.slug}`).set(auth).expect(200);
    // Another OPD's unpublished dataset: not even known.
    expect((await push(foreign.slug, sa.token)).status).toBe(404);
    await request(t.app).get(`/api/v1/datasets/${foreign.slug}`).set(auth).expect(404);
    // Everything else a producer could do: refused, and nothing changes.
    await request(t.app).post(`/api/v1/datasets/${mine.slug}/versions/${n}/withdraw`).set(auth).expect(403);
    await request(t.app).patch(`/api/v1/datasets/${mine.slug}`).set(auth).send({ title: 'Diubah oleh mesin' }).expect(403);
    await request(t.app).post('/api/v1/datasets').set(auth).send({ organization: t.w.opd.slug, title: `Baru ${uid()}`, topic: 'kependudukan' }).expect(403);
    await request(t.app).post('/api/v1/webhooks').set(auth).send({ url: 'http://127.0.0.1:9/x', events: ['published'], organization: t.w.opd.slug }).expect(403);
    await request(t.app).post('/api/v1/tokens').set(auth).send({ name: 'lagi' }).expect(403);
    expect((await t.svc.db('datasets').where({ id: mine.id }).first()).title).toBe(mine.title);
    expect(await t.svc.db('versions').where({ dataset_id: sibling.id })).toHaveLength(0);
  });

  it('can never sign in: no password works, its token opens no page, and no reset link is made', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const sa = await account([ds.slug]);
    for (const password of ['', '!service-account', 'rahasia-uji-123']) {
      await request(t.app).post('/api/v1/tokens').send({ email: sa.email, password }).expect(401);
    }
    const web = request.agent(t.app);
    const csrf = csrfFrom((await web.get('/login').expect(200)).text);
    const login = await web.post('/login').type('form').send({ _csrf: csrf, email: sa.email, password: '!service-account' });
    expect(login.status).not.toBe(303);
    // The token on a page is nobody: sent to sign in.
    const page = await request(t.app).get('/dashboard').set('Authorization', `Bearer ${sa.token}`);
    expect([page.status, page.headers.location]).toEqual([302, '/login?next=%2Fdashboard']);
    await web.post('/password/forgot').type('form').send({ _csrf: csrf, email: sa.email });
    expect(await t.svc.db('password_resets').where({ user_id: sa.id })).toHaveLength(0);
    // The admin's user pages do not treat it as a person (no reset link, no role change).
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    await admin.get(`/admin/users/${sa.id}`).expect(404);
  });

  it('rotating makes a new token and the old one stops at once; revoking stops the new one too', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const sa = await account([ds.slug]);
    const rotated = await perform(rotateServiceAccountToken, t.w.admin.actor, { id: sa.id }, t.svc);
    expect(rotated.token).not.toBe(sa.token);
    await request(t.app).get('/api/v1/tokens').set('Authorization', `Bearer ${sa.token}`).expect(401);
    await request(t.app).get('/api/v1/tokens').set('Authorization', `Bearer ${rotated.token}`).expect(200);
    await perform(revokeServiceAccount, t.w.admin.actor, { id: sa.id }, t.svc);
    await request(t.app).get('/api/v1/tokens').set('Authorization', `Bearer ${rotated.token}`).expect(401);
    await expect(perform(rotateServiceAccountToken, t.w.admin.actor, { id: sa.id }, t.svc)).rejects.toMatchObject({ status: 409 });
    const actions = await t.svc.db('audit_events').where({ target_type: 'user', target_id: String(sa.id) }).orderBy('id').pluck('action');
    expect(actions).toEqual(['service_account.create', 'service_account.rotate', 'service_account.revoke']);
  });

  it('is scoped to datasets of its own OPD only, chosen by the admin alone', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const foreign = await makeDataset(t.svc, t.w.otherProducer, t.w.otherOpd.slug);
    await expect(account([ds.slug, foreign.slug])).rejects.toMatchObject({ status: 400 });
    await expect(perform(createServiceAccount, t.w.producer.actor, { slug: `app-${uid()}`, name: 'Sendiri', org: t.w.opd.slug, datasets: [ds.slug] }, t.svc)).rejects.toMatchObject({ status: 403 });
    const sa = await account([ds.slug]);
    const other = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    expect((await push(other.slug, sa.token)).status).toBe(403);
    await perform(setServiceAccountDatasets, t.w.admin.actor, { id: sa.id, datasets: [other.slug] }, t.svc);
    expect([201, 202]).toContain((await push(other.slug, sa.token)).status);
    expect((await push(ds.slug, sa.token)).status).toBe(403);
  });

  it('reads what its OPD reads: its tertutup published data, not another OPD\'s', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, SMALL_CSV, { access_level: 'tertutup' });
    const sa = await account([ds.slug]);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/rows`).set('Authorization', `Bearer ${sa.token}`).expect(200);
    const foreignSa = await account([(await makeDataset(t.svc, t.w.otherProducer, t.w.otherOpd.slug)).slug], t.w.otherOpd.slug);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/rows`).set('Authorization', `Bearer ${foreignSa.token}`).expect(404);
  });

  it('is managed on the admin page: created with its token shown once, rotated, revoked (CSRF on each form)', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const form = await admin.get(`/admin/services/new?org=${t.w.opd.slug}`).expect(200);
    expect(form.text).toContain(`value="${ds.slug}"`);
    const csrf = csrfFrom(form.text);
    const slug = `web-${uid()}`;
    await admin.post('/admin/services').type('form').send({ slug, name: 'Aplikasi Web', org: t.w.opd.slug, datasets: ds.slug }).expect(403);
    const made = await admin.post('/admin/services').type('form').send({ _csrf: csrf, slug, name: 'Aplikasi Web', org: t.w.opd.slug, datasets: ds.slug }).expect(201);
    const token = /<code class="token-value">(sdp_[A-Za-z0-9_-]+)<\/code>/.exec(made.text)?.[1];
    expect(token).toBeDefined();
    expect(made.headers['cache-control']).toBe('no-store');
    expect([201, 202]).toContain((await push(ds.slug, token!)).status);
    const list = await admin.get('/admin/services').expect(200);
    expect(list.text).toContain(slug);
    expect(list.text).not.toContain(token!);
    const id = (await t.svc.db('users').where({ email: `${slug}@layanan.satudata.invalid` }).first()).id;
    const rotated = await admin.post(`/admin/services/${id}/rotate`).type('form').send({ _csrf: csrf }).expect(200);
    const second = /<code class="token-value">(sdp_[A-Za-z0-9_-]+)<\/code>/.exec(rotated.text)?.[1];
    expect((await push(ds.slug, token!)).status).toBe(401);
    await admin.post(`/admin/services/${id}/revoke`).type('form').send({ _csrf: csrf }).expect(303);
    expect((await push(ds.slug, second!)).status).toBe(401);
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    await producer.get('/admin/services').expect(403);
    // Its datasets are chosen again on its own page.
    const other = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const fresh = await account([ds.slug]);
    const own = await admin.get(`/admin/services/${fresh.id}`).expect(200);
    expect(own.text).toContain(`value="${other.slug}"`);
    await admin.post(`/admin/services/${fresh.id}/datasets`).type('form').send({ datasets: other.slug }).expect(403);
    await admin.post(`/admin/services/${fresh.id}/datasets`).type('form').send({ _csrf: csrf, datasets: [ds.slug, other.slug] }).expect(303);
    expect([201, 202]).toContain((await push(other.slug, fresh.token)).status);
  });

  // Five commands, each booting the portal's services: give a loaded machine time.
  it('has CLI commands: service:create prints the token once, service:rotate and service:revoke', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const slug = `cli-${uid()}`;
    const env = { ...process.env, DATABASE_URL: process.env.SATUDATA_TEST_DB, LOG_LEVEL: 'silent', NODE_ENV: 'test', SCRYPT_LOG_N: '10' };
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../scripts/cli.ts'), ...args], { env }).then((r) => JSON.parse(r.stdout));
    const made = await cli('service:create', '--slug', slug, '--name', 'Aplikasi CLI', '--org', t.w.opd.slug, '--datasets', ds.slug);
    expect(made).toMatchObject({ slug, organization: t.w.opd.slug, datasets: [ds.slug] });
    expect([201, 202]).toContain((await push(ds.slug, made.token)).status);
    const rotated = await cli('service:rotate', '--slug', slug);
    expect((await push(ds.slug, made.token)).status).toBe(401);
    await cli('service:revoke', '--slug', slug);
    expect((await push(ds.slug, rotated.token)).status).toBe(401);
    const listed = await cli('service:list');
    expect(listed.find((a: { slug: string }) => a.slug === slug)).toMatchObject({ active: false, token: null });
  }, 300_000);
});
