import request from 'supertest';
import type { Express } from 'express';
import { perform } from '../../server/actions/action';
import { retractDataset } from '../../server/actions/datasets';
import { createApp } from '../../server/app';
import { makeDataset, makeWorld, publishedDataset, uploadContent, type World } from '../support/factories';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';
import { parseSitemap } from '../support/sitemap';

// A catalog larger than one sitemap file may hold (SITEMAP_MAX_URLS, lowered here to 4): /sitemap.xml
// becomes a sitemap index of parts, each within the limit. A database of its own, so the ids of
// the datasets, and with them the parts, are this file's alone.

const LIMIT = 4;
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let svc: TestServices;
let app: Express;
let w: World;
const open: string[] = [];
const hidden: string[] = [];

beforeAll(async () => {
  isolated = await isolatedDatabase();
  svc = testServices({ url: isolated.url, env: { SITEMAP_MAX_URLS: String(LIMIT) } });
  app = createApp(svc);
  w = await makeWorld(svc);
  // The first block of ids (1–4) holds nothing open: it gets no part.
  hidden.push((await publishedDataset(svc, w, undefined, { title: 'Peta Bagian Terbatas', access_level: 'terbatas' })).ds.slug);
  hidden.push((await publishedDataset(svc, w, undefined, { title: 'Peta Bagian Tertutup', access_level: 'tertutup' })).ds.slug);
  const retracted = (await publishedDataset(svc, w, undefined, { title: 'Peta Bagian Ditarik' })).ds;
  await perform(retractDataset, w.walidata.actor, { slug: retracted.slug, retract: true, reason: 'Salah hitung' }, svc);
  hidden.push(retracted.slug);
  const draft = await makeDataset(svc, w.producer, w.opd.slug, { title: 'Peta Bagian Draf' });
  await uploadContent(svc, w.producer.actor, draft.slug, 'a,b\n1,2\n');
  hidden.push(draft.slug);
  for (let i = 1; i <= 7; i++) open.push((await publishedDataset(svc, w, undefined, { title: `Peta Bagian Terbuka ${i}` })).ds.slug);
}, 120_000);
afterAll(async () => {
  await svc.close();
  await isolated.drop();
});

const paths = (xml: string) => parseSitemap(xml).urls.map((u) => new URL(u.loc).pathname);

describe('a sitemap larger than one file', () => {
  it('is an index of parts, each valid and within the limit, together listing every open dataset once and nothing else', async () => {
    const res = await request(app).get('/sitemap.xml').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    const index = parseSitemap(res.text);
    expect(index.root).toBe('sitemapindex');
    expect(index.ns).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const parts = index.urls.map((u) => new URL(u.loc).pathname);
    // 9 fixed pages, the topic and the OPD with open datasets: 11 listing URLs in 3 files; the
    // open datasets (ids 5–11) in the blocks 5–8 and 9–12, each dated by its latest change.
    expect(parts).toEqual(['/sitemap-pages-1.xml', '/sitemap-pages-2.xml', '/sitemap-pages-3.xml', '/sitemap-2.xml', '/sitemap-3.xml']);
    for (const u of index.urls.filter((x) => !x.loc.includes('pages'))) expect(new Date(u.lastmod!).getTime()).toBeGreaterThan(Date.now() - 10 * 60_000);

    const listed: string[] = [];
    for (const part of parts) {
      const p = await request(app).get(part).expect(200);
      expect(p.headers['content-type']).toMatch(/^application\/xml/);
      const doc = parseSitemap(p.text);
      expect(doc.root).toBe('urlset');
      expect(doc.ns).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
      expect(doc.urls.length).toBeGreaterThan(0);
      expect(doc.urls.length).toBeLessThanOrEqual(LIMIT);
      listed.push(...doc.urls.map((u) => new URL(u.loc).pathname));
    }
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.filter((p) => p.startsWith('/dataset/')).sort()).toEqual(open.map((s) => `/dataset/${s}`).sort());
    for (const s of hidden) expect(listed).not.toContain(`/dataset/${s}`);
    expect(listed).toEqual(expect.arrayContaining(['/', '/dataset', '/organization', '/topic', '/api/docs', `/organization/${w.opd.slug}`]));
    expect(listed).not.toContain(`/organization/${w.otherOpd.slug}`);
  });

  it('answers 404 for a part that is not in the index', async () => {
    // Block 1 holds only hidden datasets, block 4 nothing; the listing pages fill 3 files.
    for (const part of ['/sitemap-1.xml', '/sitemap-4.xml', '/sitemap-pages-4.xml', '/sitemap-0.xml', '/sitemap-x.xml']) await request(app).get(part).expect(404);
  });

  it('stays one <urlset> while the catalog fits the limit, and robots.txt names /sitemap.xml either way', async () => {
    // 11 listing URLs and 7 open datasets: 18 fit a limit of 18, not of 17.
    const roomy = createApp({ ...svc, config: { ...svc.config, sitemapMaxUrls: 18 } });
    const one = await request(roomy).get('/sitemap.xml').expect(200);
    expect(parseSitemap(one.text).root).toBe('urlset');
    expect(paths(one.text).filter((p) => p.startsWith('/dataset/')).sort()).toEqual(open.map((s) => `/dataset/${s}`).sort());
    const tight = createApp({ ...svc, config: { ...svc.config, sitemapMaxUrls: 17 } });
    expect(parseSitemap((await request(tight).get('/sitemap.xml').expect(200)).text).root).toBe('sitemapindex');
    for (const a of [app, roomy]) {
      const robots = (await request(a).get('/robots.txt').expect(200)).text.split('\n');
      const line = robots.find((l) => l.startsWith('Sitemap: '))!;
      expect(new URL(line.slice('Sitemap: '.length)).pathname).toBe('/sitemap.xml');
    }
  });
});
