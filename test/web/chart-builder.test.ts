import request from 'supertest';
import { perform } from '../../server/actions/action';
import { submitVersion } from '../../server/actions/versions';
import { testWorld } from '../support/world';
import { makeDataset, publishedDataset, uploadContent } from '../support/factories';
import { signedIn } from '../support/http';
import { REGION_YEARS_CSV } from '../support/chart-data';

const t = testWorld();



/** Handlebars' escaping undone (once). */
const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x60;/g, '`').replace(/&amp;/g, '&');

/** The builder's JSON from a page (the data-config attribute). */
function configOf(html: string) {
  const m = /data-config="([^"]*)"/.exec(html);
  if (!m) throw new Error('no chart builder on the page');
  return JSON.parse(unescape(m[1]));
}

describe('the chart builder on a dataset page', () => {
  it('starts with bars per region for the latest year, captioned in labels with the filter it applies, and names regions', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, REGION_YEARS_CSV, { metadata: { nama_indikator: 'Penduduk', satuan: 'Jiwa' } });
    const res = await request(t.app).get(`/dataset/${ds.slug}`).expect(200);
    const cfg = configOf(res.text);
    expect(cfg.view).toEqual({ view: 'chart', measure: 'jumlah_penduduk', fn: 'sum', group: 'kode_kabupaten_kota', series: null, type: 'bar', where: { tahun: '2024' } });
    // Labels, never machine names; the filter is said; the region column is named by what it holds.
    expect(res.text).toContain('Jumlah Penduduk (jumlah) menurut Kabupaten Kota · Tahun: 2024');
    expect(res.text).not.toMatch(/menurut kode_kabupaten_kota|jumlah_penduduk menurut/);
    // Region names for codes (the reference codes), in the script's data and the filter menu.
    expect(cfg.regions.bps['1812']).toBe('Tulang Bawang Barat');
    expect(cfg.regions.bps['1871']).toBe('Kota Bandar Lampung');
    expect(res.text).toMatch(/<option value="1812">Tulang Bawang Barat<\/option>/);
    // The paired name column is not offered twice; the unit comes from the dataset's satuan when the table has one measure.
    expect(cfg.groups.map((g: { name: string }) => g.name)).toEqual(['kode_kabupaten_kota', 'tahun']);
    expect(cfg.measures.map((m: { name: string; unit: string | null }) => [m.name, m.unit])).toEqual([['jumlah_penduduk', null], ['persentase_miskin', null]]);
    // The map is offered (a region column with a reference scheme) and its plugin is loaded.
    expect(res.text).toContain('<option value="map"');
    expect(res.text).toMatch(/src="\/static\/vendor\/chartjs-chart-geo\.[0-9a-f]{10}\.js"/);
    // No inline script anywhere (CSP script-src 'self'); the JSON-LD block is data, not script.
    expect(res.text.match(/<script(?![^>]*\b(?:src=|type="application\/ld\+json"))[^>]*>/g)).toBeNull();
  });

  it('takes the view from the URL, checked against the columns (unknown parts fall back)', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, REGION_YEARS_CSV);
    const res = await request(t.app)
      .get(`/dataset/${ds.slug}`)
      .query({ view: 'table', measure: 'persentase_miskin', fn: 'avg', group: 'tahun', series: 'kode_kabupaten_kota', type: 'line', where: { kode_kabupaten_kota: '1812' } })
      .expect(200);
    const cfg = configOf(res.text);
    expect(cfg.view).toEqual({ view: 'table', measure: 'persentase_miskin', fn: 'avg', group: 'tahun', series: 'kode_kabupaten_kota', type: 'line', where: { kode_kabupaten_kota: '1812' } });
    expect(res.text).toContain('Persentase Miskin (rata-rata) menurut Tahun dan Kabupaten Kota · Kabupaten Kota: Tulang Bawang Barat');
    expect(res.text).toMatch(/<option value="1812" selected>Tulang Bawang Barat<\/option>/);

    const odd = await request(t.app).get(`/dataset/${ds.slug}`).query({ view: 'pie', measure: 'password', group: 'x;drop', fn: 'median', where: { nope: '1' } }).expect(200);
    expect(configOf(odd.text).view).toEqual({ view: 'chart', measure: 'jumlah_penduduk', fn: 'sum', group: 'kode_kabupaten_kota', series: null, type: 'bar', where: {} });

    const english = await request(t.app).get(`/dataset/${ds.slug}`).query({ lang: 'en', group: 'tahun', fn: 'avg', measure: 'persentase_miskin' }).expect(200);
    expect(english.text).toContain('Persentase Miskin (average) by Tahun');
    expect(configOf(english.text).view.type).toBe('line');
  });

  it('offers the embed code of the view, escaped', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, REGION_YEARS_CSV, { title: 'Penduduk "Lampung" <uji>' });
    const res = await request(t.app).get(`/dataset/${ds.slug}`).query({ view: 'map', fn: 'sum', measure: 'jumlah_penduduk', group: 'kode_kabupaten_kota' }).expect(200);
    const code = unescape(/<textarea id="b-iframe"[^>]*>([^<]*)<\/textarea>/.exec(res.text)![1]);
    expect(code).toMatch(new RegExp(`^<iframe src="https?://[^/"]+/dataset/${ds.slug}/embed\\?view=map&amp;measure=jumlah_penduduk&amp;fn=sum&amp;group=kode_kabupaten_kota&amp;type=bar" `));
    expect(code).toContain('title="Penduduk &quot;Lampung&quot; &lt;uji&gt;"');
    expect(code).not.toMatch(/<uji>|"Lampung"/);
  });
});

describe('the embed route', () => {
  it('renders the view alone and may be framed by any site; every other page refuses frames', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, REGION_YEARS_CSV);
    const embed = await request(t.app).get(`/dataset/${ds.slug}/embed`).query({ view: 'map', group: 'kode_kabupaten_kota', fn: 'sum', measure: 'jumlah_penduduk' }).expect(200);
    expect(embed.headers['content-security-policy']).toMatch(/frame-ancestors \*/);
    expect(embed.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(embed.headers['x-frame-options']).toBeUndefined();
    expect(configOf(embed.text).view).toMatchObject({ view: 'map', group: 'kode_kabupaten_kota' });
    expect(embed.text).toContain('Batas wilayah: wilayah_boundaries, MIT');
    expect(embed.text).not.toContain('site-header');

    for (const path of [`/dataset/${ds.slug}`, '/', '/dataset', `/dataset/${ds.slug}/embedx`]) {
      const res = await request(t.app).get(path);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
  });

  it('shows public data only: a draft is 404 even for its own producer, signed in', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, REGION_YEARS_CSV);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    await request(t.app).get(`/dataset/${ds.slug}/embed`).expect(404);
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    await producer.get(`/dataset/${ds.slug}`).expect(200);
    const framed = await producer.get(`/dataset/${ds.slug}/embed`).expect(404);
    expect(framed.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  });

  it('serves the map plugin and the boundaries with their licence', async () => {
    await request(t.app).get('/static/vendor/chartjs-chart-geo.js').expect(200).expect('content-type', /javascript/);
    const geo = await request(t.app).get('/static/geo/lampung_kabupaten_kota.geojson').buffer(true).parse((res, cb) => {
      let s = '';
      res.on('data', (c: Buffer) => (s += c));
      res.on('end', () => cb(null, s));
    }).expect(200);
    const features = JSON.parse(geo.body as string).features as Array<{ properties: { kode_bps: string; kode_kemendagri: string } }>;
    expect(features).toHaveLength(15);
    expect(features.every((f) => f.properties.kode_bps && f.properties.kode_kemendagri)).toBe(true);
    const lic = await request(t.app).get('/static/geo/LICENSE-wilayah_boundaries.txt').expect(200);
    expect(lic.text).toContain('MIT License');
  });
});
