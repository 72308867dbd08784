import { DomUtils, parseDocument } from 'htmlparser2';
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { retractDataset } from '../../server/actions/datasets';
import { makeDataset, publishedDataset, uploadContent } from '../support/factories';
import { signedIn } from '../support/http';
import { parseSitemap } from '../support/sitemap';
import { testWorld } from '../support/world';

// What search engines read: /sitemap.xml and /robots.txt, and each page's head — description,
// Open Graph and schema.org JSON-LD — only ever about open, published datasets.

const t = testWorld();

/** The head of an HTML page: meta tags by name/property, and the parsed JSON-LD blocks. */
function head(html: string) {
  const doc = parseDocument(html);
  const metas = DomUtils.getElementsByTagName('meta', doc);
  const meta = (key: string) => metas.find((m) => m.attribs.name === key || m.attribs.property === key)?.attribs.content;
  const scripts = DomUtils.getElementsByTagName('script', doc);
  const ld = scripts.filter((s) => s.attribs.type === 'application/ld+json').map((s) => JSON.parse(DomUtils.textContent(s)));
  const inline = scripts.filter((s) => !s.attribs.src && s.attribs.type !== 'application/ld+json');
  const canonical = DomUtils.getElementsByTagName('link', doc).find((l) => l.attribs.rel === 'canonical')?.attribs.href;
  return { meta, ld, inline, canonical };
}

describe('sitemap.xml and robots.txt', () => {
  it('lists open published datasets only, with their last change, and the public listings', async () => {
    const open = (await publishedDataset(t.svc, t.w, undefined, { title: 'Peta Situs Terbuka' })).ds;
    const limited = (await publishedDataset(t.svc, t.w, undefined, { title: 'Peta Situs Terbatas', access_level: 'terbatas' })).ds;
    const closed = (await publishedDataset(t.svc, t.w, undefined, { title: 'Peta Situs Tertutup', access_level: 'tertutup' })).ds;
    const retracted = (await publishedDataset(t.svc, t.w, undefined, { title: 'Peta Situs Ditarik' })).ds;
    await perform(retractDataset, t.w.walidata.actor, { slug: retracted.slug, retract: true, reason: 'Salah hitung' }, t.svc);
    const draft = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { title: 'Peta Situs Draf' });
    await uploadContent(t.svc, t.w.producer.actor, draft.slug, 'a,b\n1,2\n');

    const res = await request(t.app).get('/sitemap.xml').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    const { root, ns, urls } = parseSitemap(res.text);
    expect(root).toBe('urlset');
    expect(ns).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const locs = urls.map((u) => new URL(u.loc));
    // Absolute URLs of this site only.
    expect(new Set(locs.map((u) => u.origin)).size).toBe(1);
    const paths = locs.map((u) => u.pathname);
    expect(paths).toEqual(expect.arrayContaining(['/', '/dataset', '/organization', '/topic', `/organization/${t.w.opd.slug}`, '/topic/kependudukan']));
    expect(paths).toContain(`/dataset/${open.slug}`);
    for (const hidden of [limited, closed, retracted, draft]) expect(paths).not.toContain(`/dataset/${hidden.slug}`);
    // An organization without open datasets is not listed.
    expect(paths).not.toContain(`/organization/${t.w.otherOpd.slug}`);
    const entry = urls.find((u) => u.loc.endsWith(`/dataset/${open.slug}`))!;
    expect(new Date(entry.lastmod!).getTime()).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(entry.lastmod).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // Every listed page answers.
    for (const u of locs.filter((x) => x.pathname.startsWith('/organization/') || x.pathname === `/dataset/${open.slug}`)) {
      await request(t.app).get(u.pathname).expect(200);
    }
  });

  it('robots.txt lets the public pages be crawled, not the signed-in areas or downloads, and names the sitemap', async () => {
    const res = await request(t.app).get('/robots.txt').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const lines = res.text.split('\n');
    expect(lines[0]).toBe('User-agent: *');
    for (const p of ['/dashboard', '/manage', '/review', '/admin', '/account', '/dataset/*/download.']) expect(lines).toContain(`Disallow: ${p}`);
    expect(lines).not.toContain('Disallow: /');
    const sitemap = lines.find((l) => l.startsWith('Sitemap: '))!;
    expect(new URL(sitemap.slice('Sitemap: '.length)).pathname).toBe('/sitemap.xml');
  });
});

describe('the head of pages', () => {
  it('gives an open dataset its description, Open Graph card and schema.org Dataset, escaped whatever its text holds', async () => {
    const nasty = 'Jumlah penduduk per kabupaten/kota </script><script>alert(1)</script> & <!-- "kutip" \u2028 selesai.';
    const { ds } = await publishedDataset(t.svc, t.w, undefined, { title: 'Penduduk Uji Kepala Halaman', description: nasty, tags: ['penduduk', 'uji'] });
    const res = await request(t.app).get(`/dataset/${ds.slug}`).expect(200);
    const h = head(res.text);
    // No script but the data block came in with the metadata: the payload stayed text.
    expect(h.inline).toEqual([]);
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(h.meta('description')).toBe(nasty.replace(/\s+/g, ' ').trim());
    expect(h.meta('og:title')).toBe('Penduduk Uji Kepala Halaman');
    expect(h.meta('og:type')).toBe('article');
    expect(new URL(h.meta('og:url')!).pathname).toBe(`/dataset/${ds.slug}`);
    expect(h.canonical).toBe(h.meta('og:url'));
    expect(h.meta('og:locale')).toBe('id_ID');
    expect(h.ld).toHaveLength(1);
    const d = h.ld[0];
    expect(d['@context']).toBe('https://schema.org');
    expect(d['@type']).toBe('Dataset');
    expect(d.name).toBe('Penduduk Uji Kepala Halaman');
    expect(d.description).toBe(nasty);
    expect(d.url).toBe(h.meta('og:url'));
    expect(d.license).toBe('https://creativecommons.org/licenses/by/4.0/');
    expect(d.keywords).toEqual(expect.arrayContaining(['penduduk', 'uji']));
    expect(d.creator).toMatchObject({ '@type': 'GovernmentOrganization', name: t.w.opd.name });
    expect(d.temporalCoverage).toBe('2025');
    expect(d.distribution.map((x: { contentUrl: string }) => new URL(x.contentUrl).pathname)).toEqual([`/dataset/${ds.slug}/download.csv`, `/dataset/${ds.slug}/download.xlsx`, `/dataset/${ds.slug}/download.json`]);
    expect(d.variableMeasured.map((v: { name: string }) => v.name)).toHaveLength(4);
    // The CSP still refuses inline scripts: the JSON-LD block is data, not script.
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    // The English page describes it in English when it has an English title.
    const en = head((await request(t.app).get(`/dataset/${ds.slug}`).set('Cookie', 'lang=en').expect(200)).text);
    expect(en.meta('og:locale')).toBe('en_US');
  });

  it('says nothing to search engines about a dataset that is not open and published', async () => {
    const limited = (await publishedDataset(t.svc, t.w, undefined, { title: 'Kepala Terbatas Uji', access_level: 'terbatas' })).ds;
    const draft = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { title: 'Kepala Draf Uji' });
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    for (const slug of [limited.slug, draft.slug]) {
      const h = head((await producer.get(`/dataset/${slug}`).expect(200)).text);
      expect(h.ld).toEqual([]);
      expect(h.meta('og:title')).toBeUndefined();
      expect(h.canonical).toBeUndefined();
      expect(h.meta('robots')).toBe('noindex');
    }
    // And the public never gets them at all.
    await request(t.app).get(`/dataset/${limited.slug}`).expect(404);
  });

  it('describes the home, topic and organization pages', async () => {
    await publishedDataset(t.svc, t.w, undefined, { title: 'Kepala Daftar Uji' });
    for (const [path, title] of [['/', 'Satu Data Provinsi Lampung'], ['/topic', 'Topik'], ['/topic/kependudukan', 'Kependudukan'], [`/organization/${t.w.opd.slug}`, t.w.opd.name]] as const) {
      const h = head((await request(t.app).get(path).expect(200)).text);
      expect(h.meta('og:title')).toBe(title);
      expect(h.meta('og:type')).toBe('website');
      expect(h.meta('description')!.length).toBeGreaterThan(20);
      expect(new URL(h.meta('og:url')!).pathname).toBe(path);
      expect(h.ld).toEqual([]);
    }
    const en = head((await request(t.app).get('/').set('Cookie', 'lang=en').expect(200)).text);
    expect(en.meta('og:title')).toBe('Lampung Province Open Data');
    expect(en.meta('og:locale')).toBe('en_US');
    expect(en.meta('description')).toMatch(/^Lampung Province's Satu Data portal/);
  });
});
