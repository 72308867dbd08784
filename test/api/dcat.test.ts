import { execFileSync } from 'node:child_process';
import path from 'node:path';
import jsonld from 'jsonld';
import N3 from 'n3';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import request from 'supertest';
import { loadDemo } from '../../server/demo';
import { NS } from '../../server/presenters/dcat-vocab';
import { perform } from '../../server/actions/action';
import { createDataListItem, linkDataListItem } from '../../server/actions/datalist';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { localDay } from '../../server/manage/calendar';
import { makeDataset, publishedDataset, uploadContent } from '../support/factories';
import { testWorld } from '../support/world';

// A database of its own: the catalog holds exactly the demo content and this file's dataset.
const t = testWorld({ isolated: true, env: { PUBLIC_URL: 'https://data.lampungprov.test' } });
const BASE = 'https://data.lampungprov.test';
const FIXTURES = path.join(__dirname, '../fixtures/dcat-ap-3');
const { namedNode } = N3.DataFactory;

function parseTurtle(text: string): N3.Store {
  return new N3.Store(new N3.Parser({ format: 'text/turtle' }).parse(text));
}

interface ShaclResult { focus: string | null; path: string | null; message: string; value: string | null }
/** SHACL validation with shacl-engine (ESM, so in its own Node process). */
function shacl(turtle: string, shapes: string[]): { conforms: boolean; results: ShaclResult[] } {
  const out = execFileSync(process.execPath, [path.join(__dirname, '../support/shacl.mjs'), ...shapes.map((s) => path.join(FIXTURES, s))], { input: turtle, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out.toString());
}

const objects = (store: N3.Store, s: string, p: string) => store.getObjects(namedNode(s), namedNode(p), null);

let slug: string;
beforeAll(async () => {
  const { ds } = await publishedDataset(t.svc, t.w, undefined, { title_en: 'Population by regency', description_en: 'Population of Lampung by regency/city', source: 'Disdukcapil' });
  slug = ds.slug;
});

describe('DCAT-AP 3 of one dataset', () => {
  it('serves Turtle that n3 parses, with the mandatory and recommended properties we have data for', async () => {
    const res = await request(t.app).get(`/dataset/${slug}.ttl`).expect(200).expect('Content-Type', /text\/turtle/);
    const g = parseTurtle(res.text);
    const ds = `${BASE}/dataset/${slug}`;
    expect(g.has(N3.DataFactory.quad(namedNode(ds), namedNode(`${NS.rdf}type`), namedNode(`${NS.dcat}Dataset`)))).toBe(true);
    const titles = objects(g, ds, `${NS.dct}title`) as N3.Literal[];
    expect(titles.map((l) => l.language).sort()).toEqual(['en', 'id']);
    expect(titles.find((l) => l.language === 'en')!.value).toBe('Population by regency');
    expect((objects(g, ds, `${NS.dct}description`) as N3.Literal[]).map((l) => l.language).sort()).toEqual(['en', 'id']);
    expect(objects(g, ds, `${NS.dct}accrualPeriodicity`).map((o) => o.value)).toEqual(['http://publications.europa.eu/resource/authority/frequency/ANNUAL']);
    const themes = objects(g, ds, `${NS.dcat}theme`).map((o) => o.value);
    expect(themes).toEqual(expect.arrayContaining([`${BASE}/topic/kependudukan`, 'http://publications.europa.eu/resource/authority/data-theme/SOCI']));
    // Spatial from the region column (two kabupaten/kota of the table), temporal from the year column.
    const spatial = objects(g, ds, `${NS.dct}spatial`).map((o) => o.value).sort();
    expect(spatial).toEqual([`${BASE}/wilayah/1801`, `${BASE}/wilayah/1871`]);
    const [period] = objects(g, ds, `${NS.dct}temporal`);
    expect(g.getObjects(period, namedNode(`${NS.dcat}startDate`), null)[0].value).toBe('2025-01-01');
    expect(g.getObjects(period, namedNode(`${NS.dcat}endDate`), null)[0].value).toBe('2025-12-31');
    const [publisher] = objects(g, ds, `${NS.dct}publisher`);
    expect(g.getObjects(publisher, namedNode(`${NS.rdf}type`), null).map((o) => o.value)).toContain(`${NS.foaf}Agent`);
    const [contact] = objects(g, ds, `${NS.dcat}contactPoint`);
    expect(g.getObjects(contact, namedNode(`${NS.rdf}type`), null).map((o) => o.value)).toContain(`${NS.vcard}Kind`);
    expect(objects(g, ds, `${NS.dcat}keyword`).map((o) => o.value)).toContain('uji');
    expect(objects(g, ds, `${NS.dcat}version`).map((o) => o.value)).toEqual(['1']);
    expect(objects(g, ds, `${NS.adms}versionNotes`)).toHaveLength(1);
    const dists = objects(g, ds, `${NS.dcat}distribution`);
    const downloads = dists.map((d) => g.getObjects(d, namedNode(`${NS.dcat}downloadURL`), null)[0].value).sort();
    expect(downloads).toEqual([
      `${BASE}/dataset/${slug}/datapackage.json`,
      `${BASE}/dataset/${slug}/download.csv?version=1`,
      `${BASE}/dataset/${slug}/download.json?version=1`,
      `${BASE}/dataset/${slug}/download.xlsx?version=1`,
    ]);
    // The CSV distribution's byte size and sha256 are those of the download.
    const csvDist = dists.find((d) => g.getObjects(d, namedNode(`${NS.dcat}downloadURL`), null)[0].value.includes('download.csv'))!;
    const bytes = Number(g.getObjects(csvDist, namedNode(`${NS.dcat}byteSize`), null)[0].value);
    const csv = await request(t.app).get(`/dataset/${slug}/download.csv?version=1`).buffer(true).expect(200);
    expect(bytes).toBe(Buffer.byteLength(csv.text));
    const [sum] = g.getObjects(csvDist, namedNode(`${NS.spdx}checksum`), null);
    expect(g.getObjects(sum, namedNode(`${NS.spdx}algorithm`), null)[0].value).toBe(`${NS.spdx}checksumAlgorithm_sha256`);
  });

  it('conforms to the DCAT-AP 3 shapes and ranges (zero violations)', async () => {
    const res = await request(t.app).get(`/dataset/${slug}.ttl`).expect(200);
    const report = shacl(res.text, ['shapes.ttl', 'range.ttl']);
    expect(report.results).toEqual([]);
    expect(report.conforms).toBe(true);
  });

  it('serves the same graph as JSON-LD (expanded with jsonld) and RDF/XML', async () => {
    const ttl = parseTurtle((await request(t.app).get(`/dataset/${slug}.ttl`)).text);
    const ld = await request(t.app).get(`/dataset/${slug}.jsonld`).expect(200).expect('Content-Type', /application\/ld\+json/);
    const expanded = await jsonld.expand(JSON.parse(ld.text));
    const nquads = (await jsonld.toRDF(expanded, { format: 'application/n-quads' })) as unknown as string;
    const fromLd = new N3.Store(new N3.Parser({ format: 'N-Quads' }).parse(nquads));
    expect(fromLd.size).toBe(ttl.size);
    expect(fromLd.getQuads(namedNode(`${BASE}/dataset/${slug}`), null, null, null).length).toBe(ttl.getQuads(namedNode(`${BASE}/dataset/${slug}`), null, null, null).length);

    const xml = await request(t.app).get(`/dataset/${slug}.rdf`).expect(200).expect('Content-Type', /application\/rdf\+xml/);
    const quads: N3.Quad[] = [];
    await new Promise<void>((resolve, reject) => {
      const parser = new RdfXmlParser();
      parser.on('data', (q: N3.Quad) => quads.push(q)).on('error', reject).on('end', resolve);
      parser.write(xml.text);
      parser.end();
    });
    expect(quads.length).toBe(ttl.size);
  });

  it('negotiates /dataset/:slug by Accept with Vary: Accept, and names the alternates in the HTML head', async () => {
    const ttl = await request(t.app).get(`/dataset/${slug}`).set('Accept', 'text/turtle').expect(200);
    expect(ttl.headers['content-type']).toMatch(/text\/turtle/);
    expect(ttl.headers.vary).toMatch(/Accept/);
    const ld = await request(t.app).get(`/dataset/${slug}`).set('Accept', 'application/ld+json').expect(200);
    expect(ld.headers['content-type']).toMatch(/ld\+json/);
    const html = await request(t.app).get(`/dataset/${slug}`).set('Accept', 'text/html,application/xhtml+xml').expect(200);
    expect(html.headers['content-type']).toMatch(/html/);
    expect(html.headers.vary).toMatch(/Accept/);
    const links = [...html.text.matchAll(/<link rel="alternate" type="([^"]+)" href="([^"]+)">/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual(expect.arrayContaining([['text/turtle', `/dataset/${slug}.ttl`], ['application/ld+json', `/dataset/${slug}.jsonld`]]));
  });
});

describe('the DCAT-AP 3 catalog', () => {
  beforeAll(async () => {
    await loadDemo(t.svc, 'demo-sandi-uji-123');
  });

  it('lists the open datasets with the catalog properties and hydra paging', async () => {
    const res = await request(t.app).get('/catalog.ttl').expect(200);
    const g = parseTurtle(res.text);
    const cat = `${BASE}/catalog`;
    for (const p of ['title', 'description', 'publisher', 'language', 'modified', 'license']) expect(objects(g, cat, `${NS.dct}${p}`).length).toBeGreaterThan(0);
    expect(objects(g, cat, `${NS.foaf}homepage`)).toHaveLength(1);
    expect(objects(g, cat, `${NS.dcat}themeTaxonomy`).length).toBe(2);
    expect(objects(g, cat, `${NS.dcat}dataset`).map((o) => o.value)).toContain(`${BASE}/dataset/${slug}`);
    expect(objects(g, cat, `${NS.dcat}service`).length).toBe(2);
    // The APIs as data services that serve every listed dataset, their descriptions reachable.
    const datasets = objects(g, cat, `${NS.dcat}dataset`).map((o) => o.value).sort();
    for (const svc of objects(g, cat, `${NS.dcat}service`)) {
      expect(g.getObjects(svc, namedNode(`${NS.rdf}type`), null).map((o) => o.value)).toContain(`${NS.dcat}DataService`);
      expect(g.getObjects(svc, namedNode(`${NS.dcat}servesDataset`), null).map((o) => o.value).sort()).toEqual(datasets);
      const [described] = g.getObjects(svc, namedNode(`${NS.dcat}endpointDescription`), null);
      const url = new URL(described.value);
      expect(`${url.pathname} ${(await request(t.app).get(url.pathname + url.search)).status}`).toBe(`${url.pathname} 200`);
    }
    expect(objects(g, cat, `${NS.dcat}service`).map((o) => g.getObjects(o, namedNode(`${NS.dcat}endpointURL`), null)[0].value).sort()).toEqual([`${BASE}/api/3/action`, `${BASE}/api/v1`]);
    const page = g.getSubjects(namedNode(`${NS.rdf}type`), namedNode(`${NS.hydra}PagedCollection`), null)[0];
    const total = Number(g.getObjects(page, namedNode(`${NS.hydra}totalItems`), null)[0].value);
    expect(total).toBe(objects(g, cat, `${NS.dcat}dataset`).length);
    expect(g.getObjects(page, namedNode(`${NS.hydra}firstPage`), null)[0].value).toBe(`${BASE}/catalog.ttl?page=1`);
  });

  it('conforms to shapes.ttl and range.ttl, the catalog and every demo dataset, with zero violations', async () => {
    const res = await request(t.app).get('/catalog.ttl').expect(200);
    const report = shacl(res.text, ['shapes.ttl', 'range.ttl']);
    expect(report.results).toEqual([]);
    const g = parseTurtle(res.text);
    for (const d of objects(g, `${BASE}/catalog`, `${NS.dcat}dataset`)) {
      const one = await request(t.app).get(`${new URL(d.value).pathname}.ttl`).expect(200);
      expect({ dataset: d.value, results: shacl(one.text, ['shapes.ttl', 'range.ttl']).results }).toEqual({ dataset: d.value, results: [] });
    }
  });

  it('reports what the recommended shapes still miss', async () => {
    const res = await request(t.app).get('/catalog.ttl').expect(200);
    const report = shacl(res.text, ['shapes_recommended.ttl', 'range.ttl']);
    const missing = [...new Set(report.results.map((r) => `${r.path} (${r.focus?.replace(BASE, '')})`))].sort();
    // Printed for the record; the graph carries every recommended property we have data for.
    process.stdout.write(`DCAT-AP recommended properties still missing: ${JSON.stringify(missing)}\n`);
    expect(missing).toEqual([]);
  });

  it('filters by modified_since and negotiates /catalog', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const none = parseTurtle((await request(t.app).get(`/catalog.ttl?modified_since=${encodeURIComponent(future)}`).expect(200)).text);
    expect(objects(none, `${BASE}/catalog`, `${NS.dcat}dataset`)).toEqual([]);
    await request(t.app).get('/catalog.ttl?modified_since=kemarin').expect(400);
    const neg = await request(t.app).get('/catalog').set('Accept', 'application/ld+json').expect(200);
    expect(neg.headers.vary).toMatch(/Accept/);
    const expanded = await jsonld.expand(JSON.parse(neg.text));
    expect(expanded.some((n) => (n['@type'] as string[] | undefined)?.includes(`${NS.dcat}Catalog`))).toBe(true);
  });
});

describe('DCAT-AP 3 of a bare dataset: no tags, no time or region column', () => {
  it('has the topic as keyword, conforms to the mandatory shapes, and the recommended shapes miss only dct:temporal', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, 'layanan,jumlah\nKesehatan,5\nPendidikan,7\n', { tags: [], topic: 'kependudukan' });
    const res = await request(t.app).get(`/dataset/${ds.slug}.ttl`).expect(200);
    const g = parseTurtle(res.text);
    const keywords = (objects(g, `${BASE}/dataset/${ds.slug}`, `${NS.dcat}keyword`) as N3.Literal[]).map((l) => `${l.value}@${l.language}`).sort();
    expect(keywords).toEqual(['Kependudukan@id', 'Population@en']);
    expect(shacl(res.text, ['shapes.ttl', 'range.ttl']).results).toEqual([]);
    const missing = [...new Set(shacl(res.text, ['shapes_recommended.ttl', 'range.ttl']).results.map((r) => r.path))];
    // No time column and on no data list: no period can be told (we do not invent one), and no
    // empty dct:PeriodOfTime is written either.
    expect(missing).toEqual(['http://purl.org/dc/terms/temporal']);
    expect(objects(g, `${BASE}/dataset/${ds.slug}`, `${NS.dct}temporal`)).toEqual([]);
    expect(g.getSubjects(namedNode(`${NS.rdf}type`), namedNode(`${NS.dct}PeriodOfTime`), null)).toEqual([]);
  });

  it('takes dct:temporal from the data-list period its publication delivered, and then misses nothing recommended', async () => {
    const year = Number(localDay(new Date(), t.svc.config.timeZone).slice(0, 4));
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { tags: ['layanan'], frequency: 'tahunan' });
    const item = await perform(createDataListItem, t.w.walidata.actor, { year, name: `Layanan publik ${ds.slug}`, organization: t.w.opd.slug, frequency: 'tahunan' }, t.svc);
    await perform(linkDataListItem, t.w.producer.actor, { id: item.id, dataset: ds.slug }, t.svc);
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, 'layanan,jumlah\nKesehatan,5\nPendidikan,7\n');
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve' }, t.svc);
    const res = await request(t.app).get(`/dataset/${ds.slug}.ttl`).expect(200);
    const g = parseTurtle(res.text);
    const [period] = objects(g, `${BASE}/dataset/${ds.slug}`, `${NS.dct}temporal`);
    // The list of year N asks a yearly table for the data of N-1.
    const date = (p: string) => g.getObjects(period, namedNode(p), null).map((o) => [o.value, (o as N3.Literal).datatype.value]);
    expect(date(`${NS.dcat}startDate`)).toEqual([[`${year - 1}-01-01`, `${NS.xsd}date`]]);
    expect(date(`${NS.dcat}endDate`)).toEqual([[`${year - 1}-12-31`, `${NS.xsd}date`]]);
    expect(shacl(res.text, ['shapes.ttl', 'range.ttl']).results).toEqual([]);
    expect(shacl(res.text, ['shapes_recommended.ttl', 'range.ttl']).results).toEqual([]);
  });
});
