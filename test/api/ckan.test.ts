import { createHash } from 'node:crypto';
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { updateDataset } from '../../server/actions/datasets';
import { publishedDataset, uploadContent, uid } from '../support/factories';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { tokenFor } from '../support/http';
import { testWorld } from '../support/world';

// A fixed public address: absolute links (and so the bytes and ETags) do not change between requests.
const t = testWorld({ env: { PUBLIC_URL: 'https://data.lampungprov.test' } });

// What ckanapi.RemoteCKAN sends: a POST of the JSON-encoded data dict to /api/action/<name>,
// Content-Type application/json, its own User-Agent, no cookie and no CSRF token.
const UA = 'ckanapi/4.8 (+https://github.com/ckan/ckanapi)';
function remoteCkan(action: string, dataDict: Record<string, unknown> = {}, apikey?: string) {
  const r = request(t.app)
    .post(`/api/action/${action}`)
    .set('Content-Type', 'application/json')
    .set('User-Agent', UA);
  if (apikey) r.set('X-CKAN-API-Key', apikey).set('Authorization', apikey);
  // json.dumps(...).encode('ascii'): non-ASCII characters travel as \\u escapes; a string body is sent as is.
  return r.send(JSON.stringify(dataDict).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const CKAN_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let slug: string;
let tag: string;

beforeAll(async () => {
  tag = `ckan${uid()}`;
  const { ds } = await publishedDataset(t.svc, t.w, undefined, {
    tags: [tag, 'penduduk'],
    title_en: 'Population test',
    metadata: { nama_indikator: 'Jumlah penduduk', satuan: 'Jiwa', konsep: 'Penduduk' },
  });
  slug = ds.slug;
  // A second published version: the first becomes an older (superseded) resource.
  const v2 = await uploadContent(t.svc, t.w.producer.actor, slug, 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah,tahun\n1801,LAMPUNG BARAT,313756,2025\n1871,BANDAR LAMPUNG,1077664,2025\n1872,METRO,175000,2025\n');
  await perform(submitVersion, t.w.producer.actor, { slug, number: v2.number }, t.svc);
  await perform(reviewVersion, t.w.walidata.actor, { slug, number: v2.number, decision: 'approve' }, t.svc);
});

describe('CKAN action API envelope', () => {
  it('answers status_show at both CKAN paths, by GET and by ckanapi POST, with help pointing at help_show', async () => {
    for (const path of ['/api/3/action/status_show', '/api/action/status_show']) {
      const res = await request(t.app).get(path).expect(200).expect('Content-Type', /json/);
      expect(res.body.success).toBe(true);
      expect(new URL(res.body.help).pathname).toBe('/api/3/action/help_show');
      expect(new URL(res.body.help).searchParams.get('name')).toBe('status_show');
      expect(res.body.result).toMatchObject({ ckan_version: expect.stringMatching(/^2\.\d+/), site_url: expect.any(String), extensions: expect.arrayContaining(['datastore']) });
    }
    const posted = await remoteCkan('status_show').expect(200);
    expect(posted.body.success).toBe(true);
  });

  it('answers an unknown dataset with CKAN’s Not Found Error and 404', async () => {
    const res = await remoteCkan('package_show', { id: 'tidak-ada-dataset-ini' }).expect(404);
    expect(res.body.success).toBe(false);
    expect(res.body.error.__type).toBe('Not Found Error');
    expect(typeof res.body.error.message).toBe('string');
  });

  it('refuses every write action with an Authorization Error 403, by POST without CSRF token', async () => {
    for (const a of ['package_create', 'package_update', 'package_patch', 'package_delete', 'resource_create', 'organization_create', 'datastore_create', 'datastore_upsert', 'datastore_delete']) {
      const res = await remoteCkan(a, { name: 'x', title: 'x' }).expect(403);
      expect(res.body.error.__type).toBe('Authorization Error');
    }
  });

  it('answers a bad API key in CKAN’s envelope (ckanapi raises NotAuthorized), at both paths', async () => {
    for (const key of ['sdp_bukan-token-yang-ada', 'dua kata']) {
      const res = await remoteCkan('package_search', { include_private: true }, key).expect(403);
      expect(res.body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
      expect(res.body.help).toMatch(/help_show/);
    }
    const get = await request(t.app).get('/api/3/action/status_show').set('Authorization', 'Bearer sdp_salah').expect(403);
    expect(get.body.error.__type).toBe('Authorization Error');
    // The portal's own API keeps its envelope and 401.
    const v1 = await request(t.app).get('/api/v1/datasets').set('Authorization', 'Bearer sdp_salah').expect(401);
    expect(v1.body.error.code).toBe('unauthenticated');
  });

  it('refuses datastore_search_sql with an Authorization Error that points at the alternatives', async () => {
    const res = await remoteCkan('datastore_search_sql', { sql: 'SELECT * FROM pg_user' }).expect(403);
    expect(res.body.error.__type).toBe('Authorization Error');
    expect(res.body.error.message).toMatch(/datastore_search/);
  });

  it('answers a malformed parameter with a Validation Error 409 naming the field', async () => {
    const res = await remoteCkan('package_search', { rows: 'banyak' }).expect(409);
    expect(res.body.error.__type).toBe('Validation Error');
    expect(res.body.error.rows).toEqual(expect.any(Array));
  });

  it('answers a bad fq or sort with a Search Query Error 409', async () => {
    const a = await remoteCkan('package_search', { fq: 'organization:(a OR b' }).expect(409);
    expect(a.body.error.__type).toBe('Search Query Error');
    const b = await remoteCkan('package_search', { sort: 'download_count sideways' }).expect(409);
    expect(b.body.error.__type).toBe('Search Query Error');
    const c = await remoteCkan('package_search', { fq: 'tidak_ada_kolom:1' }).expect(409);
    expect(c.body.error.__type).toBe('Search Query Error');
  });

  it('answers an unknown action name with a Bad Request 400', async () => {
    const res = await request(t.app).get('/api/3/action/no_such_action').expect(400);
    expect(res.body.success).toBe(false);
  });
});

describe('package_show', () => {
  it('returns CKAN’s package dictionary with organization, groups, tags, extras and one resource per published version', async () => {
    const res = await remoteCkan('package_show', { id: slug }).expect(200);
    const p = res.body.result;
    expect(p.id).toMatch(UUID);
    expect(p.name).toBe(slug);
    expect(p.type).toBe('dataset');
    expect(p.state).toBe('active');
    expect(p.private).toBe(false);
    expect(p.license_id).toBe('CC-BY-4.0');
    expect(p.license_title).toMatch(/Creative Commons Attribution/);
    expect(p.license_url).toBe('https://creativecommons.org/licenses/by/4.0/');
    expect(p.isopen).toBe(true);
    expect(p.metadata_created).toMatch(CKAN_TIME);
    expect(p.metadata_modified).toMatch(CKAN_TIME);
    expect(p.organization).toMatchObject({ id: expect.stringMatching(UUID), name: t.w.opd.slug, is_organization: true, type: 'organization', state: 'active' });
    expect(p.owner_org).toBe(p.organization.id);
    expect(p.groups).toEqual([expect.objectContaining({ name: 'kependudukan', title: 'Kependudukan', id: expect.stringMatching(UUID) })]);
    expect(p.tags.map((x: { name: string }) => x.name).sort()).toEqual([tag, 'penduduk'].sort());
    expect(p.tags[0]).toEqual({ id: expect.stringMatching(UUID), name: expect.any(String), display_name: expect.any(String), state: 'active', vocabulary_id: null });
    expect(p.num_tags).toBe(2);
    const extras = Object.fromEntries(p.extras.map((e: { key: string; value: string }) => [e.key, e.value]));
    expect(extras).toMatchObject({ satudata_frequency: 'tahunan', satudata_access_level: 'terbuka', satudata_prioritas: 'false', ms_ind_nama_indikator: 'Jumlah penduduk', ms_ind_satuan: 'Jiwa', satudata_title_en: 'Population test' });
    expect(p.num_resources).toBe(2);
    expect(p.resources).toHaveLength(2);
    const [current, older] = p.resources;
    expect(current).toMatchObject({ format: 'CSV', mimetype: 'text/csv', datastore_active: true, package_id: p.id, position: 0, version_number: 2, version_state: 'published', state: 'active' });
    expect(older).toMatchObject({ version_number: 1, version_state: 'superseded', position: 1 });
    expect(current.last_modified).toMatch(CKAN_TIME);
    // The url is the version's CSV download; size and hash are those of its bytes.
    const url = new URL(current.url);
    expect(url.pathname).toBe(`/dataset/${slug}/download.csv`);
    expect(url.searchParams.get('version')).toBe('2');
    const csv = await request(t.app).get(`${url.pathname}${url.search}`).buffer(true).expect(200);
    const body = Buffer.from(csv.text);
    expect(current.size).toBe(body.length);
    expect(current.hash).toBe(createHash('sha256').update(body).digest('hex'));
    // The same package by its id.
    const byId = await request(t.app).get(`/api/3/action/package_show?id=${p.id}`).expect(200);
    expect(byId.body.result.name).toBe(slug);
  });

  it('resource_show returns the resource by id', async () => {
    const p = (await remoteCkan('package_show', { id: slug })).body.result;
    const r = await remoteCkan('resource_show', { id: p.resources[1].id }).expect(200);
    expect(r.body.result).toEqual(p.resources[1]);
  });
});

describe('package_search', () => {
  it('finds by fq the way harvesters write it, with CKAN’s result keys and facets', async () => {
    const res = await remoteCkan('package_search', {
      fq: `+tags:${tag} +organization:${t.w.opd.slug} -license_id:odc-odbl res_format:CSV`,
      'facet.field': JSON.stringify(['organization', 'groups', 'tags', 'res_format', 'license_id']),
      'facet.limit': 10,
      sort: 'metadata_modified desc',
    }).expect(200);
    const r = res.body.result;
    expect(Object.keys(r).sort()).toEqual(['count', 'facets', 'results', 'search_facets', 'sort']);
    expect(r.count).toBe(1);
    expect(r.sort).toBe('metadata_modified desc');
    expect(r.results[0].name).toBe(slug);
    expect(r.facets.tags[tag]).toBe(1);
    expect(r.search_facets.organization).toEqual({ title: 'organization', items: [{ name: t.w.opd.slug, display_name: expect.any(String), count: 1 }] });
    expect(r.search_facets.res_format.items).toEqual([{ name: 'CSV', display_name: 'CSV', count: 1 }]);
  });

  it('takes metadata_modified ranges, OR groups and NOT, and pages with rows and start', async () => {
    const since = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const inRange = await remoteCkan('package_search', { fq: `metadata_modified:[${since} TO *] AND tags:(${tag} OR tidak-ada)` }).expect(200);
    expect(inRange.body.result.count).toBe(1);
    const future = await remoteCkan('package_search', { fq: `metadata_modified:[NOW+1DAY TO *] tags:${tag}` }).expect(200);
    expect(future.body.result.count).toBe(0);
    const negated = await remoteCkan('package_search', { fq: `tags:${tag} -groups:kependudukan` }).expect(200);
    expect(negated.body.result.count).toBe(0);
    const paged = await request(t.app).get(`/api/3/action/package_search?fq=tags:${tag}&rows=0`).expect(200);
    expect(paged.body.result).toMatchObject({ count: 1, results: [] });
    const defaults = await request(t.app).get('/api/3/action/package_search').expect(200);
    expect(defaults.body.result.sort).toBe('score desc, metadata_modified desc');
    expect(defaults.body.result.results.length).toBeLessThanOrEqual(10);
    await remoteCkan('package_search', { rows: 1001 }).expect(409);
  });

  it('takes modified_since, as the DCAT catalog does, and refuses one that is not a time', async () => {
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    expect((await remoteCkan('package_search', { fq: `tags:${tag}`, modified_since: hourAgo }).expect(200)).body.result.count).toBe(1);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    expect((await request(t.app).get('/api/3/action/package_search').query({ fq: `tags:${tag}`, modified_since: tomorrow }).expect(200)).body.result.count).toBe(0);
    const bad = await remoteCkan('package_search', { modified_since: 'kemarin' }).expect(409);
    expect(bad.body.error).toMatchObject({ __type: 'Validation Error', modified_since: expect.any(Array) });
  });

  it('searches text in q and sorts by title_string', async () => {
    const p = (await remoteCkan('package_show', { id: slug })).body.result;
    const res = await remoteCkan('package_search', { q: p.title, sort: 'title_string asc', fq: `tags:${tag}` }).expect(200);
    expect(res.body.result.results.map((x: { name: string }) => x.name)).toEqual([slug]);
    const both = await remoteCkan('package_search', { q: `tags:${tag}`, sort: 'score desc, metadata_modified desc' }).expect(200);
    expect(both.body.result.count).toBe(1);
  });

  it('sees a metadata change in metadata_modified', async () => {
    const before = (await remoteCkan('package_show', { id: slug })).body.result.metadata_modified;
    await perform(updateDataset, t.w.walidata.actor, { slug, source: 'BPS' }, t.svc);
    const after = (await remoteCkan('package_show', { id: slug })).body.result.metadata_modified;
    expect(after > before).toBe(true);
  });
});

describe('lists', () => {
  it('package_list names public datasets and pages with limit and offset', async () => {
    const all = (await remoteCkan('package_list')).body.result as string[];
    expect(all).toContain(slug);
    expect([...all].sort()).toEqual(all);
    const page = (await remoteCkan('package_list', { limit: 1, offset: all.indexOf(slug) })).body.result;
    expect(page).toEqual([slug]);
  });

  it('organization_list and group_list give names, or CKAN dictionaries with all_fields', async () => {
    const names = (await remoteCkan('organization_list')).body.result;
    expect(names).toContain(t.w.opd.slug);
    const full = (await remoteCkan('organization_list', { all_fields: true, limit: 1000 })).body.result;
    const org = full.find((o: { name: string }) => o.name === t.w.opd.slug);
    expect(org).toMatchObject({ id: expect.stringMatching(UUID), package_count: expect.any(Number), is_organization: true, title: expect.any(String) });
    const groups = (await request(t.app).get('/api/3/action/group_list?all_fields=true&sort=name%20asc')).body.result;
    const names2 = groups.map((g: { name: string }) => g.name);
    expect(names2).toEqual([...names2].sort());
    expect(groups.find((g: { name: string }) => g.name === 'kependudukan').package_count).toBeGreaterThanOrEqual(1);
    const byCount = (await remoteCkan('group_list', { sort: 'package_count desc', limit: 2 })).body.result;
    expect(byCount).toHaveLength(2);
  });

  it('organization_show and group_show include their datasets on request', async () => {
    const o = (await remoteCkan('organization_show', { id: t.w.opd.slug, include_datasets: true })).body.result;
    expect(o.packages.map((p: { name: string }) => p.name)).toContain(slug);
    const bare = (await remoteCkan('organization_show', { id: o.id })).body.result;
    expect(bare.packages).toBeUndefined();
    expect(bare.name).toBe(t.w.opd.slug);
    const g = (await remoteCkan('group_show', { id: 'kependudukan', include_datasets: 'true' })).body.result;
    expect(g.packages.map((p: { name: string }) => p.name)).toContain(slug);
  });

  it('tag_list lists the tags of public datasets', async () => {
    const tags = (await remoteCkan('tag_list')).body.result;
    expect(tags).toContain(tag);
    const q = (await remoteCkan('tag_list', { query: tag, all_fields: true })).body.result;
    expect(q).toEqual([expect.objectContaining({ name: tag })]);
  });
});

describe('datastore_search', () => {
  it('reads the rows of a resource with CKAN’s keys, _id first, CKAN field types and _links', async () => {
    const p = (await remoteCkan('package_show', { id: slug })).body.result;
    const rid = p.resources[0].id;
    const res = await remoteCkan('datastore_search', { resource_id: rid }).expect(200);
    const r = res.body.result;
    expect(r.resource_id).toBe(rid);
    expect(r.fields.map((f: { id: string; type: string }) => [f.id, f.type])).toEqual([
      ['_id', 'int'], ['kode_kabupaten_kota', 'text'], ['nama_kabupaten_kota', 'text'], ['jumlah', 'int'], ['tahun', 'int'],
    ]);
    expect(r.total).toBe(3);
    expect(r.limit).toBe(100);
    expect(r.records[0]).toEqual({ _id: 1, kode_kabupaten_kota: '1801', nama_kabupaten_kota: 'LAMPUNG BARAT', jumlah: 313756, tahun: 2025 });
    expect(r._links.start).toBe(`/api/3/action/datastore_search?resource_id=${rid}`);
    expect(r._links.next).toBe(`/api/3/action/datastore_search?offset=100&resource_id=${rid}`);
  });

  it('filters by a JSON object, searches q, sorts, picks fields, pages and gives lists or csv', async () => {
    const rid = (await remoteCkan('package_show', { id: slug })).body.result.resources[0].id;
    const f = await remoteCkan('datastore_search', { resource_id: rid, filters: { kode_kabupaten_kota: ['1801', '1872'] }, sort: 'jumlah desc', fields: ['kode_kabupaten_kota', 'jumlah'] }).expect(200);
    expect(f.body.result.records).toEqual([{ kode_kabupaten_kota: '1801', jumlah: 313756 }, { kode_kabupaten_kota: '1872', jumlah: 175000 }]);
    expect(f.body.result.total).toBe(2);
    const viaGet = await request(t.app).get(`/api/3/action/datastore_search?resource_id=${rid}&filters=${encodeURIComponent('{"nama_kabupaten_kota":"METRO"}')}&limit=1`).expect(200);
    expect(viaGet.body.result.records.map((x: { jumlah: number }) => x.jumlah)).toEqual([175000]);
    const q = await remoteCkan('datastore_search', { resource_id: rid, q: 'BANDAR' }).expect(200);
    expect(q.body.result.total).toBe(1);
    const lists = await remoteCkan('datastore_search', { resource_id: rid, records_format: 'lists', limit: 1, offset: 1, fields: 'kode_kabupaten_kota,jumlah' }).expect(200);
    expect(lists.body.result.records).toEqual([['1871', 1077664]]);
    expect(lists.body.result.offset).toBe(1);
    const csv = await remoteCkan('datastore_search', { resource_id: rid, records_format: 'csv', fields: ['kode_kabupaten_kota'], limit: 2 }).expect(200);
    expect(csv.body.result.records).toBe('1801\n1871\n');
    const noTotal = await remoteCkan('datastore_search', { resource_id: rid, include_total: false }).expect(200);
    expect(noTotal.body.result.total).toBeUndefined();
    const badField = await remoteCkan('datastore_search', { resource_id: rid, fields: ['tidak_ada'] }).expect(409);
    expect(badField.body.error.__type).toBe('Validation Error');
  });

  it('reads an older published version as its own resource', async () => {
    const older = (await remoteCkan('package_show', { id: slug })).body.result.resources[1];
    const res = await remoteCkan('datastore_search', { resource_id: older.id }).expect(200);
    expect(res.body.result.total).toBe(2);
  });
});

describe('HTTP manners of the CKAN API', () => {
  it('answers a CORS preflight for a POST from another origin, without credentials', async () => {
    const res = await request(t.app)
      .options('/api/3/action/package_search')
      .set('Origin', 'https://app.example.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives GET answers a strong ETag and answers 304 when it matches', async () => {
    const first = await request(t.app).get(`/api/3/action/package_show?id=${slug}`).expect(200);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[^"]+"$/);
    await request(t.app).get(`/api/3/action/package_show?id=${slug}`).set('If-None-Match', etag).expect(304);
  });
});

describe('include_private', () => {
  let restricted: string;
  let closed: string;
  let keys: Record<'walidata' | 'producer' | 'otherProducer', string>;
  beforeAll(async () => {
    const rtag = `priv${uid()}`;
    restricted = (await publishedDataset(t.svc, t.w, undefined, { tags: [rtag], access_level: 'terbatas' })).ds.slug;
    closed = (await publishedDataset(t.svc, t.w, undefined, { tags: [rtag], access_level: 'tertutup' })).ds.slug;
    keys = {
      walidata: await tokenFor(t.app, t.w.walidata.email, t.w.walidata.password),
      producer: await tokenFor(t.app, t.w.producer.email, t.w.producer.password),
      otherProducer: await tokenFor(t.app, t.w.otherProducer.email, t.w.otherProducer.password),
    };
  });
  const names = async (key: string | undefined, include_private: boolean) => {
    const r = (await remoteCkan('package_search', { fq: `name:(${restricted} OR ${closed})`, include_private, rows: 1000 }, key).expect(200)).body.result;
    expect(r.count).toBe(r.results.length);
    return r.results.map((p: { name: string; private: boolean }) => `${p.name === restricted ? 'terbatas' : 'tertutup'}:${p.private}`).sort();
  };

  it('shows private datasets only to callers who may see them, marked private, and only when asked', async () => {
    expect(await names(undefined, true)).toEqual([]);
    expect(await names(keys.walidata, false)).toEqual([]);
    expect(await names(keys.walidata, true)).toEqual(['terbatas:true', 'tertutup:true']);
    expect(await names(keys.producer, true)).toEqual(['terbatas:true', 'tertutup:true']);
    // Another OPD's producer is a signed-in government user: restricted yes, closed no.
    expect(await names(keys.otherProducer, true)).toEqual(['terbatas:true']);
  });

  it('package_show and datastore_search answer a caller who may see the dataset, and Not Found to others', async () => {
    const p = (await remoteCkan('package_show', { id: closed }, keys.producer).expect(200)).body.result;
    expect(p.private).toBe(true);
    const rows = (await remoteCkan('datastore_search', { resource_id: p.resources[0].id }, keys.producer).expect(200)).body.result;
    expect(rows.total).toBe(2);
    for (const key of [undefined, keys.otherProducer]) {
      expect((await remoteCkan('package_show', { id: closed }, key).expect(404)).body.error.__type).toBe('Not Found Error');
      expect((await remoteCkan('datastore_search', { resource_id: p.resources[0].id }, key).expect(404)).body.error.__type).toBe('Not Found Error');
    }
  });
});

describe('CKAN field types and extras', () => {
  it('names numeric, date and bool columns with CKAN’s datastore types and keeps their values typed', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, 'kode,tanggal,persen,aktif,jumlah\n0012,2025-03-01,12.5,ya,3\n0013,2025-06-30,7.25,tidak,4\n', {
      statistics_class: 'sektoral',
    });
    const p = (await remoteCkan('package_show', { id: ds.slug })).body.result;
    const extras = Object.fromEntries(p.extras.map((e: { key: string; value: string }) => [e.key, e.value]));
    expect(extras.satudata_statistics_class).toBe('sektoral');
    const r = (await remoteCkan('datastore_search', { resource_id: p.resources[0].id, sort: 'kode asc' })).body.result;
    const types = Object.fromEntries(r.fields.map((f: { id: string; type: string }) => [f.id, f.type]));
    expect(types).toEqual({ _id: 'int', kode: 'text', tanggal: 'date', persen: 'numeric', aktif: 'bool', jumlah: 'int' });
    expect(r.records[0]).toMatchObject({ kode: '0012', persen: 12.5, aktif: true, jumlah: 3 });
    expect(r.records[1].aktif).toBe(false);
    expect(String(r.records[0].tanggal)).toMatch(/^2025-03-01/);
  });
});
