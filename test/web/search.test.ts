import request from 'supertest';
import { perform } from '../../server/actions/action';
import { updateDataset } from '../../server/actions/datasets';
import { searchDatasets } from '../../server/queries/search';
import { makeDataset, publishedDataset, uid, uploadContent } from '../support/factories';
import { testWorld } from '../support/world';

const t = testWorld();
const slugs = (body: { data: Array<{ slug: string }> }) => body.data.map((d) => d.slug);

describe('finding datasets', () => {
  let poverty: { slug: string };
  let people: { slug: string };
  beforeAll(async () => {
    poverty = (await publishedDataset(t.svc, t.w, undefined, {
      title: 'Persentase Penduduk Miskin Uji Cari',
      topic: 'kemiskinan',
      tags: [],
      description: 'Menurut periode Susenas',
    })).ds;
    people = (await publishedDataset(t.svc, t.w, 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah_rumah_tangga_nelayan,tahun\n1801,LAMPUNG BARAT,120,2023\n1801,LAMPUNG BARAT,125,2024\n', {
      title: 'Jumlah Penduduk Menurut Kabupaten Uji Cari',
      topic: 'kependudukan',
      tags: ['demografi'],
    })).ds;
  });
  const mine = { organization: () => t.w.opd.slug };

  it('finds the typo "pendudk" under penduduk and says which word it searched instead', async () => {
    const res = await request(t.app).get('/dataset').query({ q: 'pendudk', organization: mine.organization() }).expect(200);
    expect(res.text).toContain(people.slug);
    expect(res.text).toMatch(/Menampilkan hasil untuk <a href="[^"]*q(=|&#x3D;)penduduk[^"]*"><strong>penduduk<\/strong>/);
    const api = await request(t.app).get('/api/v1/datasets').query({ q: 'pendudk' }).expect(200);
    expect(api.body.meta.suggestion).toBe('penduduk');
    expect(api.body.data).toEqual([]); // the API answers the words asked, and offers the near spelling
  });

  it('finds a Bahasa Indonesia dataset with the English word "poverty" (its topic in English)', async () => {
    const res = await request(t.app).get('/api/v1/datasets').query({ q: 'poverty', organization: mine.organization() }).expect(200);
    expect(slugs(res.body)).toEqual([poverty.slug]);
  });

  it('finds "miskin" from "kemiskinan" by Indonesian stemming, with no tag to help', async () => {
    const res = await request(t.app).get('/api/v1/datasets').query({ q: 'kemiskinan', organization: mine.organization() }).expect(200);
    expect(slugs(res.body)).toContain(poverty.slug);
  });

  it('finds partial words and words that are only in a column label', async () => {
    const part = await request(t.app).get('/api/v1/datasets').query({ q: 'pendud', organization: mine.organization() }).expect(200);
    expect(slugs(part.body)).toEqual(expect.arrayContaining([people.slug, poverty.slug]));
    const label = await request(t.app).get('/api/v1/datasets').query({ q: 'nelayan', organization: mine.organization() }).expect(200);
    expect(slugs(label.body)).toEqual([people.slug]);
  });

  it('ranks a title match above a match in the description only', async () => {
    const word = `zebu${uid()}`;
    const inDescription = (await publishedDataset(t.svc, t.w, undefined, { title: `Data Ternak Uji ${uid()}`, description: `Memuat ${word}` })).ds;
    const inTitle = (await publishedDataset(t.svc, t.w, undefined, { title: `Populasi ${word}`, description: 'Lain' })).ds;
    const res = await request(t.app).get('/api/v1/datasets').query({ q: word }).expect(200);
    expect(slugs(res.body)).toEqual([inTitle.slug, inDescription.slug]);
  });

  it('finds the English title under the English switch and by English words', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, undefined, { title: `Angka Harapan Hidup Uji ${uid()}` });
    await perform(updateDataset, t.w.producer.actor, { slug: ds.slug, title_en: 'Life Expectancy Test Set' }, t.svc);
    const res = await request(t.app).get('/api/v1/datasets').query({ q: 'life expectancy', organization: mine.organization() }).expect(200);
    expect(slugs(res.body)).toEqual([ds.slug]);
  });

  it('counts facets only over what the reader may see, and suggests no word only a closed dataset has', async () => {
    // A made-up word: a real one ("rahasia…") is in other tests' open datasets of the shared database, and is suggested.
    const secret = `zqxvjw${uid().replace(/\d/g, '')}`;
    const closed = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { title: `Tertutup ${secret}`, access_level: 'tertutup' });
    await uploadContent(t.svc, t.w.producer.actor, closed.slug, 'a,b\n1,2\n');
    const pub = await searchDatasets(t.svc.db, null, { organization: t.w.opd.slug, page: 1, per_page: 50 });
    const total = pub.total;
    expect(pub.facets.organization.find((f) => f.key === t.w.opd.slug)?.count).toBe(total);
    expect(pub.facets.topic.reduce((n, f) => n + f.count, 0)).toBe(total);
    const typo = secret.slice(0, -1);
    const res = await request(t.app).get('/api/v1/datasets').query({ q: typo }).expect(200);
    expect(res.body.meta.suggestion).toBeUndefined();
  });

  it('narrows by a year the data covers and by region level, with counts', async () => {
    const res = await request(t.app).get('/api/v1/datasets').query({ organization: t.w.opd.slug, year: 2023 }).expect(200);
    expect(slugs(res.body)).toEqual([people.slug]);
    const all = await request(t.app).get('/api/v1/datasets').query({ organization: t.w.opd.slug }).expect(200);
    const y2023 = all.body.facets.year.find((f: { key: string }) => f.key === '2023');
    expect(y2023.count).toBe(1);
    expect(all.body.facets.region.find((f: { key: string }) => f.key === 'kabupaten_kota').count).toBe(all.body.meta.total);
  });

  it('sorts by most viewed', async () => {
    const BROWSER = 'Mozilla/5.0 Chrome/120';
    await request(t.app).get(`/dataset/${poverty.slug}`).set('User-Agent', BROWSER).expect(200);
    await request(t.app).get(`/dataset/${poverty.slug}`).set('User-Agent', BROWSER).expect(200);
    await t.svc.usage.flush();
    const res = await request(t.app).get('/api/v1/datasets').query({ organization: t.w.opd.slug, sort: 'views' }).expect(200);
    expect(slugs(res.body)[0]).toBe(poverty.slug);
    expect(res.body.data[0].view_count).toBeGreaterThanOrEqual(2);
  });

  it('folds the filters behind one toggle bar above the results on a phone, and applies the sort menu by itself', async () => {
    const res = await request(t.app).get('/dataset').query({ q: 'penduduk', topic: 'kependudukan' }).expect(200);
    // The checkbox that folds them comes first (CSS hides the facet lists below 880 px until it is checked).
    expect(res.text).toMatch(/<input type="checkbox" id="facets-open" class="toggle-input" aria-controls="filters">\s*<aside class="facets" id="filters"/);
    expect(res.text.indexOf('<div class="facets-body">')).toBeLessThan(res.text.indexOf('class="results"'));
    // The toggle says how many filters are on.
    expect(res.text).toMatch(/<label for="facets-open" class="toggle-label">Saring hasil <span class="count">1<\/span>/);
    expect(res.text).toMatch(/<select id="sort" name="sort" data-autosubmit>/);
    // The sort form keeps the words and the facet; the chip names the facet by its label.
    expect(res.text).toMatch(/<form action="\/dataset" method="get" class="sort-form">\s*<input type="hidden" name="q" value="penduduk"><input type="hidden" name="topic" value="kependudukan">/);
    expect(res.text).toContain('Topik: Kependudukan');
  });
});
