import N3 from 'n3';
import { SaxesParser } from 'saxes';
import request from 'supertest';
import { perform, untrusted } from '../../server/actions/action';
import { retractDataset, updateDataset } from '../../server/actions/datasets';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { NS } from '../../server/presenters/dcat-vocab';
import { makeDataset, makeOrg, makeUser, SMALL_CSV, uid, uploadContent, type TestUser } from '../support/factories';
import { testWorld } from '../support/world';

// Every machine exit, checked against datasets the public must never see: never published
// (draft, submitted), waiting for the pembina (verified), retracted, `terbatas`, `tertutup`, and
// one whose access was closed after publication, and one approved but `scheduled` for later;
// also a published dataset whose next version is scheduled (that version shows nowhere), and the
// did-you-mean spelling offered by searches (never a word of a hidden dataset).

const t = testWorld({ env: { PUBLIC_URL: 'https://data.lampungprov.test' } });
const BASE = 'https://data.lampungprov.test';

interface Made { slug: string; tag: string; uuid: string; resource: string | null }
const hidden: Record<string, Made> = {};
let control: Made;
let org: { slug: string };
let producer: TestUser;
/** A word only the hidden datasets have, and one only the control dataset has. */
const secret = `rahasiawarna${uid()}`.toLowerCase();
const open = `terbukawarna${uid()}`.toLowerCase();
/** A one-letter slip of a word (the third letter left out). */
const slip = (w: string) => w.slice(0, 2) + w.slice(3);
const FUTURE = new Date(Date.now() + 30 * 86_400_000).toISOString();

async function made(slug: string, tag: string): Promise<Made> {
  const d = await t.svc.db('datasets').where({ slug }).first();
  const v = await t.svc.db('versions').where({ dataset_id: d.id }).orderBy('number', 'desc').first();
  return { slug, tag, uuid: d.uuid, resource: v?.uuid ?? null };
}

async function dataset(kind: string, fields: Record<string, unknown>, steps: 'draft' | 'submitted' | 'approved' | 'scheduled'): Promise<Made> {
  const tag = `bocor${kind.replace(/_/g, '')}${uid()}`;
  const ds = await makeDataset(t.svc, producer, org.slug, { tags: [tag], title: `Data ${secret} ${kind}`, ...fields });
  const v = await uploadContent(t.svc, producer.actor, ds.slug, SMALL_CSV);
  if (steps !== 'draft') await perform(submitVersion, producer.actor, { slug: ds.slug, number: v.number }, t.svc);
  if (steps === 'approved') await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve' }, t.svc);
  if (steps === 'scheduled') await perform(reviewVersion, t.w.walidata.actor, untrusted({ slug: ds.slug, number: v.number, decision: 'approve', publish_at: FUTURE }), t.svc);
  return made(ds.slug, tag);
}

beforeAll(async () => {
  org = await makeOrg(t.svc, 'opd');
  producer = await makeUser(t.svc, 'produsen', org.slug);
  hidden.draft = await dataset('draft', {}, 'draft');
  hidden.submitted = await dataset('submitted', {}, 'submitted');
  hidden.verified = await dataset('verified', { prioritas: true }, 'approved');
  hidden.terbatas = await dataset('terbatas', { access_level: 'terbatas' }, 'approved');
  hidden.tertutup = await dataset('tertutup', { access_level: 'tertutup' }, 'approved');
  hidden.retracted = await dataset('retracted', {}, 'approved');
  await perform(retractDataset, t.w.walidata.actor, { slug: hidden.retracted.slug, reason: 'Data keliru' }, t.svc);
  hidden.scheduled = await dataset('scheduled', {}, 'scheduled');
  hidden.closed = await dataset('closed', {}, 'approved');
  await perform(updateDataset, producer.actor, { slug: hidden.closed.slug, access_level: 'tertutup' }, t.svc);
  const tag = `terlihat${uid()}`;
  const pub = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { tags: [tag], title: `Data ${open} terlihat` });
  const v = await uploadContent(t.svc, t.w.producer.actor, pub.slug, SMALL_CSV);
  await perform(submitVersion, t.w.producer.actor, { slug: pub.slug, number: v.number }, t.svc);
  await perform(reviewVersion, t.w.walidata.actor, { slug: pub.slug, number: v.number, decision: 'approve' }, t.svc);
  control = await made(pub.slug, tag);
});

const all = () => Object.values(hidden);
const ckan = (action: string, body: Record<string, unknown> = {}) => request(t.app).post(`/api/action/${action}`).set('Content-Type', 'application/json').send(JSON.stringify(body));

describe('hidden datasets appear nowhere for the public', () => {
  it('CKAN package_list', async () => {
    const names: string[] = (await ckan('package_list')).body.result;
    expect(names).toContain(control.slug);
    for (const h of all()) expect(names).not.toContain(h.slug);
  });

  it('CKAN package_search: results, counts and facets (also with include_private as the public)', async () => {
    for (const include_private of [false, true]) {
      const res = (await ckan('package_search', { rows: 1000, 'facet.field': ['tags', 'organization'], 'facet.limit': -1, include_private })).body.result;
      const names = res.results.map((p: { name: string }) => p.name);
      expect(names).toContain(control.slug);
      for (const h of all()) {
        expect(names).not.toContain(h.slug);
        expect(res.facets.tags[h.tag]).toBeUndefined();
        const byTag = (await ckan('package_search', { fq: `tags:${h.tag}`, include_private })).body.result;
        expect(byTag.count).toBe(0);
      }
      expect(res.facets.organization[org.slug]).toBeUndefined();
    }
  });

  it('CKAN package_show, resource_show and datastore_search answer Not Found', async () => {
    for (const h of all()) {
      for (const id of [h.slug, h.uuid]) expect((await ckan('package_show', { id })).status).toBe(404);
      if (h.resource) {
        expect((await ckan('resource_show', { id: h.resource })).status).toBe(404);
        const ds = await ckan('datastore_search', { resource_id: h.resource });
        expect(ds.status).toBe(404);
        expect(ds.body.error.__type).toBe('Not Found Error');
      }
    }
    expect((await ckan('package_show', { id: control.slug })).status).toBe(200);
  });

  it('CKAN tag_list, organization_list and organization_show counts', async () => {
    const tags: string[] = (await ckan('tag_list')).body.result;
    for (const h of all()) expect(tags).not.toContain(h.tag);
    const orgs = (await ckan('organization_list', { all_fields: true, limit: 1000 })).body.result;
    expect(orgs.find((o: { name: string }) => o.name === org.slug).package_count).toBe(0);
    const shown = (await ckan('organization_show', { id: org.slug, include_datasets: true })).body.result;
    expect(shown.package_count).toBe(0);
    expect(shown.packages).toEqual([]);
  });

  it('DCAT: not in any catalog page, and no dataset description', async () => {
    const inCatalog = new Set<string>();
    let url: string | null = '/catalog.ttl?page=1';
    for (let i = 0; url && i < 100; i += 1) {
      const page: request.Response = await request(t.app).get(url).expect(200);
      const g: N3.Store = new N3.Store(new N3.Parser().parse(page.text));
      for (const o of g.getObjects(N3.DataFactory.namedNode(`${BASE}/catalog`), N3.DataFactory.namedNode(`${NS.dcat}dataset`), null)) inCatalog.add(o.value);
      const next: N3.Term | undefined = g.getObjects(null, N3.DataFactory.namedNode(`${NS.hydra}nextPage`), null)[0];
      url = next ? new URL(next.value).pathname + new URL(next.value).search : null;
    }
    expect(inCatalog.has(`${BASE}/dataset/${control.slug}`)).toBe(true);
    for (const h of all()) {
      expect(inCatalog.has(`${BASE}/dataset/${h.slug}`)).toBe(false);
      for (const ext of ['ttl', 'jsonld', 'rdf']) expect((await request(t.app).get(`/dataset/${h.slug}.${ext}`)).status).toBe(404);
      expect((await request(t.app).get(`/dataset/${h.slug}`).set('Accept', 'text/turtle')).status).not.toBe(200);
    }
  });

  it('Frictionless data package and downloads', async () => {
    for (const h of all()) {
      expect((await request(t.app).get(`/dataset/${h.slug}/datapackage.json`)).status).toBe(404);
      expect((await request(t.app).get(`/dataset/${h.slug}/download.csv`)).status).toBe(404);
    }
  });

  it('the change feed: never-public datasets never appear; one that left appears only as retracted', async () => {
    const items: Array<{ type: string; dataset: string }> = [];
    let since: string | null = null;
    for (let i = 0; i < 1000; i += 1) {
      const res: request.Response = await request(t.app).get('/api/v1/changes').query({ limit: 1000, ...(since ? { since } : {}) }).expect(200);
      items.push(...res.body.data);
      since = res.body.meta.next;
      if (!res.body.meta.has_more) break;
    }
    expect(items).toContainEqual(expect.objectContaining({ type: 'published', dataset: control.slug }));
    for (const h of [hidden.draft, hidden.submitted, hidden.verified, hidden.terbatas, hidden.tertutup]) {
      expect(items.filter((c) => c.dataset === h.slug)).toEqual([]);
    }
    for (const h of [hidden.retracted, hidden.closed]) {
      expect(items.filter((c) => c.dataset === h.slug).map((c) => c.type)).toEqual(['retracted']);
    }
  });

  it('the Atom feed', async () => {
    const res = await request(t.app).get('/feeds/datasets.atom').expect(200).expect('Content-Type', /atom\+xml/);
    const hrefs: string[] = [];
    const parser = new SaxesParser({ xmlns: true });
    parser.on('opentag', (tag) => {
      if (tag.local === 'link' && tag.uri === 'http://www.w3.org/2005/Atom') hrefs.push(String(tag.attributes.href?.value ?? ''));
    });
    parser.write(res.text).close();
    expect(hrefs).toContain(`${BASE}/dataset/${control.slug}`);
    for (const h of all()) expect(hrefs.some((href) => href.includes(`/dataset/${h.slug}`))).toBe(false);
  });

  it('the read API v1 search', async () => {
    const res = await request(t.app).get('/api/v1/datasets').query({ organization: org.slug }).expect(200);
    expect(res.body.meta.total).toBe(0);
  });

  it('CKAN group_list counts and group_show: the topic counts only what the public sees', async () => {
    const inTopic = (await ckan('package_search', { fq: 'groups:kependudukan', rows: 1000 })).body.result;
    const groups = (await ckan('group_list', { all_fields: true })).body.result;
    expect(groups.find((g: { name: string }) => g.name === 'kependudukan').package_count).toBe(inTopic.count);
    const shown = (await ckan('group_show', { id: 'kependudukan', include_datasets: true })).body.result;
    const names = shown.packages.map((p: { name: string }) => p.name);
    expect(names).toContain(control.slug);
    for (const h of all()) expect(names).not.toContain(h.slug);
  });

  it('the read API v1 dataset, rows, aggregate and organization counts', async () => {
    for (const h of all()) {
      for (const path of ['', '/rows', '/aggregate?group=tahun&measure=jumlah&fn=sum', '/versions/1', '/versions/1/rows']) {
        expect({ path: `${h.slug}${path}`, status: (await request(t.app).get(`/api/v1/datasets/${h.slug}${path}`)).status }).toEqual({ path: `${h.slug}${path}`, status: 404 });
      }
    }
    const orgs = (await request(t.app).get('/api/v1/organizations').expect(200)).body.data;
    expect(orgs.find((o: { slug: string }) => o.slug === org.slug).dataset_count).toBe(0);
  });
});

describe('a scheduled next version of a published dataset shows nowhere before its time', () => {
  let slug: string;
  let v2: string;
  beforeAll(async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { tags: [`jadwal${uid()}`] });
    slug = ds.slug;
    for (const [n, figure] of [[1, '313756'], [2, '999999']] as const) {
      const v = await uploadContent(t.svc, t.w.producer.actor, slug, SMALL_CSV.replace('313756', figure));
      await perform(submitVersion, t.w.producer.actor, { slug, number: v.number }, t.svc);
      await perform(reviewVersion, t.w.walidata.actor, untrusted({ slug, number: v.number, decision: 'approve', ...(n === 2 ? { publish_at: FUTURE } : {}) }), t.svc);
    }
    const d = await t.svc.db('datasets').where({ slug }).first();
    const v = await t.svc.db('versions').where({ dataset_id: d.id, number: 2 }).first();
    expect(v.state).toBe('scheduled');
    v2 = v.uuid;
  });

  it('CKAN: not a resource of package_show or package_search, and resource_show/datastore_search answer Not Found', async () => {
    const pkg = (await ckan('package_show', { id: slug })).body.result;
    expect(pkg.resources.map((r: { id: string }) => r.id)).not.toContain(v2);
    expect(JSON.stringify(pkg)).not.toContain('999999');
    expect(pkg.num_resources).toBe(1);
    const found = (await ckan('package_search', { fq: `name:${slug}`, rows: 10 })).body.result;
    for (const p of found.results) expect(p.resources.map((r: { id: string }) => r.id)).not.toContain(v2);
    expect((await ckan('resource_show', { id: v2 })).status).toBe(404);
    expect((await ckan('datastore_search', { resource_id: v2 })).status).toBe(404);
    const rows = (await ckan('datastore_search', { resource_id: pkg.resources[0].id })).body.result.records;
    expect(rows.map((r: { jumlah: number }) => r.jumlah)).toContain(313756);
  });

  it('read API: the dataset is still version 1; version 2 and its rows answer 404 to the public', async () => {
    const d = (await request(t.app).get(`/api/v1/datasets/${slug}`).expect(200)).body.data;
    expect(d.current_version.number).toBe(1);
    expect(JSON.stringify((await request(t.app).get(`/api/v1/datasets/${slug}/rows`).expect(200)).body)).not.toContain('999999');
    await request(t.app).get(`/api/v1/datasets/${slug}/versions/2`).expect(404);
    await request(t.app).get(`/api/v1/datasets/${slug}/versions/2/rows`).expect(404);
    await request(t.app).get(`/api/v1/datasets/${slug}/versions/2/diff`).expect(404);
    const agg = (await request(t.app).get(`/api/v1/datasets/${slug}/aggregate`).query({ group: 'nama_kabupaten_kota', measure: 'jumlah' }).expect(200)).body;
    expect(agg.meta.version).toBe(1);
  });

  it('downloads, the data package and DCAT carry version 1 only', async () => {
    expect((await request(t.app).get(`/dataset/${slug}/download.csv?version=2`)).status).toBe(404);
    for (const f of ['csv', 'json']) expect((await request(t.app).get(`/dataset/${slug}/download.${f}`).expect(200)).text).not.toContain('999999');
    const pkg = (await request(t.app).get(`/dataset/${slug}/datapackage.json`).expect(200)).body;
    expect(JSON.stringify(pkg)).not.toMatch(/version=2/);
    const ttl = (await request(t.app).get(`/dataset/${slug}.ttl`).expect(200)).text;
    expect(ttl).not.toContain('version=2');
    const g = new N3.Store(new N3.Parser().parse(ttl));
    const versions = g.getObjects(N3.DataFactory.namedNode(`${BASE}/dataset/${slug}`), N3.DataFactory.namedNode(`${NS.dcat}version`), null).map((o) => o.value);
    expect(versions.every((v) => v === '1')).toBe(true);
  });

  it('the change feed and the Atom feed have no publication of version 2', async () => {
    const items: Array<{ type: string; dataset: string; version?: number }> = [];
    let since: string | null = null;
    for (let i = 0; i < 1000; i += 1) {
      const res: request.Response = await request(t.app).get('/api/v1/changes').query({ limit: 1000, ...(since ? { since } : {}) }).expect(200);
      items.push(...res.body.data);
      since = res.body.meta.next;
      if (!res.body.meta.has_more) break;
    }
    expect(items.filter((c) => c.dataset === slug).map((c) => [c.type, c.version ?? null])).toEqual([['published', 1]]);
    const atom = (await request(t.app).get('/feeds/datasets.atom').expect(200)).text;
    expect(atom).toContain(`/dataset/${slug}/download.csv?version=1`);
    expect(atom).not.toContain(`/dataset/${slug}/download.csv?version=2`);
  });
});

describe('did you mean: never a word that only hidden datasets have', () => {
  it('the read API offers the control dataset’s word, never the hidden datasets’ one', async () => {
    const offered = (await request(t.app).get('/api/v1/datasets').query({ q: slip(open) }).expect(200)).body;
    expect(offered.meta.suggestion).toBe(open);
    const res = await request(t.app).get('/api/v1/datasets').query({ q: slip(secret) }).expect(200);
    expect(res.body.meta.total).toBe(0);
    // The nearest visible word may be offered (the words share the run's suffix), never the hidden one.
    expect(res.body.meta.suggestion ?? '').not.toContain(secret);
    expect(res.text).not.toContain(secret);
  });

  it('the search page (which applies a suggestion) neither offers nor applies it', async () => {
    const shown = await request(t.app).get('/dataset').query({ q: slip(open) }).expect(200);
    expect(shown.text).toContain(open);
    const res = await request(t.app).get('/dataset').query({ q: slip(secret) }).expect(200);
    expect(res.text).not.toContain(secret);
    for (const h of all()) expect(res.text).not.toContain(h.slug);
  });

  it('CKAN package_search finds nothing and names nothing', async () => {
    const res = await ckan('package_search', { q: slip(secret) });
    expect(res.body.result.count).toBe(0);
    expect(res.text).not.toContain(secret);
    const exact = await ckan('package_search', { q: secret });
    expect(exact.body.result.count).toBe(0);
  });
});

describe('the change feed', () => {
  it('lists publications, new versions, metadata changes and retractions in order, paged by an opaque cursor', async () => {
    const start = new Date(Date.now() - 1000).toISOString();
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    for (let n = 1; n <= 2; n += 1) {
      const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV.replace('313756', String(313756 + n)));
      await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
      await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve' }, t.svc);
    }
    await perform(updateDataset, t.w.walidata.actor, { slug: ds.slug, source: 'BPS' }, t.svc);
    await perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, reason: 'Uji' }, t.svc);
    await perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, retract: false }, t.svc);
    const mine: Array<{ type: string; dataset: string; version?: number; at: string }> = [];
    let since: string = start;
    for (let i = 0; i < 1000; i += 1) {
      const res = await request(t.app).get('/api/v1/changes').query({ since, limit: 2 }).expect(200);
      mine.push(...res.body.data.filter((c: { dataset: string }) => c.dataset === ds.slug));
      expect(res.body.meta.next).not.toMatch(/^\d{4}-/);
      since = res.body.meta.next;
      if (!res.body.meta.has_more) break;
    }
    expect(mine.map((c) => [c.type, c.version ?? null])).toEqual([
      ['published', 1], ['version_published', 2], ['metadata_changed', null], ['retracted', null], ['published', null],
    ]);
    const ats = mine.map((c) => c.at);
    expect([...ats].sort()).toEqual(ats);
    await request(t.app).get('/api/v1/changes').query({ since: 'bukan-kursor' }).expect(400);
  });
});
