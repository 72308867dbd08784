import type { Server } from 'node:http';
import request from 'supertest';
import { perform, untrusted } from '../../server/actions/action';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { makeDataset, publishedDataset, SMALL_CSV, uploadContent } from '../support/factories';
import { registeredRoutes } from '../support/routes';
import { listen } from '../support/browser';
import { isolatedDatabase } from '../support/isolated-db';
import { testWorld } from '../support/world';

// HTTP manners of every machine interface (issue 9): strong validators and 304s, Cache-Control a
// CDN can act on, CORS on public reads (with preflight) but never on a write a cookie could
// authorize, and compression for text but not for workbooks.

// A database of its own: other test files publishing meanwhile would change the very answers
// whose validators are compared here.
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
const opts: { url?: string } = {};
beforeAll(async () => {
  isolated = await isolatedDatabase();
  opts.url = isolated.url;
});
const t = testWorld(opts); // reads opts.url in its own beforeAll, after the one above
afterAll(() => isolated.drop()); // after testWorld's, which closes the services
let slug: string;
const ORIGIN = 'https://aplikasi.example.org';
// One server for the file: absolute links (part of the bytes an ETag names) name one port.
let server: Server;
let base: string;
const http = () => request(base);

beforeAll(async () => {
  ({ ds: { slug } } = await publishedDataset(t.svc, t.w));
  // A release on the calendar, so its feeds carry something.
  const soon = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
  const v = await uploadContent(t.svc, t.w.producer.actor, soon.slug, SMALL_CSV);
  await perform(submitVersion, t.w.producer.actor, { slug: soon.slug, number: v.number }, t.svc);
  await perform(reviewVersion, t.w.walidata.actor, untrusted({ slug: soon.slug, number: v.number, decision: 'approve', publish_at: new Date(Date.now() + 3 * 86_400_000).toISOString() }), t.svc);
  ({ server, base } = await listen(t.app));
});
afterAll(() => new Promise((r) => server.close(r)));

function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

/** The public reads of each interface. */
const reads = () => [
  `/api/v1/datasets`,
  `/api/v1/datasets/${slug}`,
  `/api/v1/datasets/${slug}/rows?limit=5`,
  `/api/v1/datasets/${slug}/aggregate?group=tahun&measure=jumlah&fn=sum`,
  `/api/v1/organizations`,
  `/api/v1/topics`,
  `/api/v1/changes`,
  `/api/v1/releases`,
  `/api/v1/openapi.json`,
  `/api/3/action/package_show?id=${slug}`,
  `/api/action/package_search?q=lampung`,
  `/catalog.ttl`,
  `/dataset/${slug}.jsonld`,
  `/dataset/${slug}/datapackage.json`,
  `/dataset/${slug}/download.csv`,
  `/dataset/${slug}/download.json`,
  `/dataset/${slug}/download.xlsx`,
  `/feeds/datasets.atom`,
  `/feeds/releases.atom`,
  `/jadwal.ics`,
];

describe('validators and caching of public reads', () => {
  it('every interface sends a strong ETag, public no-cache, and answers 304 to it', async () => {
    for (const url of reads()) {
      const first = await http().get(url).buffer(true).parse(binary).expect(200);
      expect({ url, etag: first.headers.etag, cache: first.headers['cache-control'] }).toEqual({ url, etag: expect.stringMatching(/^"[^"]+"$/), cache: 'public, no-cache' });
      const again = await http().get(url).set('If-None-Match', first.headers.etag);
      expect({ url, status: again.status }).toEqual({ url, status: 304 });
    }
  });

  it('downloads and metadata carry Last-Modified and answer 304 to If-Modified-Since', async () => {
    for (const url of [`/dataset/${slug}/download.csv`, `/dataset/${slug}/download.xlsx`, `/dataset/${slug}/datapackage.json`, `/dataset/${slug}.ttl`, `/api/v1/datasets/${slug}`, '/catalog.ttl', '/feeds/datasets.atom']) {
      const first = await http().get(url).buffer(true).parse(binary).expect(200);
      const lm = first.headers['last-modified'];
      expect({ url, lm: Number.isNaN(new Date(lm).getTime()) }).toEqual({ url, lm: false });
      expect({ url, status: (await http().get(url).set('If-Modified-Since', lm)).status }).toEqual({ url, status: 304 });
      const before = new Date(new Date(lm).getTime() - 60_000).toUTCString();
      expect({ url, status: (await http().get(url).set('If-Modified-Since', before).buffer(true).parse(binary)).status }).toEqual({ url, status: 200 });
    }
  });

  it('a new publication changes the ETag at once (no-cache lets a CDN keep bytes, never serve stale ones)', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const before = await http().get('/api/v1/datasets?per_page=100').expect(200);
    const again = await http().get('/api/v1/datasets?per_page=100').set('If-None-Match', before.headers.etag);
    expect(again.status).toBe(304);
    const { ds: other } = await publishedDataset(t.svc, t.w);
    const after = await http().get('/api/v1/datasets?per_page=100').set('If-None-Match', before.headers.etag).expect(200);
    expect(after.body.data.map((d: { slug: string }) => d.slug)).toEqual(expect.arrayContaining([ds.slug, other.slug]));
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('answers for a signed-in caller are private', async () => {
    const auth = await t.bearer(t.w.walidata);
    const res = await http().get(`/api/v1/datasets/${slug}`).set(auth).expect(200);
    expect(res.headers['cache-control']).toBe('private, no-cache');
  });
});

describe('CORS', () => {
  it('public reads answer any origin, without credentials, and their preflight', async () => {
    for (const url of reads()) {
      const res = await http().get(url).set('Origin', ORIGIN).buffer(true).parse(binary).expect(200);
      expect({ url, origin: res.headers['access-control-allow-origin'], creds: res.headers['access-control-allow-credentials'] }).toEqual({ url, origin: '*', creds: undefined });
      expect(res.headers['access-control-expose-headers']).toMatch(/ETag/);
      const pre = await http().options(url.split('?')[0]).set('Origin', ORIGIN).set('Access-Control-Request-Method', 'GET').set('Access-Control-Request-Headers', 'if-none-match');
      expect({ url, status: pre.status, origin: pre.headers['access-control-allow-origin'] }).toEqual({ url, status: 204, origin: '*' });
    }
  });

  it('never on a write: not the write API, not its preflight, not any cookie-authorized web form', async () => {
    const pre = await http().options('/api/v1/datasets').set('Origin', ORIGIN).set('Access-Control-Request-Method', 'POST');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const post = await http().post('/api/v1/datasets').set('Origin', ORIGIN).send({});
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    // Every web route that writes (the forms a session cookie authorizes).
    const writes = registeredRoutes(t.app)
      .filter((r) => /^(POST|PUT|PATCH|DELETE) /.test(r) && !/ \/api\//.test(r))
      .map((r) => r.split(' '));
    expect(writes.length).toBeGreaterThan(10);
    for (const [method, path] of writes) {
      const url = path.replace(/:[a-z_]+/gi, '1');
      const res = await http()[method.toLowerCase() as 'post'](url).set('Origin', ORIGIN).send({});
      const preflight = await http().options(url).set('Origin', ORIGIN).set('Access-Control-Request-Method', method);
      expect({ route: `${method} ${path}`, cors: res.headers['access-control-allow-origin'] ?? null, preflight: preflight.headers['access-control-allow-origin'] ?? null }).toEqual({ route: `${method} ${path}`, cors: null, preflight: null });
    }
  });
});

describe('compression', () => {
  it('compresses HTML, JSON, CSV, Turtle and Atom, and never the already-packed XLSX', async () => {
    for (const url of ['/dataset', `/api/v1/datasets/${slug}`, `/dataset/${slug}/download.csv`, '/catalog.ttl', '/feeds/datasets.atom', '/feeds/releases.atom', '/jadwal.ics', `/api/3/action/package_show?id=${slug}`]) {
      const res = await http().get(url).set('Accept-Encoding', 'gzip').buffer(true).parse(binary).expect(200);
      expect({ url, enc: res.headers['content-encoding'] }).toEqual({ url, enc: 'gzip' });
      // One representation, one strong tag: the encoding is part of it.
      if (url !== '/dataset') expect(res.headers.etag).toMatch(/-gzip"$/);
    }
    const xlsx = await http().get(`/dataset/${slug}/download.xlsx`).set('Accept-Encoding', 'gzip, br').buffer(true).parse(binary).expect(200);
    expect(xlsx.headers['content-encoding']).toBeUndefined();
    expect((xlsx.body as Buffer).subarray(0, 2).toString('latin1')).toBe('PK');
  });
});
