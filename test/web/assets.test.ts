import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import http from 'node:http';
import request from 'supertest';
import { listen } from '../support/browser';
import { testWorld } from '../support/world';
import { publishedDataset } from '../support/factories';
import { REGION_YEARS_CSV } from '../support/chart-data';

const t = testWorld();
const ROOT = path.join(__dirname, '../..');
const hashOf = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 10);

/** A GET as sent on the wire: status, headers and the raw (still compressed) bytes. */
async function wire(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const { server, base } = await listen(t.app);
  try {
    return await new Promise((resolve, reject) => {
      http.get(`${base}${url}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('static assets', () => {
  it('links fingerprinted names that are cached for a year and sent compressed', async () => {
    const home = await request(t.app).get('/').expect(200);
    const css = `/static/css/site.${hashOf(path.join(ROOT, 'public/css/site.css'))}.css`;
    const js = `/static/js/site.${hashOf(path.join(ROOT, 'public/js/site.js'))}.js`;
    expect(home.text).toContain(`href="${css}"`);
    expect(home.text).toContain(`src="${js}"`);
    for (const enc of ['br', 'gzip'] as const) {
      const res = await wire(css, { 'Accept-Encoding': enc });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-encoding']).toBe(enc);
      expect(res.headers['content-type']).toMatch(/^text\/css/);
      expect(res.headers.vary).toMatch(/Accept-Encoding/);
      const body = res.body;
      const plain = enc === 'br' ? zlib.brotliDecompressSync(body) : zlib.gunzipSync(body);
      expect(plain.equals(fs.readFileSync(path.join(ROOT, 'public/css/site.css')))).toBe(true);
      expect(body.length).toBeLessThan(plain.length / 2);
    }
  });

  it('sends Chart.js fingerprinted, compressed (brotli well under its 200 KB) and only to pages that draw charts', async () => {
    const file = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');
    const url = `/static/vendor/chart.umd.${hashOf(file)}.js`;
    const res = await wire(url, { 'Accept-Encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body.length).toBeLessThan(80_000);
    const { ds } = await publishedDataset(t.svc, t.w);
    for (const page of ['/', '/dataset', '/topic', '/organization', `/organization/${t.w.opd.slug}`]) {
      expect((await request(t.app).get(page).expect(200)).text).not.toContain('chart.umd');
    }
    expect((await request(t.app).get(`/dataset/${ds.slug}`).expect(200)).text).toContain('chart.umd');
  });

  it('revalidates plain and outdated names on every use (ETag, 304), and refuses what is not an asset', async () => {
    const plain = await request(t.app).get('/static/css/site.css').expect(200);
    expect(plain.headers['cache-control']).toBe('public, no-cache');
    await request(t.app).get('/static/css/site.css').set('If-None-Match', plain.headers.etag).expect(304);
    const old = await request(t.app).get('/static/css/site.0123456789.css').expect(200);
    expect(old.headers['cache-control']).toBe('public, no-cache');
    await request(t.app).get('/static/css/nothing.css').expect(404);
    await request(t.app).get('/static/..%2f..%2fpackage.json').expect(404);
    await request(t.app).get('/static/..%2fseeds%2flampung_kabupaten_kota.geojson').expect(404);
    const geo = await request(t.app).get('/static/geo/lampung_kabupaten_kota.geojson').expect(200);
    expect(geo.headers['content-type']).toMatch(/geo\+json|json/);
    // Served to anyone, the same to everyone (nothing depends on who asks).
    for (const url of ['/static/vendor/chart.umd.js', '/static/vendor/chartjs-chart-geo.js', '/static/geo/LICENSE-wilayah_boundaries.txt', '/static/favicon.svg']) {
      const res = await request(t.app).get(url).expect(200);
      expect(res.headers['cache-control']).toBe('public, no-cache');
    }
  });

  it('links every asset of a dataset page with a map, and of its embed, by its fingerprinted name', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, REGION_YEARS_CSV, { title: 'Aset Peta Uji' });
    for (const page of [`/dataset/${ds.slug}`, `/dataset/${ds.slug}/embed?view=map`]) {
      const html = (await request(t.app).get(page).expect(200)).text;
      const urls = [...html.matchAll(/(?:src|href|data-geo-url)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
      // The page's styles, Chart.js and its map plugin, the builder's scripts, the boundaries and their licence.
      for (const name of ['css/site', 'css/chart-builder', 'vendor/chart.umd', 'vendor/chartjs-chart-geo', 'js/chart-periods', 'js/chart-builder', 'geo/lampung_kabupaten_kota', 'geo/LICENSE-wilayah_boundaries']) {
        expect(urls.some((u) => u.startsWith(`/static/${name}.`))).toBe(true);
      }
      for (const url of urls) {
        expect(url).toMatch(/\.[0-9a-f]{10}\.[A-Za-z0-9]+$/);
        const res = await request(t.app).get(url).expect(200);
        expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      }
    }
  });
});
