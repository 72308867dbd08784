import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { testWorld } from '../support/world';
import { perform } from '../../server/actions/action';
import { submitVersion } from '../../server/actions/versions';
import { createDataListItem } from '../../server/actions/datalist';
import { createRequest } from '../../server/actions/requests';
import { requesterActor } from '../../server/policies/actor';
import { makeDataset, publishedDataset, SMALL_CSV, uid, uploadContent } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { registeredRoutes } from '../support/routes';

// Every state-changing web form refuses a request without the session's CSRF token — sent as a
// urlencoded form and as multipart/form-data (whose body the CSRF check cannot read before the
// upload guard) — with 403 and nothing stored: no audit event, no file, no request, no read
// mark, no session ended or begun. The caller is the admin, who may do (nearly) every one of
// these, so a missing check would show as a change.

const t = testWorld({ env: { REQUESTS_PER_HOUR: '100000' } });
// Dozens of requests per test: give a loaded machine time.
jest.setTimeout(240_000);

let draft: string;
let submitted: string;
let published: string;
let itemId: number;
let requestId: number;
let admin: ReturnType<typeof request.agent>;

beforeAll(async () => {
  draft = (await makeDataset(t.svc, t.w.producer, t.w.opd.slug)).slug;
  await uploadContent(t.svc, t.w.producer.actor, draft, SMALL_CSV);
  submitted = (await makeDataset(t.svc, t.w.producer, t.w.opd.slug)).slug;
  const v = await uploadContent(t.svc, t.w.producer.actor, submitted, SMALL_CSV);
  await perform(submitVersion, t.w.producer.actor, { slug: submitted, number: v.number }, t.svc);
  published = (await publishedDataset(t.svc, t.w)).ds.slug;
  itemId = (await perform(createDataListItem, t.w.walidata.actor, { year: 2088, name: `Butir csrf ${uid()}`, organization: t.w.opd.slug, frequency: 'tahunan' }, t.svc)).id;
  requestId = (await perform(createRequest, requesterActor, { title: `Permintaan csrf ${uid()}`, name: 'Warga', email: 'warga@uji.id' }, t.svc)).id;
  admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
});

/** The web form routes: every registered route that is not a read and not under /api. */
const formRoutes = () =>
  registeredRoutes(t.app)
    .filter((r) => !r.startsWith('GET ') && !/ \/api\//.test(r))
    .map((r) => r.split(' ') as [string, string]);

/** A concrete URL for a route, on a record the admin may act on. */
function urlFor(route: string): string {
  const slug = /^\/review\/|\/withdraw$/.test(route) ? submitted : /\/retract$/.test(route) ? published : draft;
  return route
    .replace(':slug', slug)
    .replace(':n', '1')
    .replace(':id', route.startsWith('/manage/permintaan') ? String(requestId) : String(itemId));
}

/** Fields that would make each form do its work (with a token). */
function fieldsFor(route: string): Record<string, string> {
  const fields: Record<string, Record<string, string>> = {
    '/login': { email: t.w.admin.email, password: t.w.admin.password },
    '/permintaan': { title: `Minta ${uid()}`, name: 'Warga', email: 'csrf@uji.id' },
    '/dashboard/datasets': { organization: t.w.opd.slug, title: `Csrf ${uid()}`, topic: 'kependudukan', frequency: 'tahunan', access_level: 'terbuka' },
    '/dashboard/datasets/:slug/edit': { title: `Diubah ${uid()}`, topic: 'kependudukan', frequency: 'tahunan', access_level: 'terbuka' },
    '/dashboard/datasets/:slug/retract': { reason: 'csrf' },
    '/dashboard/datasets/:slug/versions/:n/comment': { comment: 'Catatan' },
    '/review/:slug/:n': { decision: 'approve', confirm_checklist: 'on', override_reason: 'csrf' },
    '/manage/remind': { organization: t.w.opd.slug, year: '2088' },
    '/manage/daftar-data': { year: '2088', name: `Butir ${uid()}`, organization: t.w.opd.slug, frequency: 'tahunan' },
    '/manage/daftar-data/:id': { name: `Butir diubah ${uid()}`, organization: t.w.opd.slug, frequency: 'tahunan' },
    '/manage/daftar-data-import': { year: '2088' },
    '/manage/permintaan/:id': { action: 'hide', reason: 'csrf' },
  };
  return fields[route] ?? {};
}

function storedFiles(): number {
  const dir = t.svc.config.storageDir;
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else n += 1;
    }
  };
  walk(dir);
  return n;
}

/** What a form could change: audit events, requests, unread notifications, files, and whether the session still works. */
async function snapshot() {
  // Other test files write to the same database at the same time: only the admin's own events count.
  const [{ audit }] = await t.svc.db('audit_events').where({ actor_id: t.w.admin.actor.id }).count<{ audit: string }[]>({ audit: '*' });
  const [{ requests }] = await t.svc.db('data_requests').where('requester_email', 'csrf@uji.id').count<{ requests: string }[]>({ requests: '*' });
  const [{ unread }] = await t.svc.db('notifications').where({ user_id: t.w.admin.actor.id }).whereNull('read_at').count<{ unread: string }[]>({ unread: '*' });
  const session = (await admin.get('/dashboard')).status;
  return { audit: Number(audit), requests: Number(requests), unread: Number(unread), files: storedFiles(), session };
}

describe('CSRF on every form', () => {
  it('knows the form routes (a new one is tested without being listed here)', () => {
    const routes = formRoutes().map(([, p]) => p);
    expect(routes).toEqual(expect.arrayContaining(['/logout', '/inbox/read', '/dashboard/datasets/:slug/versions', '/manage/daftar-data-import', '/review/:slug/:n']));
  });

  it.each(['urlencoded', 'multipart'] as const)('refuses every form sent %s without the token: 403, nothing stored', async (encoding) => {
    await t.svc.db('notifications').insert({ user_id: t.w.admin.actor.id, kind: 'comment' });
    const refused: string[] = [];
    for (const [method, route] of formRoutes()) {
      const before = await snapshot();
      let req = admin[method.toLowerCase() as 'post'](urlFor(route));
      const fields = fieldsFor(route);
      if (encoding === 'multipart') {
        for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
        req = req.attach('file', Buffer.from(`${SMALL_CSV}1802,TANGGAMUS,${Math.floor(Math.random() * 1e6)},2025\n`), 'data.csv');
      } else {
        req = req.type('form').send(fields);
      }
      const res = await req;
      const after = await snapshot();
      if (res.status !== 403 || JSON.stringify(after) !== JSON.stringify(before)) refused.push(`${method} ${route}: ${res.status} ${JSON.stringify({ before, after })}`);
    }
    expect(refused).toEqual([]);
  });

  it('refuses a token sent only after the file (the file is never kept)', async () => {
    const csrf = csrfFrom((await admin.get(`/dashboard/datasets/${draft}`).expect(200)).text);
    const before = storedFiles();
    const res = await admin.post(`/dashboard/datasets/${draft}/versions`).attach('file', Buffer.from(SMALL_CSV), 'data.csv').field('_csrf', csrf);
    expect(res.status).toBe(403);
    expect(storedFiles()).toBe(before);
    // With the token first, the same form works.
    await admin.post(`/dashboard/datasets/${draft}/versions`).field('_csrf', csrf).attach('file', Buffer.from(`${SMALL_CSV}1802,TANGGAMUS,7,2025\n`), 'data.csv').expect(303);
  });

  it('refuses a sign-in without the token, and starts no session', async () => {
    const agent = request.agent(t.app);
    await agent.get('/login').expect(200);
    await agent.post('/login').type('form').send({ email: t.w.producer.email, password: t.w.producer.password }).expect(403);
    await agent.post('/login').field('email', t.w.producer.email).field('password', t.w.producer.password).expect(403);
    const res = await agent.get('/dashboard').expect(302);
    expect(res.headers.location).toMatch(/^\/login/);
  });
});
