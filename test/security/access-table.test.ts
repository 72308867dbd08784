import { createHmac } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { testWorld } from '../support/world';
import { perform } from '../../server/actions/action';
import { retractDataset } from '../../server/actions/datasets';
import { submitVersion } from '../../server/actions/versions';
import { createDataListItem } from '../../server/actions/datalist';
import { createRequest } from '../../server/actions/requests';
import { requesterActor } from '../../server/policies/actor';
import { issueToken } from '../../server/actions/accounts';
import { createWebhook } from '../../server/actions/webhooks';
import { createHarvestSource } from '../../server/actions/harvest';
import { createServiceAccount, setServiceAccountDatasets } from '../../server/actions/service-accounts';
import { ACTIONS as CKAN_ACTIONS } from '../../server/routes/api/ckan/actions';
import { makeDataset, makeOrg, makeUser, publishedDataset, SMALL_CSV, uid, uploadContent, type TestUser } from '../support/factories';
import { setOrganizationActive, setUserActive } from '../../server/actions/users';
import { csrfFrom, signedIn } from '../support/http';
import { registeredRoutes } from '../support/routes';

// Who may do what, route by route (SPEC §1): every page and every API route the app registers,
// asked by every role about datasets in every state that matters. The expected answers are
// written here from SPEC §1 (and the lead's decisions noted beside them), never read from the
// policies; a route the app registers that has no row here fails the test, as CKAN fails an
// action without an auth function.

const t = testWorld({ env: { REQUESTS_PER_HOUR: '100000' } });
// Dozens of requests per test: give a loaded machine time.
jest.setTimeout(240_000);

// `service`: an OPD application's service account of the owner's OPD (issue 12), scoped to the
// SCOPED kinds' datasets. `reader`: the owner with a read-only token (issue 7). Both only have a
// token: on the pages the service account's token counts for nothing (it is the public there),
// and the reader is asked about the APIs only (its pages are the owner's session).
const WHO = ['public', 'owner', 'other', 'walidata', 'pembina', 'admin', 'service', 'reader'] as const;
type Who = (typeof WHO)[number];
const KINDS = ['published', 'draft', 'submitted', 'terbatas', 'tertutup', 'retracted'] as const;
type Kind = (typeof KINDS)[number];

/**
 * What a request may get: ok (2xx, or a redirect to where the form leads), conflict (allowed,
 * but not in this state: 409, or a form sent back with the error), login (401 / sent to the
 * sign-in page), forbidden (403: may know it exists, may not do it), hidden (404: may not know
 * it exists), gone (410: the public notice of a retracted dataset), invalid (400: allowed to ask,
 * the input refused — used where a valid input would change what other test files look at).
 */
type Outcome = 'ok' | 'conflict' | 'login' | 'forbidden' | 'hidden' | 'gone' | 'invalid';

// ---- SPEC §1 as rules -------------------------------------------------------------------------

const signed = (w: Who) => w !== 'public';
/** Sees the OPD's unpublished work (drafts, submissions, reports, review history): its OPD (its service account too), walidata, admin. */
const work = (w: Who) => w === 'owner' || w === 'service' || w === 'reader' || w === 'walidata' || w === 'admin';
/** The service account's datasets: it pushes versions to these and submits them, and does nothing else (issue 12). */
const SCOPED: Kind[] = ['published', 'draft', 'submitted', 'tertutup'];
const machine = (w: Who) => w === 'service';
/** The custodian: walidata and admin ("everything walidata may do"). */
const custodian = (w: Who) => w === 'walidata' || w === 'admin';
const reviewer = (w: Who) => custodian(w) || w === 'pembina';
/** Producer-side actions (upload, submit, withdraw, reload, create): the OPD's producers; the admin too (lead's decision). */
const producerSide = (w: Who) => w === 'owner' || w === 'admin';
/** Has a public face: a published, not retracted current version. */
const live = (k: Kind) => k === 'published' || k === 'terbatas' || k === 'tertutup';
/** Reads the public face: terbuka for all, terbatas for any signed-in government user, tertutup for its OPD, walidata, admin. */
const face = (w: Who, k: Kind) => live(k) && (k === 'published' || (k === 'terbatas' && signed(w)) || (k === 'tertutup' && work(w)));
/** The dataset exists for this person (its face, or its work). */
const sees = (w: Who, k: Kind) => face(w, k) || work(w);
/** Refused: the public is asked to sign in where it may know the thing exists; nobody learns of what they may not see. */
const deny = (w: Who, visible: boolean): Outcome => (visible ? (w === 'public' ? 'login' : 'forbidden') : 'hidden');
/**
 * Refused a producer-side change (metadata, versions, retraction): the dataset's work is not
 * theirs to see, so it answers as for a missing one (404) — the public too — unless they see its
 * work (403).
 */
const denyWork = (w: Who): Outcome => (work(w) ? 'forbidden' : 'hidden');
/** A state-changing action the role may do: done in the right state, a conflict in any other. */
const inState = (k: Kind, states: Kind[]): Outcome => (states.includes(k) ? 'ok' : 'conflict');

const everyone = (): Outcome => 'ok';
const signedOnly = (w: Who): Outcome => (signed(w) ? 'ok' : 'login');
/** Pages behind the sign-in (dashboard, review, manage, inbox, admin): the public is sent to sign in first. */
const page = (allowed: (w: Who) => boolean, refused: Outcome = 'forbidden') => (w: Who): Outcome => (!signed(w) ? 'login' : allowed(w) ? 'ok' : refused);

// ---- the world --------------------------------------------------------------------------------

interface Fixture { slug: string; id: number; /** version 1's uuid (its CKAN resource id) */ v1: string }
const fixtures = {} as Record<Kind, Fixture>;
let people: Record<Exclude<Who, 'public'>, TestUser>;
/** The service account: its id, token, and the slugs of its datasets (fresh fixtures of SCOPED kinds join them). */
let service: { id: number; token: string; datasets: string[] } | null = null;
let item: { id: number };
let dataRequest: { id: number };
/** Tokens of the owner, one per caller and route, for the revoke rows (each revoked at most once). */
const victims: Record<string, number> = {};
let year: number;

async function makeFixture(kind: Kind): Promise<Fixture> {
  const f = await makeFixtureOnly(kind);
  if (service && SCOPED.includes(kind)) {
    service.datasets.push(f.slug);
    await perform(setServiceAccountDatasets, t.w.admin.actor, { id: service.id, datasets: service.datasets }, t.svc);
  }
  return f;
}

async function makeFixtureOnly(kind: Kind): Promise<Fixture> {
  if (kind === 'draft' || kind === 'submitted') {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    if (kind === 'submitted') await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    return { slug: ds.slug, id: ds.id, v1: v.uuid };
  }
  const access = kind === 'terbatas' || kind === 'tertutup' ? kind : 'terbuka';
  const { ds, v } = await publishedDataset(t.svc, t.w, SMALL_CSV, { access_level: access });
  if (kind === 'retracted') await perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, reason: 'uji tabel akses' }, t.svc);
  return { slug: ds.slug, id: ds.id, v1: v.uuid };
}

/** One client per role: a browser session (with its CSRF token) for pages, a bearer token for the APIs. */
interface Client { web: ReturnType<typeof request.agent>; csrf: string; auth: Record<string, string> }
const clients = {} as Record<Who, Client>;

async function clientFor(who: Who): Promise<Client> {
  if (who === 'public') {
    const web = request.agent(t.app);
    const csrf = csrfFrom((await web.get('/login').expect(200)).text);
    return { web, csrf, auth: {} };
  }
  if (who === 'service' || who === 'reader') {
    // No session: the service account cannot sign in; the reader's token is for the APIs.
    const web = request.agent(t.app);
    const csrf = csrfFrom((await web.get('/login').expect(200)).text);
    if (who === 'reader') return { web, csrf, auth: { Authorization: `Bearer ${(await perform(issueToken, t.w.producer.actor, { email: t.w.producer.email, name: 'baca saja', scope: 'read' }, t.svc)).token}` } };
    return { web, csrf, auth: { Authorization: `Bearer ${service!.token}` } };
  }
  const u = people[who];
  const web = await signedIn(t.app, u.email, u.password);
  const csrf = csrfFrom((await web.get('/inbox').expect(200)).text);
  return { web, csrf, auth: await t.bearer(u) };
}

beforeAll(async () => {
  for (const k of KINDS) fixtures[k] = await makeFixture(k);
  const sa = await perform(createServiceAccount, t.w.admin.actor, { slug: `akses-${uid()}`, name: 'Aplikasi tabel akses', org: t.w.opd.slug, datasets: SCOPED.map((k) => fixtures[k].slug) }, t.svc);
  service = { id: sa.id, token: sa.token, datasets: SCOPED.map((k) => fixtures[k].slug) };
  const serviceUser: TestUser = { actor: { id: sa.id, role: 'produsen', organizationId: t.w.opd.id, email: sa.email, name: sa.name }, email: sa.email, password: '!service-account' };
  people = { owner: t.w.producer, other: t.w.otherProducer, walidata: t.w.walidata, pembina: t.w.pembina, admin: t.w.admin, service: serviceUser, reader: t.w.producer };
  year = 2000 + (Number.parseInt(uid().slice(-4), 36) % 90);
  item = await perform(createDataListItem, t.w.walidata.actor, { year, name: `Butir tabel akses ${uid()}`, organization: t.w.opd.slug, frequency: 'tahunan' }, t.svc);
  dataRequest = await perform(createRequest, requesterActor, { title: `Permintaan tabel akses ${uid()}`, name: 'Warga', email: 'warga@uji.id' }, t.svc);
  for (const w of WHO) clients[w] = await clientFor(w);
  for (const w of WHO) victims[`webhook-page:${w}`] = (await perform(createWebhook, t.w.producer.actor, { url: 'http://127.0.0.1:9/halaman', events: ['published'], organization: t.w.opd.slug }, t.svc)).id;
  for (const w of WHO) victims[`webhook:${w}`] = (await perform(createWebhook, t.w.producer.actor, { url: 'http://127.0.0.1:9/korban', events: ['published'], organization: t.w.opd.slug }, t.svc)).id;
  victims['harvest-source'] = (await perform(createHarvestSource, t.w.walidata.actor, { kind: 'ckan', url: `http://127.0.0.1:9/akses-${uid()}/api/3/action`, name: `Kabupaten Tabel Akses ${uid()}` }, t.svc)).id;
  victims['webhook-log'] = (await perform(createWebhook, t.w.producer.actor, { url: 'http://127.0.0.1:9/log', events: ['published'], organization: t.w.opd.slug }, t.svc)).id;
  for (const route of ['api', 'account', 'admin']) {
    for (const w of WHO) victims[`${route}:${w}`] = (await perform(issueToken, t.w.producer.actor, { email: t.w.producer.email, name: `korban ${route} ${w}` }, t.svc)).id;
  }
}, 300_000);

/** Records the admin's account rows act on (never the people above). */
const adminTargets = {} as { org: string; orgToDeactivate: string; orgToActivate: string; user: number; userToDeactivate: number; userToActivate: number; service: number; serviceToRevoke: number };
beforeAll(async () => {
  adminTargets.org = (await makeOrg(t.svc, 'opd')).slug;
  adminTargets.orgToDeactivate = (await makeOrg(t.svc, 'opd')).slug;
  adminTargets.orgToActivate = (await makeOrg(t.svc, 'opd')).slug;
  await perform(setOrganizationActive, t.w.admin.actor, { slug: adminTargets.orgToActivate, active: false }, t.svc);
  adminTargets.user = (await makeUser(t.svc, 'produsen', t.w.opd.slug)).actor.id!;
  adminTargets.userToDeactivate = (await makeUser(t.svc, 'produsen', t.w.opd.slug)).actor.id!;
  adminTargets.userToActivate = (await makeUser(t.svc, 'produsen', t.w.opd.slug)).actor.id!;
  await perform(setUserActive, t.w.admin.actor, { id: adminTargets.userToActivate, active: false }, t.svc);
  const serviceOf = async () => (await perform(createServiceAccount, t.w.admin.actor, { slug: `akses-${uid()}`, name: 'Aplikasi admin', org: t.w.opd.slug, datasets: [fixtures.draft.slug] }, t.svc)).id;
  adminTargets.service = await serviceOf();
  adminTargets.serviceToRevoke = await serviceOf();
}, 120_000);

/** A seeded reference code the custodian's rows look at (and leave as it is). */
const wilayahTarget = {} as { id: number };
beforeAll(async () => {
  wilayahTarget.id = (await t.svc.db('wilayah').where({ kode_bps: '1801' }).first('id')).id;
});

// ---- the table --------------------------------------------------------------------------------

interface Call {
  method: 'get' | 'post' | 'patch' | 'delete' | 'put';
  url: string;
  /** JSON for the APIs, a form for pages (the CSRF token is added). */
  body?: Record<string, unknown>;
  /** multipart: fields first (the CSRF token first of all on pages), then the file. */
  file?: { name: string; content: string };
  headers?: Record<string, string>;
}

interface Ctx { who: Who; ds: Fixture; kind: Kind }

interface Row {
  /** METHOD and path exactly as the app registers it. */
  route: string;
  /** Asked about each dataset kind (the answer depends on it), or once. */
  perDataset?: boolean;
  /** A write: refused or conflicting calls must change nothing; an allowed one is recorded in the audit log (or is exempt). */
  write?: boolean;
  /** A write that moves the dataset to another kind (submit, approve, retract …): each allowed call gets a fresh dataset. */
  changesKind?: boolean;
  /** A fresh browser session for each call (signing out ends the session). */
  freshSession?: boolean;
  /** The call ends the caller's other sessions: the role's shared client signs in again after it. */
  endsSessions?: boolean;
  call(c: Ctx): Call | Call[];
  expect(w: Who, k: Kind): Outcome;
}

const v1 = (c: Ctx) => `/api/v1/datasets/${c.ds.slug}/versions/1`;
const csvOf = () => `kode_kabupaten_kota,nama_kabupaten_kota,jumlah,tahun\n1801,LAMPUNG BARAT,${Math.floor(Math.random() * 1e6)},2025\n`;
const accessOf = (k: Kind) => (k === 'terbatas' || k === 'tertutup' ? k : 'terbuka');
const datasetForm = (title: string, k: Kind = 'published') => ({ title, description: 'Uji tabel akses', topic: 'kependudukan', frequency: 'tahunan', access_level: accessOf(k), license: 'CC-BY-4.0', tags: 'uji', metadata_nama_indikator: 'Indikator', metadata_satuan: 'Jiwa' });

/** The public request form's "shown at" stamp, as the form carries it (shown 5 s ago). */
function formStamp(): string {
  const at = Date.now() - 5000;
  return `${at}.${createHmac('sha256', t.svc.config.sessionSecret).update(`permintaan:${at}`).digest('hex').slice(0, 32)}`;
}

/** Version-level rules: version 1 is published for the live kinds, work otherwise. */
const seesV1 = (w: Who, k: Kind) => (live(k) ? face(w, k) || work(w) : work(w));

const ROWS: Row[] = [
  // Static and operational. Files under /static (public/, Chart.js, the map plugin, the
  // boundaries) are served by one middleware, not routes: test/web/assets.test.ts checks them.
  { route: 'GET /favicon.ico', call: () => ({ method: 'get', url: '/favicon.ico' }), expect: everyone },
  { route: 'GET /healthz', call: () => ({ method: 'get', url: '/healthz' }), expect: everyone },
  { route: 'GET /lang/:code', call: () => ({ method: 'get', url: '/lang/en?next=/dataset' }), expect: everyone },

  // Read API.
  { route: 'GET /api/v1/datasets', call: () => ({ method: 'get', url: '/api/v1/datasets' }), expect: everyone },
  { route: 'GET /api/v1/datasets/:slug', perDataset: true, call: (c) => ({ method: 'get', url: `/api/v1/datasets/${c.ds.slug}` }), expect: (w, k) => (sees(w, k) ? 'ok' : 'hidden') },
  { route: 'GET /api/v1/datasets/:slug/rows', perDataset: true, call: (c) => ({ method: 'get', url: `/api/v1/datasets/${c.ds.slug}/rows` }), expect: (w, k) => (face(w, k) ? 'ok' : 'hidden') },
  { route: 'GET /api/v1/datasets/:slug/aggregate', perDataset: true, call: (c) => ({ method: 'get', url: `/api/v1/datasets/${c.ds.slug}/aggregate?group=tahun&measure=jumlah` }), expect: (w, k) => (face(w, k) ? 'ok' : 'hidden') },
  { route: 'GET /api/v1/datasets/:slug/versions/:n', perDataset: true, call: (c) => ({ method: 'get', url: v1(c) }), expect: (w, k) => (seesV1(w, k) ? 'ok' : 'hidden') },
  { route: 'GET /api/v1/datasets/:slug/versions/:n/rows', perDataset: true, call: (c) => ({ method: 'get', url: `${v1(c)}/rows` }), expect: (w, k) => (seesV1(w, k) ? 'ok' : 'hidden') },
  { route: 'GET /api/v1/datasets/:slug/versions/:n/diff', perDataset: true, call: (c) => ({ method: 'get', url: `${v1(c)}/diff` }), expect: (w, k) => (seesV1(w, k) ? 'ok' : 'hidden') },
  { route: 'GET /api/v1/datasets/:slug/activity', perDataset: true, call: (c) => ({ method: 'get', url: `/api/v1/datasets/${c.ds.slug}/activity` }), expect: (w, k) => (sees(w, k) ? 'ok' : 'hidden') },
  { route: 'GET /api/v1/organizations', call: () => ({ method: 'get', url: '/api/v1/organizations' }), expect: everyone },
  { route: 'GET /api/v1/topics', call: () => ({ method: 'get', url: '/api/v1/topics' }), expect: everyone },
  { route: 'GET /api/v1/openapi.json', call: () => ({ method: 'get', url: '/api/v1/openapi.json' }), expect: everyone },
  { route: 'GET /api/v1/review-queue', call: () => ({ method: 'get', url: '/api/v1/review-queue' }), expect: signedOnly },
  { route: 'GET /api/v1/changes', call: () => ({ method: 'get', url: '/api/v1/changes' }), expect: everyone },
  { route: 'GET /api/v1/releases', call: () => ({ method: 'get', url: '/api/v1/releases' }), expect: everyone },
  { route: 'GET /api/v1/data-list', call: () => ({ method: 'get', url: `/api/v1/data-list?year=${year}` }), expect: everyone },
  { route: 'GET /api/v1/scorecards', call: () => ({ method: 'get', url: `/api/v1/scorecards?year=${year}` }), expect: everyone },
  { route: 'GET /api/v1/requests', call: () => ({ method: 'get', url: '/api/v1/requests' }), expect: everyone },

  // Write API (bearer token; the public has none).
  {
    route: 'POST /api/v1/tokens', write: true,
    call: (c) => ({ method: 'post', url: '/api/v1/tokens', body: c.who === 'public' ? { email: 'tidak-ada@uji.id', password: 'salah-sekali-123' } : { email: people[c.who].email, password: people[c.who].password } }),
    // A service account has no password: nothing signs it in.
    expect: (w) => (machine(w) ? 'login' : signedOnly(w)),
  },
  { route: 'POST /api/v1/requests', write: true, call: () => ({ method: 'post', url: '/api/v1/requests', body: { title: `Minta data ${uid()}`, name: 'Warga', email: 'warga@uji.id' } }), expect: (w) => (machine(w) ? 'forbidden' : 'ok') },
  {
    route: 'POST /api/v1/datasets', write: true,
    call: () => ({ method: 'post', url: '/api/v1/datasets', body: { organization: t.w.opd.slug, title: `Tabel akses ${uid()}`, topic: 'kependudukan' } }),
    expect: (w) => (producerSide(w) ? 'ok' : deny(w, true)),
  },
  {
    route: 'PATCH /api/v1/datasets/:slug', perDataset: true, write: true,
    call: (c) => ({ method: 'patch', url: `/api/v1/datasets/${c.ds.slug}`, body: { title: `Diubah ${uid()}` } }),
    // Metadata: the producer of that OPD, walidata, admin (SPEC §5).
    // The producer may not change a submission under review (SPEC §3: submitted is locked for the producer).
    expect: (w, k) => (machine(w) ? 'forbidden' : w === 'owner' && k === 'submitted' ? 'conflict' : work(w) ? 'ok' : denyWork(w)),
  },
  {
    route: 'POST /api/v1/datasets/:slug/versions', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/api/v1/datasets/${c.ds.slug}/versions`, file: { name: 'data.csv', content: csvOf() } }),
    // The public is refused before anything is read or stored (no token: 401).
    // The service account: its own datasets only (another of its OPD's: 403).
    expect: (w, k) => (producerSide(w) || (machine(w) && SCOPED.includes(k)) ? 'ok' : w === 'public' ? 'login' : denyWork(w)),
  },
  {
    route: 'POST /api/v1/datasets/:slug/versions/:n/submit', perDataset: true, write: true, changesKind: true,
    call: (c) => ({ method: 'post', url: `${v1(c)}/submit` }),
    expect: (w, k) => (producerSide(w) || (machine(w) && SCOPED.includes(k)) ? inState(k, ['draft']) : denyWork(w)),
  },
  {
    route: 'POST /api/v1/datasets/:slug/versions/:n/withdraw', perDataset: true, write: true, changesKind: true,
    call: (c) => ({ method: 'post', url: `${v1(c)}/withdraw` }),
    expect: (w, k) => (producerSide(w) ? inState(k, ['submitted']) : denyWork(w)),
  },
  {
    route: 'POST /api/v1/datasets/:slug/versions/:n/review', perDataset: true, write: true, changesKind: true,
    call: (c) => ({ method: 'post', url: `${v1(c)}/review`, body: { decision: 'approve', override_reason: 'uji tabel akses' } }),
    // The walidata (and admin) decide; the pembina only on priority data at its own stage (none here).
    expect: (w, k) => (custodian(w) ? inState(k, ['submitted']) : deny(w, seesV1(w, k))),
  },
  {
    route: 'POST /api/v1/datasets/:slug/versions/:n/reload', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `${v1(c)}/reload`, body: {} }),
    expect: (w, k) => (producerSide(w) ? inState(k, ['draft']) : denyWork(w)),
  },

  // Harvesting: DCAT, Data Package, feeds, reference codes.
  { route: 'GET /catalog.:ext', call: () => ['ttl', 'jsonld', 'rdf'].map((e) => ({ method: 'get' as const, url: `/catalog.${e}` })), expect: everyone },
  { route: 'GET /catalog', call: () => ({ method: 'get', url: '/catalog', headers: { Accept: 'text/turtle' } }), expect: everyone },
  {
    route: 'GET /dataset/:file', perDataset: true,
    call: (c) => ['ttl', 'jsonld', 'rdf'].map((e) => ({ method: 'get' as const, url: `/dataset/${c.ds.slug}.${e}` })),
    // Only terbuka datasets appear in DCAT (SPEC §1), whoever asks.
    expect: (_w, k) => (k === 'published' ? 'ok' : 'hidden'),
  },
  { route: 'GET /', call: () => ({ method: 'get', url: '/' }), expect: everyone },
  { route: 'GET /dataset', call: () => ({ method: 'get', url: '/dataset' }), expect: everyone },
  { route: 'GET /dataset/:slug/datapackage.json', perDataset: true, call: (c) => ({ method: 'get', url: `/dataset/${c.ds.slug}/datapackage.json` }), expect: (w, k) => (face(w, k) ? 'ok' : 'hidden') },
  { route: 'GET /reference/wilayah.csv', call: () => ({ method: 'get', url: '/reference/wilayah.csv' }), expect: everyone },
  { route: 'GET /feeds/datasets.atom', call: () => ({ method: 'get', url: '/feeds/datasets.atom' }), expect: everyone },
  { route: 'GET /feeds/releases.atom', call: () => ({ method: 'get', url: '/feeds/releases.atom' }), expect: everyone },
  { route: 'GET /jadwal', call: () => ({ method: 'get', url: '/jadwal' }), expect: everyone },
  { route: 'GET /jadwal.ics', call: () => ({ method: 'get', url: '/jadwal.ics' }), expect: everyone },

  // Public pages.
  {
    route: 'GET /dataset/:slug', perDataset: true,
    call: (c) => ({ method: 'get', url: `/dataset/${c.ds.slug}` }),
    // The page of what one may see; a retracted open dataset tells the others it was withdrawn (410).
    expect: (w, k) => (sees(w, k) ? 'ok' : k === 'retracted' ? 'gone' : 'hidden'),
  },
  { route: 'GET /organization', call: () => ({ method: 'get', url: '/organization' }), expect: everyone },
  { route: 'GET /organization/:slug', call: () => ({ method: 'get', url: `/organization/${t.w.opd.slug}` }), expect: everyone },
  { route: 'GET /topic', call: () => ({ method: 'get', url: '/topic' }), expect: everyone },
  { route: 'GET /topic/:slug', call: () => ({ method: 'get', url: '/topic/kependudukan' }), expect: everyone },
  { route: 'GET /api/docs', call: () => ({ method: 'get', url: '/api/docs' }), expect: everyone },
  // For search engines: the same for everyone (open datasets only, whoever asks).
  { route: 'GET /sitemap.xml', call: () => ({ method: 'get', url: '/sitemap.xml' }), expect: everyone },
  // A part of a sitemap index (the open datasets of the first block of ids; any part answers, index or not).
  { route: 'GET /sitemap-:part.xml', call: () => ({ method: 'get', url: '/sitemap-1.xml' }), expect: everyone },
  { route: 'GET /robots.txt', call: () => ({ method: 'get', url: '/robots.txt' }), expect: everyone },
  { route: 'GET /daftar-data', call: () => ({ method: 'get', url: `/daftar-data?tahun=${year}` }), expect: everyone },
  { route: 'GET /opd', call: () => ({ method: 'get', url: '/opd' }), expect: everyone },
  { route: 'GET /opd.csv', call: () => ({ method: 'get', url: '/opd.csv' }), expect: everyone },
  { route: 'GET /opd.xlsx', call: () => ({ method: 'get', url: '/opd.xlsx' }), expect: everyone },
  // The same public figures as /opd.csv, linked from the walidata's page.
  { route: 'GET /manage/opd.csv', call: () => ({ method: 'get', url: '/manage/opd.csv' }), expect: everyone },
  { route: 'GET /manage/opd.xlsx', call: () => ({ method: 'get', url: '/manage/opd.xlsx' }), expect: everyone },
  { route: 'GET /opd/:slug', call: () => ({ method: 'get', url: `/opd/${t.w.opd.slug}` }), expect: everyone },
  { route: 'GET /permintaan', call: () => ({ method: 'get', url: '/permintaan' }), expect: everyone },
  { route: 'POST /permintaan', write: true, call: () => ({ method: 'post', url: '/permintaan', body: { title: `Minta data ${uid()}`, name: 'Warga', email: 'warga@uji.id', description: 'Uji', stamp: formStamp() } }), expect: everyone },
  { route: 'GET /permintaan/:id', call: () => ({ method: 'get', url: `/permintaan/${dataRequest.id}` }), expect: everyone },
  {
    route: 'GET /dataset/:slug/download.:format', perDataset: true,
    call: (c) => ['csv', 'json', 'xlsx'].map((f) => ({ method: 'get' as const, url: `/dataset/${c.ds.slug}/download.${f}` })),
    expect: (w, k) => (face(w, k) ? 'ok' : 'hidden'),
  },
  { route: 'GET /dataset/:slug/versions/:n/raw', perDataset: true, call: (c) => ({ method: 'get', url: `/dataset/${c.ds.slug}/versions/1/raw` }), expect: (w, k) => (seesV1(w, k) ? 'ok' : 'hidden') },

  // Signing in and out.
  { route: 'GET /login', call: () => ({ method: 'get', url: '/login' }), expect: everyone },
  {
    route: 'POST /login', write: true, freshSession: true,
    call: (c) => ({ method: 'post', url: '/login', body: c.who === 'public' ? { email: 'tidak-ada@uji.id', password: 'salah-sekali-123' } : { email: people[c.who].email, password: people[c.who].password } }),
    expect: signedOnly,
  },
  { route: 'POST /logout', write: true, freshSession: true, call: () => ({ method: 'post', url: '/logout' }), expect: everyone },

  // The producer's workspace.
  { route: 'GET /dashboard', call: () => ({ method: 'get', url: '/dashboard' }), expect: page(signed) },
  // The "new dataset" form: those who may create datasets (producers; the admin).
  { route: 'GET /dashboard/datasets/new', call: () => ({ method: 'get', url: '/dashboard/datasets/new' }), expect: page((w) => w === 'owner' || w === 'other' || w === 'admin') },
  {
    route: 'POST /dashboard/datasets', write: true,
    call: () => ({ method: 'post', url: '/dashboard/datasets', body: { ...datasetForm(`Tabel akses ${uid()}`), organization: t.w.opd.slug } }),
    expect: page(producerSide),
  },
  { route: 'GET /dashboard/datasets/:slug', perDataset: true, call: (c) => ({ method: 'get', url: `/dashboard/datasets/${c.ds.slug}` }), expect: page(work, 'hidden') },
  { route: 'GET /dashboard/datasets/:slug/edit', perDataset: true, call: (c) => ({ method: 'get', url: `/dashboard/datasets/${c.ds.slug}/edit` }), expect: page(work, 'hidden') },
  {
    route: 'POST /dashboard/datasets/:slug/edit', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/dashboard/datasets/${c.ds.slug}/edit`, body: datasetForm(`Diubah ${uid()}`, c.kind) }),
    // The form keeps the dataset's access level; the producer may not change a submission under review.
    expect: (w, k) => (!signed(w) ? 'login' : w === 'owner' && k === 'submitted' ? 'conflict' : work(w) ? 'ok' : 'hidden'),
  },
  {
    route: 'POST /dashboard/datasets/:slug/retract', perDataset: true, write: true, changesKind: true,
    call: (c) => ({ method: 'post', url: `/dashboard/datasets/${c.ds.slug}/retract`, body: { reason: 'uji tabel akses' } }),
    expect: (w, k) => (!signed(w) ? 'login' : custodian(w) ? inState(k, ['published', 'terbatas', 'tertutup']) : denyWork(w)),
  },
  {
    route: 'POST /dashboard/datasets/:slug/versions', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/dashboard/datasets/${c.ds.slug}/versions`, file: { name: 'data.csv', content: csvOf() } }),
    expect: (w) => (!signed(w) ? 'login' : producerSide(w) ? 'ok' : denyWork(w)),
  },
  { route: 'GET /dashboard/datasets/:slug/versions/:n', perDataset: true, call: (c) => ({ method: 'get', url: `/dashboard/datasets/${c.ds.slug}/versions/1` }), expect: page(work, 'hidden') },
  {
    route: 'POST /dashboard/datasets/:slug/versions/:n/submit', perDataset: true, write: true, changesKind: true,
    call: (c) => ({ method: 'post', url: `/dashboard/datasets/${c.ds.slug}/versions/1/submit` }),
    expect: (w, k) => (!signed(w) ? 'login' : producerSide(w) ? inState(k, ['draft']) : denyWork(w)),
  },
  {
    route: 'POST /dashboard/datasets/:slug/versions/:n/withdraw', perDataset: true, write: true, changesKind: true,
    call: (c) => ({ method: 'post', url: `/dashboard/datasets/${c.ds.slug}/versions/1/withdraw` }),
    expect: (w, k) => (!signed(w) ? 'login' : producerSide(w) ? inState(k, ['submitted']) : denyWork(w)),
  },
  {
    route: 'POST /dashboard/datasets/:slug/versions/:n/reload', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/dashboard/datasets/${c.ds.slug}/versions/1/reload` }),
    expect: (w, k) => (!signed(w) ? 'login' : producerSide(w) ? inState(k, ['draft']) : denyWork(w)),
  },
  {
    route: 'POST /dashboard/datasets/:slug/versions/:n/comment', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/dashboard/datasets/${c.ds.slug}/versions/1/comment`, body: { comment: 'Catatan uji' } }),
    // Comments: whoever sees the work.
    expect: (w, k) => (!signed(w) ? 'login' : work(w) ? 'ok' : deny(w, seesV1(w, k))),
  },

  // Review.
  { route: 'GET /review', call: () => ({ method: 'get', url: '/review' }), expect: page(reviewer) },
  {
    route: 'GET /review/:slug/:n', perDataset: true,
    call: (c) => ({ method: 'get', url: `/review/${c.ds.slug}/1` }),
    // The review page is work: the custodian; the pembina only for priority data at its stage (none here).
    expect: (w) => (!signed(w) ? 'login' : !reviewer(w) ? 'forbidden' : custodian(w) ? 'ok' : 'hidden'),
  },
  {
    route: 'POST /review/:slug/:n', perDataset: true, write: true, changesKind: true,
    call: (c) => ({ method: 'post', url: `/review/${c.ds.slug}/1`, body: { decision: 'approve', confirm_checklist: 'on', override_reason: 'uji tabel akses' } }),
    expect: (w, k) => (!signed(w) ? 'login' : !reviewer(w) ? 'forbidden' : custodian(w) ? inState(k, ['submitted']) : deny(w, seesV1(w, k))),
  },
  {
    route: 'POST /review/:slug/:n/unschedule', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/review/${c.ds.slug}/1/unschedule` }),
    // Nothing here is scheduled: the custodian gets the state's refusal.
    expect: (w, k) => (!signed(w) ? 'login' : !reviewer(w) ? 'forbidden' : custodian(w) ? inState(k, []) : deny(w, seesV1(w, k))),
  },
  {
    route: 'POST /review/:slug/:n/publish-now', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/review/${c.ds.slug}/1/publish-now` }),
    expect: (w, k) => (!signed(w) ? 'login' : !reviewer(w) ? 'forbidden' : custodian(w) ? inState(k, []) : deny(w, seesV1(w, k))),
  },

  // Inbox and admin.
  { route: 'GET /inbox', call: () => ({ method: 'get', url: '/inbox' }), expect: page(signed) },
  { route: 'GET /inbox/:id', call: () => ({ method: 'get', url: '/inbox/999999999' }), expect: page(signed) },
  { route: 'POST /inbox/read', write: true, call: () => ({ method: 'post', url: '/inbox/read' }), expect: page(signed) },
  { route: 'GET /admin/audit', call: () => ({ method: 'get', url: '/admin/audit' }), expect: page((w) => w === 'admin') },

  // The walidata's management pages.
  { route: 'GET /manage', call: () => ({ method: 'get', url: '/manage' }), expect: page(custodian) },
  { route: 'GET /manage/opd', call: () => ({ method: 'get', url: '/manage/opd' }), expect: page(custodian) },
  // An OPD is reminded at most once an hour: the admin, asking after the walidata, gets the refusal of the state.
  { route: 'POST /manage/remind', write: true, call: () => ({ method: 'post', url: '/manage/remind', body: { organization: t.w.opd.slug, year: String(year), note: 'Uji' } }), expect: (w) => (w === 'admin' ? 'conflict' : page(custodian)(w)) },
  { route: 'GET /manage/daftar-data', call: () => ({ method: 'get', url: `/manage/daftar-data?tahun=${year}` }), expect: page((w) => custodian(w) || w === 'owner' || w === 'other') },
  {
    route: 'POST /manage/daftar-data', write: true,
    call: () => ({ method: 'post', url: '/manage/daftar-data', body: { year: String(year), name: `Butir ${uid()}`, organization: t.w.opd.slug, frequency: 'tahunan' } }),
    expect: page(custodian),
  },
  // An item is public (it is on /daftar-data); its workspace page is for the custodian and the item's OPD.
  { route: 'GET /manage/daftar-data/:id', call: () => ({ method: 'get', url: `/manage/daftar-data/${item.id}` }), expect: page((w) => custodian(w) || w === 'owner') },
  {
    route: 'POST /manage/daftar-data/:id', write: true,
    call: () => ({ method: 'post', url: `/manage/daftar-data/${item.id}`, body: { name: `Butir diubah ${uid()}`, organization: t.w.opd.slug, frequency: 'tahunan' } }),
    expect: page(custodian),
  },
  {
    route: 'POST /manage/daftar-data-import', write: true,
    call: () => ({ method: 'post', url: '/manage/daftar-data-import', body: { year: String(year) }, file: { name: 'daftar.csv', content: `nama,opd,frekuensi\nButir impor ${uid()},${t.w.opd.slug},tahunan\n` } }),
    expect: page(custodian),
  },
  { route: 'GET /manage/permintaan', call: () => ({ method: 'get', url: '/manage/permintaan' }), expect: page((w) => custodian(w) || w === 'owner' || w === 'other') },
  // A new request is not routed to any OPD yet: only the custodian handles it.
  { route: 'GET /manage/permintaan/:id', call: () => ({ method: 'get', url: `/manage/permintaan/${dataRequest.id}` }), expect: (w) => (!signed(w) ? 'login' : custodian(w) ? 'ok' : w === 'pembina' ? 'forbidden' : 'hidden') },
  {
    route: 'POST /manage/permintaan/:id', write: true,
    call: () => ({ method: 'post', url: `/manage/permintaan/${dataRequest.id}`, body: { action: 'hide', reason: 'uji' } }),
    // The request itself is public (/permintaan/:id): handling it is the custodian's.
    expect: page(custodian),
  },
  // Tokens and the account pages (the owner's tokens are the ones revoked: only the owner and the admin may).
  { route: 'GET /api/v1/tokens', call: () => ({ method: 'get', url: '/api/v1/tokens' }), expect: signedOnly },
  {
    route: 'DELETE /api/v1/tokens/:id', write: true,
    call: (c) => ({ method: 'delete', url: `/api/v1/tokens/${victims[`api:${c.who}`]}` }),
    // The service account may do nothing but push and submit: refused before anything is looked up.
    expect: (w) => (w === 'owner' || w === 'admin' ? 'ok' : machine(w) ? 'forbidden' : 'hidden'),
  },
  // Pulled sources (issue 12): the dataset's producers set and run them (the runs upload as them);
  // whoever sees the work sees the source and its log. The source points at an address the
  // SSRF guard refuses at once, so a run fails without leaving the machine. Order matters: the
  // source is set (API) before it is read and run.
  {
    route: 'PUT /api/v1/datasets/:slug/source', perDataset: true, write: true,
    call: (c) => ({ method: 'put', url: `/api/v1/datasets/${c.ds.slug}/source`, body: { kind: 'url', url: 'http://127.0.0.1:9/sumber.csv', schedule: 'monthly 28 03:00' } }),
    expect: (w) => (producerSide(w) ? 'ok' : denyWork(w)),
  },
  { route: 'GET /api/v1/datasets/:slug/source', perDataset: true, call: (c) => ({ method: 'get', url: `/api/v1/datasets/${c.ds.slug}/source` }), expect: (w) => (work(w) ? 'ok' : 'hidden') },
  { route: 'GET /api/v1/datasets/:slug/source/runs', perDataset: true, call: (c) => ({ method: 'get', url: `/api/v1/datasets/${c.ds.slug}/source/runs` }), expect: (w) => (work(w) ? 'ok' : 'hidden') },
  {
    route: 'POST /api/v1/datasets/:slug/source/run', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/api/v1/datasets/${c.ds.slug}/source/run` }),
    expect: (w) => (producerSide(w) ? 'ok' : denyWork(w)),
  },
  {
    route: 'POST /dashboard/datasets/:slug/source', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/dashboard/datasets/${c.ds.slug}/source`, body: { kind: 'url', url: 'http://127.0.0.1:9/sumber.csv', schedule: 'monthly 28 03:00', enabled: 'on' } }),
    expect: (w) => (!signed(w) ? 'login' : producerSide(w) ? 'ok' : denyWork(w)),
  },
  {
    route: 'POST /dashboard/datasets/:slug/source/run', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/dashboard/datasets/${c.ds.slug}/source/run` }),
    expect: (w) => (!signed(w) ? 'login' : producerSide(w) ? 'ok' : denyWork(w)),
  },
  // Webhooks: an outbound channel — the custodian for anything, a producer for its own OPD.
  {
    route: 'POST /api/v1/webhooks', write: true,
    call: () => ({ method: 'post', url: '/api/v1/webhooks', body: { url: 'http://127.0.0.1:9/hook', events: ['published'], organization: t.w.opd.slug } }),
    expect: (w) => (w === 'public' ? 'login' : w === 'owner' || custodian(w) ? 'ok' : 'forbidden'),
  },
  { route: 'GET /api/v1/webhooks', call: () => ({ method: 'get', url: '/api/v1/webhooks' }), expect: signedOnly },
  {
    route: 'GET /api/v1/webhooks/:id/deliveries',
    call: () => ({ method: 'get', url: `/api/v1/webhooks/${victims['webhook-log']}/deliveries` }),
    expect: (w) => (w === 'owner' || w === 'admin' ? 'ok' : 'hidden'),
  },
  {
    route: 'DELETE /api/v1/webhooks/:id', write: true,
    call: (c) => ({ method: 'delete', url: `/api/v1/webhooks/${victims[`webhook:${c.who}`]}` }),
    expect: (w) => (w === 'owner' || w === 'admin' ? 'ok' : machine(w) ? 'forbidden' : 'hidden'),
  },
  // Harvest sources (issue 12): the custodian's. Each source made here points at an address the
  // SSRF guard refuses at once (no FETCH_ALLOW_HOSTS in this file), so a run fails without leaving the machine.
  {
    route: 'POST /api/v1/harvest-sources', write: true,
    call: () => ({ method: 'post', url: '/api/v1/harvest-sources', body: { kind: 'ckan', url: `http://127.0.0.1:9/akses-${uid()}/api/3/action`, name: `Kabupaten Akses ${uid()}` } }),
    expect: (w) => (w === 'public' ? 'login' : custodian(w) ? 'ok' : 'forbidden'),
  },
  { route: 'GET /api/v1/harvest-sources', call: () => ({ method: 'get', url: '/api/v1/harvest-sources' }), expect: (w) => (w === 'public' ? 'login' : custodian(w) ? 'ok' : 'forbidden') },
  {
    route: 'POST /api/v1/harvest-sources/:id/run', write: true,
    call: () => ({ method: 'post', url: `/api/v1/harvest-sources/${victims['harvest-source']}/run` }),
    expect: (w) => (w === 'public' ? 'login' : custodian(w) ? 'ok' : 'forbidden'),
  },
  { route: 'GET /manage/panen', call: () => ({ method: 'get', url: '/manage/panen' }), expect: page(custodian) },
  { route: 'POST /manage/panen/:id/run', write: true, call: () => ({ method: 'post', url: `/manage/panen/${victims['harvest-source']}/run` }), expect: page(custodian) },
  { route: 'GET /api/v1/harvest-sources/:id/runs', call: () => ({ method: 'get', url: `/api/v1/harvest-sources/${victims['harvest-source']}/runs` }), expect: (w) => (w === 'public' ? 'login' : custodian(w) ? 'ok' : 'forbidden') },
  // The webhooks page: those who may subscribe (producers, the custodian), each seeing its own.
  { route: 'GET /dashboard/webhooks', call: () => ({ method: 'get', url: '/dashboard/webhooks' }), expect: page((w) => w !== 'pembina') },
  {
    route: 'POST /dashboard/webhooks', write: true,
    call: () => ({ method: 'post', url: '/dashboard/webhooks', body: { url: 'http://127.0.0.1:9/halaman', events: 'published', organization: t.w.opd.slug } }),
    expect: page((w) => w === 'owner' || custodian(w)),
  },
  {
    route: 'POST /dashboard/webhooks/:id/delete', write: true,
    call: (c) => ({ method: 'post', url: `/dashboard/webhooks/${victims[`webhook-page:${c.who}`]}/delete` }),
    expect: (w) => (!signed(w) ? 'login' : w === 'pembina' ? 'forbidden' : w === 'owner' || w === 'admin' ? 'ok' : 'hidden'),
  },
  { route: 'GET /account', call: () => ({ method: 'get', url: '/account' }), expect: page(signed) },
  { route: 'GET /account/tokens', call: () => ({ method: 'get', url: '/account/tokens' }), expect: page(signed) },
  { route: 'POST /account/tokens', write: true, call: () => ({ method: 'post', url: '/account/tokens', body: { name: `Uji ${uid()}`, scope: 'read' } }), expect: page(signed) },
  {
    route: 'POST /account/tokens/:id/revoke', write: true,
    call: (c) => ({ method: 'post', url: `/account/tokens/${victims[`account:${c.who}`]}/revoke` }),
    expect: (w) => (!signed(w) ? 'login' : w === 'owner' || w === 'admin' ? 'ok' : 'hidden'),
  },
  { route: 'GET /admin/tokens', call: () => ({ method: 'get', url: '/admin/tokens' }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/tokens', write: true, call: () => ({ method: 'post', url: '/admin/tokens', body: { email: t.w.producer.email, name: `Layanan ${uid()}`, scope: 'read' } }), expect: page((w) => w === 'admin') },
  {
    route: 'POST /admin/tokens/:id/revoke', write: true,
    call: (c) => ({ method: 'post', url: `/admin/tokens/${victims[`admin:${c.who}`]}/revoke` }),
    expect: page((w) => w === 'admin'),
  },

  // Charts and maps for other sites: public data only, whoever asks (a framed page never shows more).
  { route: 'GET /dataset/:slug/embed', perDataset: true, call: (c) => ({ method: 'get', url: `/dataset/${c.ds.slug}/embed` }), expect: (_w, k) => (k === 'published' ? 'ok' : 'hidden') },

  // The home page's headline indicators: the custodian's. The list is the portal's (other test
  // files read it), so the allowed call names a dataset that does not exist: refused as input (400).
  // Usage (views, downloads, searches that found nothing): the custodian's.
  { route: 'GET /manage/penggunaan', call: () => ({ method: 'get', url: '/manage/penggunaan?hari=90' }), expect: page(custodian) },
  { route: 'GET /manage/beranda', call: () => ({ method: 'get', url: '/manage/beranda' }), expect: page(custodian) },
  {
    route: 'POST /manage/beranda', write: true,
    call: () => ({ method: 'post', url: '/manage/beranda', body: { 'slot[0][choice]': 'tidak-ada-dataset-ini|jumlah', 'slot[0][fn]': 'sum' } }),
    expect: (w) => (!signed(w) ? 'login' : custodian(w) ? 'invalid' : 'forbidden'),
  },
  // The reference codes (kode referensi): the custodian's. The codes are the portal's (other test
  // files read them), so the writes change nothing: invalid codes (400), or 'in use' for a code in use.
  { route: 'GET /manage/wilayah', call: () => ({ method: 'get', url: '/manage/wilayah?q=18' }), expect: page(custodian) },
  {
    route: 'POST /manage/wilayah', write: true,
    call: () => ({ method: 'post', url: '/manage/wilayah', body: { level: 'kabupaten_kota', nama: 'Tabel akses', jenis: 'kabupaten', kode_bps: 'x', kode_kemendagri: 'y', induk_bps: '18' } }),
    expect: (w) => (!signed(w) ? 'login' : custodian(w) ? 'invalid' : 'forbidden'),
  },
  { route: 'GET /manage/wilayah/:id', call: () => ({ method: 'get', url: `/manage/wilayah/${wilayahTarget.id}` }), expect: page(custodian) },
  {
    route: 'POST /manage/wilayah/:id', write: true,
    call: () => ({ method: 'post', url: `/manage/wilayah/${wilayahTarget.id}`, body: { level: 'kabupaten_kota', nama: 'Tabel akses', jenis: 'kabupaten', kode_bps: '18', kode_kemendagri: '1804', induk_bps: '18' } }),
    expect: (w) => (!signed(w) ? 'login' : custodian(w) ? 'invalid' : 'forbidden'),
  },
  // Putting a code in use that is in use already: the custodian gets through and is sent back
  // with nothing recorded (a conflict), the others are refused.
  {
    route: 'POST /manage/wilayah/:id/active', write: true,
    call: () => ({ method: 'post', url: `/manage/wilayah/${wilayahTarget.id}/active`, body: { active: 'true' } }),
    expect: (w) => (!signed(w) ? 'login' : custodian(w) ? 'conflict' : 'forbidden'),
  },
  // The admin's organization and user pages: only the admin; each write on records of its own
  // (made below), never on the people the other rows use.
  { route: 'GET /admin', call: () => ({ method: 'get', url: '/admin' }), expect: page((w) => w === 'admin') },
  { route: 'GET /admin/organizations', call: () => ({ method: 'get', url: '/admin/organizations' }), expect: page((w) => w === 'admin') },
  { route: 'GET /admin/organizations/new', call: () => ({ method: 'get', url: '/admin/organizations/new' }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/organizations', write: true, call: () => ({ method: 'post', url: '/admin/organizations', body: { slug: `akses-${uid()}`, name: 'Organisasi tabel akses', kind: 'opd' } }), expect: page((w) => w === 'admin') },
  { route: 'GET /admin/organizations/:slug/edit', call: () => ({ method: 'get', url: `/admin/organizations/${adminTargets.org}/edit` }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/organizations/:slug/edit', write: true, call: () => ({ method: 'post', url: `/admin/organizations/${adminTargets.org}/edit`, body: { name: `Organisasi ${uid()}` } }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/organizations/:slug/deactivate', write: true, call: () => ({ method: 'post', url: `/admin/organizations/${adminTargets.orgToDeactivate}/deactivate` }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/organizations/:slug/activate', write: true, call: () => ({ method: 'post', url: `/admin/organizations/${adminTargets.orgToActivate}/activate` }), expect: page((w) => w === 'admin') },
  { route: 'GET /admin/users', call: () => ({ method: 'get', url: '/admin/users' }), expect: page((w) => w === 'admin') },
  // OPD applications' service accounts (issue 12): the admin's; rotated and revoked on accounts of their own.
  { route: 'GET /admin/services', call: () => ({ method: 'get', url: '/admin/services' }), expect: page((w) => w === 'admin') },
  { route: 'GET /admin/services/new', call: () => ({ method: 'get', url: `/admin/services/new?org=${t.w.opd.slug}` }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/services', write: true, call: () => ({ method: 'post', url: '/admin/services', body: { slug: `akses-${uid()}`, name: 'Aplikasi tabel akses', org: t.w.opd.slug, datasets: fixtures.draft.slug } }), expect: page((w) => w === 'admin') },
  { route: 'GET /admin/services/:id', call: () => ({ method: 'get', url: `/admin/services/${adminTargets.service}` }), expect: page((w) => w === 'admin') },
  // Each allowed call changes the list (the admin's is the only one allowed): the draft and the submitted fixture.
  { route: 'POST /admin/services/:id/datasets', write: true, call: () => ({ method: 'post', url: `/admin/services/${adminTargets.service}/datasets`, body: { datasets: [fixtures.draft.slug, fixtures.submitted.slug] } }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/services/:id/rotate', write: true, call: () => ({ method: 'post', url: `/admin/services/${adminTargets.service}/rotate` }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/services/:id/revoke', write: true, call: () => ({ method: 'post', url: `/admin/services/${adminTargets.serviceToRevoke}/revoke` }), expect: page((w) => w === 'admin') },
  { route: 'GET /admin/users/new', call: () => ({ method: 'get', url: '/admin/users/new' }), expect: page((w) => w === 'admin') },
  { route: 'GET /admin/users/:id', call: () => ({ method: 'get', url: `/admin/users/${adminTargets.user}` }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/users', write: true, call: () => ({ method: 'post', url: '/admin/users', body: { email: `akses-${uid()}@uji.satudata.id`, name: 'Pengguna tabel akses', role: 'produsen', org: t.w.opd.slug, password: '' } }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/users/:id', write: true, call: () => ({ method: 'post', url: `/admin/users/${adminTargets.user}`, body: { name: `Nama ${uid()}`, role: 'produsen', org: t.w.opd.slug } }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/users/:id/deactivate', write: true, call: () => ({ method: 'post', url: `/admin/users/${adminTargets.userToDeactivate}/deactivate` }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/users/:id/activate', write: true, call: () => ({ method: 'post', url: `/admin/users/${adminTargets.userToActivate}/activate` }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/users/:id/sign-out', write: true, call: () => ({ method: 'post', url: `/admin/users/${adminTargets.user}/sign-out` }), expect: page((w) => w === 'admin') },
  { route: 'POST /admin/users/:id/reset-password', write: true, call: () => ({ method: 'post', url: `/admin/users/${adminTargets.user}/reset-password` }), expect: page((w) => w === 'admin') },
  // "Sign out everywhere" ends the caller's other sessions, the shared client's among them: each
  // call has a session of its own, and the role's client signs in again after it.
  { route: 'POST /account/sessions/end', write: true, freshSession: true, endsSessions: true, call: () => ({ method: 'post', url: '/account/sessions/end' }), expect: page(signed) },
  // Passwords. Changing one here would end the sessions the other rows use: the form is sent with
  // a confirmation that does not match, which only a signed-in user gets as far as (400).
  { route: 'GET /account/password', call: () => ({ method: 'get', url: '/account/password' }), expect: page(signed) },
  {
    route: 'POST /account/password', write: true,
    call: () => ({ method: 'post', url: '/account/password', body: { current_password: 'x', new_password: 'panjang-sekali-baru-1', confirm_password: 'lain-sekali-baru-2' } }),
    expect: (w) => (signed(w) ? 'invalid' : 'login'),
  },
  { route: 'GET /password/forgot', call: () => ({ method: 'get', url: '/password/forgot' }), expect: everyone },
  {
    route: 'POST /password/forgot', write: true,
    call: (c) => ({ method: 'post', url: '/password/forgot', body: { email: people[c.who === 'public' ? 'owner' : c.who].email } }),
    expect: everyone,
  },
  // A reset link is its own credential: an unknown one is unknown to everyone.
  { route: 'GET /password/reset/:token', call: () => ({ method: 'get', url: `/password/reset/${'0'.repeat(43)}` }), expect: () => 'hidden' },
  {
    route: 'POST /password/reset/:token', write: true,
    call: () => ({ method: 'post', url: `/password/reset/${'0'.repeat(43)}`, body: { new_password: 'panjang-sekali-baru-1', confirm_password: 'panjang-sekali-baru-1' } }),
    expect: () => 'hidden',
  },
  // A dataset's automation (issue 12): auto_submit is the OPD's or the custodian's. Each allowed
  // role turns it the other way than the one before (owner on, walidata off, admin on), so each
  // call changes something; last in the table, so no upload above is submitted by it.
  {
    route: 'POST /dashboard/datasets/:slug/automation', perDataset: true, write: true,
    call: (c) => ({ method: 'post', url: `/dashboard/datasets/${c.ds.slug}/automation`, body: { has_auto_submit: '1', ...(c.who === 'walidata' ? {} : { auto_submit: 'on' }) } }),
    expect: (w) => (!signed(w) ? 'login' : work(w) ? 'ok' : 'hidden'),
  },
];

// CKAN's action API: every read action it answers, at both mount points. Writes are refused (403) for everyone.
const CKAN_CALLS: Record<string, (c: Ctx) => Record<string, string>> = {
  status_show: () => ({}),
  package_list: () => ({}),
  package_search: () => ({ q: 'uji' }),
  package_show: (c) => ({ id: c.ds.slug }),
  resource_show: (c) => ({ id: c.ds.v1 }),
  organization_list: () => ({}),
  organization_show: () => ({ id: t.w.opd.slug }),
  group_list: () => ({}),
  group_show: () => ({ id: 'kependudukan' }),
  tag_list: () => ({}),
  tag_show: () => ({ id: 'uji' }),
  datastore_search: (c) => ({ resource_id: c.ds.v1 }),
  datastore_search_sql: () => ({ sql: 'SELECT 1' }),
  help_show: () => ({ name: 'package_show' }),
};
const CKAN_PER_DATASET = new Set(['package_show', 'resource_show', 'datastore_search']);
/**
 * What each CKAN action answers, per role and kind. A CKAN package is a dataset with published
 * data: the public gets terbuka ones only (SPEC §1); a caller with a token also those it may read
 * (CKAN's private datasets for authorized users) — never drafts or retracted ones. The rest answer everyone.
 */
function ckanExpect(name: string, w: Who, k: Kind): Outcome {
  if (CKAN_PER_DATASET.has(name)) return face(w, k) ? 'ok' : 'hidden';
  if (name === 'datastore_search_sql') return 'forbidden';
  return 'ok';
}

// ---- running it -------------------------------------------------------------------------------

function classify(method: string, res: request.Response, audited: boolean | null): Outcome | string {
  const s = res.status;
  if (s === 401) return 'login';
  if (s === 403) return 'forbidden';
  if (s === 404) return 'hidden';
  if (s === 409) return 'conflict';
  if (s === 410) return 'gone';
  if (s === 400) return 'invalid';
  if (s >= 300 && s < 400) {
    const to = String(res.headers.location ?? '');
    if (to.startsWith('/login')) return 'login';
    // A form that answered with a redirect did its work if the audit log says so; else it was sent back.
    if (method !== 'get' && audited === false) return 'conflict';
    return 'ok';
  }
  if (s >= 200 && s < 300) return 'ok';
  return `status ${s}`;
}

async function send(app: Express, c: Ctx, call: Call, web: boolean, client: Client) {
  const agent = web ? client.web : request(app);
  let req = agent[call.method](call.url);
  // The service account sends its token to the pages too: it must open nothing there.
  if (!web || c.who === 'service') req = req.set(client.auth);
  for (const [k, v] of Object.entries(call.headers ?? {})) req = req.set(k, v);
  if (call.file) {
    if (web) req = req.field('_csrf', client.csrf);
    for (const [k, v] of Object.entries(call.body ?? {})) req = req.field(k, String(v));
    return req.attach('file', Buffer.from(call.file.content), call.file.name);
  }
  if (call.method === 'get') return req;
  if (web) return req.type('form').send({ _csrf: client.csrf, ...(call.body ?? {}) });
  return req.send(call.body ?? {});
}

/** Read interfaces outside /api that answer a token as the APIs do (served before the pages). */
const MACHINE_READS = /\/datapackage\.json$/;
const isApi = (url: string) => url.startsWith('/api/v1') || url.startsWith('/api/3') || url.startsWith('/api/action');

/** What must not move when a write is refused: the dataset, its versions, its audit trail. */
async function fingerprint(id: number) {
  const d = await t.svc.db('datasets').where({ id }).first('title', 'access_level', 'prioritas', 'current_version_id', 'retracted_at', 'updated_at');
  const v = await t.svc.db('versions').where({ dataset_id: id }).orderBy('number').select('number', 'state');
  const [{ n }] = await t.svc.db('audit_events').where({ dataset_id: id }).count<{ n: string }[]>({ n: '*' });
  return JSON.stringify({ d, v, n });
}

const actorId = (w: Who) => (w === 'public' ? null : people[w].actor.id);

async function auditMark(): Promise<number> {
  const row = await t.svc.db('audit_events').max<{ m: number | null }[]>({ m: 'id' });
  return Number(row[0].m ?? 0);
}
async function auditedSince(mark: number, w: Who, datasetId: number | null): Promise<boolean> {
  const q = t.svc.db('audit_events').where('id', '>', mark);
  if (datasetId !== null) void q.where({ dataset_id: datasetId });
  const id = actorId(w);
  if (id === null) void q.whereNull('actor_id');
  else void q.where({ actor_id: id });
  return Boolean(await q.first('id'));
}

/**
 * Writes that change state outside an action (so nothing is in the audit log), each with why.
 * Each is tested on its own below. Every other write an allowed role makes must leave an audit event.
 */
const EXEMPT: Record<string, string> = {
  // Also outside actions, on reads: views and downloads are counted (usage/recorder.ts) and search misses noted.
  'POST /inbox/read': 'marks the caller’s own notifications read (their own reading state, not a permission-relevant change)',
  'POST /logout': 'ends the caller’s own session',
  'POST /api/v1/tokens': 'signing in: an action (token.issue) recorded in the audit log',
  'POST /login': 'signing in: an action (user.sign_in) recorded in the audit log',
  'POST /password/forgot': 'an action that answers alike whether or not the account exists, and records nothing when a link was asked for just before',
};

interface Cell { route: string; who: Who; kind: Kind | '-'; url: string; expected: Outcome; got: string }

/**
 * What `who` may get from a call (null: not asked). On the pages a service account's token counts
 * for nothing: it gets what the public gets. A read-only token (scope read) reads what its owner
 * reads and changes nothing (403) — signing in with a password needs no token.
 */
function expectFor(row: Row, who: Who, kind: Kind, web: boolean): { as: Who; outcome: Outcome } | null {
  if (who === 'reader') {
    if (web) return null;
    if (row.write && row.route !== 'POST /api/v1/tokens') return { as: who, outcome: 'forbidden' };
    return { as: who, outcome: row.expect('owner', kind) };
  }
  if (who === 'service' && web) return { as: 'public', outcome: row.expect('public', kind) };
  return { as: who, outcome: row.expect(who, kind) };
}

async function runCell(row: Row, who: Who, kind: Kind | null, callFor: (c: Ctx) => Call | Call[]): Promise<Cell[]> {
  let ds = kind ? fixtures[kind] : fixtures.published;
  const first = [callFor({ who, ds, kind: kind ?? 'published' })].flat()[0];
  const expectedFirst = expectFor(row, who, kind ?? 'published', !isApi(first.url) && !MACHINE_READS.test(first.url));
  if (kind && row.changesKind && expectedFirst?.outcome === 'ok') ds = await makeFixture(kind);
  const c: Ctx = { who, ds, kind: kind ?? 'published' };
  const calls = [callFor(c)].flat();
  const out: Cell[] = [];
  for (const call of calls) {
    // The Data Package is a machine interface: the token-only roles read it with their token.
    const web = !isApi(call.url) && !((who === 'service' || who === 'reader') && MACHINE_READS.test(call.url));
    const e = expectFor(row, who, kind ?? 'published', web);
    if (!e) continue;
    const expected = e.outcome;
    const client = row.freshSession ? await clientFor(who) : clients[who];
    const before = row.write && kind ? await fingerprint(ds.id) : null;
    const mark = row.write ? await auditMark() : 0;
    const res = await send(t.app, c, call, web, client);
    const audited = row.write ? await auditedSince(mark, e.as, kind ? ds.id : null) : null;
    const got = classify(call.method, res, row.write && !(row.route in EXEMPT) ? audited : null);
    if (row.endsSessions && who !== 'public') clients[who] = await clientFor(who);
    let note = '';
    if (row.write && got !== 'ok' && before !== null && (await fingerprint(ds.id)) !== before) note = ' (and it changed the dataset)';
    if (row.write && got === 'ok' && !(row.route in EXEMPT) && !audited) note = ' (a write with no audit event)';
    out.push({ route: row.route, who, kind: kind ?? '-', url: call.url, expected, got: got + note });
  }
  return out;
}

/**
 * All cells of a row. Reads run at once; writes about datasets run one role at a time, the kinds
 * at once (each kind is its own dataset, and the audit check looks at that dataset only); other
 * writes one by one.
 */
async function runRow(row: Row): Promise<Cell[]> {
  const kinds: Array<Kind | null> = row.perDataset ? [...KINDS] : [null];
  const cell = (who: Who, kind: Kind | null) => runCell(row, who, kind, row.call);
  if (!row.write) return (await Promise.all(WHO.flatMap((who) => kinds.map((k) => cell(who, k))))).flat();
  const out: Cell[] = [];
  for (const who of WHO) {
    if (row.perDataset) out.push(...(await Promise.all(kinds.map((k) => cell(who, k)))).flat());
    else out.push(...(await cell(who, null)));
  }
  return out;
}

const CKAN_MOUNTS = ['/api/3/action', '/api/action'];

describe('the access table', () => {
  it('has a row for every route the app registers, and no row for a route that is gone', () => {
    const registered = new Set(registeredRoutes(t.app));
    const table = new Set([...ROWS.map((r) => r.route), ...CKAN_MOUNTS.map((m) => `ALL ${m}/:name`)]);
    expect([...registered].filter((r) => !table.has(r)).sort()).toEqual([]);
    expect([...table].filter((r) => !registered.has(r)).sort()).toEqual([]);
    // Every CKAN action the router answers has its own row.
    expect(Object.keys(CKAN_ACTIONS).filter((a) => !(a in CKAN_CALLS)).sort()).toEqual([]);
  });

  it.each(ROWS.map((r) => [r.route, r] as const))('%s answers every role as SPEC §1 says', async (_name, row) => {
    expect((await runRow(row)).filter((x) => x.got !== x.expected)).toEqual([]);
  });

  it.each(Object.keys(CKAN_CALLS))('CKAN %s answers every role as SPEC §1 says, at both paths', async (name) => {
    const cells: Cell[] = [];
    for (const mount of CKAN_MOUNTS) {
      cells.push(...(await runRow({
        route: `ALL ${mount}/:name`,
        perDataset: CKAN_PER_DATASET.has(name),
        call: (c) => ({ method: 'get', url: `${mount}/${name}?${new URLSearchParams(CKAN_CALLS[name](c))}` }),
        expect: (w, k) => ckanExpect(name, w, k),
      })));
    }
    expect(cells.filter((x) => x.got !== x.expected)).toEqual([]);
  });

  it('marks every route that is not a read as a write, and exempts only writes it has', () => {
    for (const row of ROWS) {
      if (!row.route.startsWith('GET ')) expect({ route: row.route, write: row.write === true }).toEqual({ route: row.route, write: true });
    }
    const writes = new Set(ROWS.filter((r) => r.write).map((r) => r.route));
    expect(Object.keys(EXEMPT).filter((r) => !writes.has(r))).toEqual([]);
  });

  it('exempt: marking the inbox read touches only the caller’s own notifications', async () => {
    const owner = people.owner.actor.id!;
    const other = people.other.actor.id!;
    const ids = await t.svc.db('notifications').insert([
      { user_id: owner, kind: 'comment', dataset_id: fixtures.published.id },
      { user_id: other, kind: 'comment', dataset_id: fixtures.published.id },
    ]).returning('id');
    await clients.owner.web.post('/inbox/read').type('form').send({ _csrf: clients.owner.csrf }).expect(303);
    const rows = await t.svc.db('notifications').whereIn('id', ids.map((r: { id: number }) => r.id)).orderBy('id').select('user_id', 'read_at');
    expect(rows.map((r) => [r.user_id, r.read_at !== null])).toEqual([[owner, true], [other, false]]);
    // Following a notification marks only that one, and only one's own.
    const [mine] = await t.svc.db('notifications').insert({ user_id: other, kind: 'comment', dataset_id: fixtures.published.id }).returning('id');
    await clients.owner.web.get(`/inbox/${mine.id}`).expect(302);
    expect((await t.svc.db('notifications').where({ id: mine.id }).first()).read_at).toBeNull();
  });

  it('exempt: the download counter counts downloads of published data only', async () => {
    await t.svc.usage.flush();
    const count = async (k: Kind) => Number((await t.svc.db('datasets').where({ id: fixtures[k].id }).first('download_count')).download_count);
    const before = { published: await count('published'), draft: await count('draft') };
    await clients.public.web.get(`/dataset/${fixtures.published.slug}/download.csv`).expect(200);
    await clients.owner.web.get(`/dataset/${fixtures.draft.slug}/download.csv?version=1`).expect(200);
    await clients.owner.web.get(`/dataset/${fixtures.draft.slug}/versions/1/raw`).expect(200);
    await clients.public.web.get(`/dataset/${fixtures.draft.slug}/download.csv?version=1`).expect(404);
    await t.svc.usage.flush();
    expect({ published: await count('published'), draft: await count('draft') }).toEqual({ published: before.published + 1, draft: before.draft });
  });

  it('refuses CKAN write actions for everyone (nothing comes in around the review)', async () => {
    for (const who of WHO) {
      for (const name of ['package_create', 'package_patch', 'resource_create', 'datastore_upsert', 'user_create']) {
        const res = await request(t.app).post(`/api/3/action/${name}`).set(clients[who].auth).send({ name: 'x' });
        expect([who, name, res.status, res.body.success]).toEqual([who, name, 403, false]);
      }
    }
  });
});
