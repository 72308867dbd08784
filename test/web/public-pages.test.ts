import request from 'supertest';
import { listTopics } from '../../server/queries/catalog';
import { makeDataset, publishedDataset } from '../support/factories';
import { testWorld } from '../support/world';

const t = testWorld();

describe('public pages', () => {
  beforeAll(async () => {
    await publishedDataset(t.svc, t.w, undefined, { title: 'Indeks Topik Uji', topic: 'kemiskinan' });
    // A draft never counts.
    await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { title: 'Draf Topik Uji', topic: 'kemiskinan' });
  });

  it('lists every topic at /topic with the number of open datasets, in both languages', async () => {
    const topics = await listTopics(t.svc.db);
    const poverty = topics.find((x) => x.slug === 'kemiskinan')!;
    const res = await request(t.app).get('/topic').expect(200);
    for (const x of topics) expect(res.text).toContain(`href="/topic/${x.slug}"`);
    expect(res.text).toContain(`<strong>${poverty.name_id}</strong><span>${poverty.dataset_count} dataset</span>`);
    const visible = await request(t.app).get('/api/v1/datasets').query({ topic: 'kemiskinan' }).expect(200);
    expect(poverty.dataset_count).toBe(visible.body.meta.total);
    const en = await request(t.app).get('/topic').set('Cookie', 'lang=en').expect(200);
    expect(en.text).toContain('<h1>Topics</h1>');
    expect(en.text).toContain(`<strong>${poverty.name_en}</strong>`);
  });

  it('works without JavaScript on a phone: the sort menu keeps its button, the facets and menu fold with a checkbox', async () => {
    const res = await request(t.app).get('/dataset').query({ sort: 'title' }).expect(200);
    expect(res.text).toMatch(/<select id="sort" name="sort" data-autosubmit>/);
    expect(res.text).toMatch(/<button type="submit" class="secondary js-hide">/);
    expect(res.text).toMatch(/<input type="checkbox" id="facets-open" class="toggle-input" aria-controls="filters">\s*<aside class="facets" id="filters"/);
    expect(res.text).toContain('<label for="facets-open" class="toggle-label">');
    expect(res.text).toMatch(/<input type="checkbox" id="menu-open"[^>]*>\s*<label for="menu-open" class="menu-toggle">/);
  });

  it('formats numbers the Indonesian way on pages and raw in the API', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, 'kode_kabupaten_kota,jumlah,rasio,tahun\n1801,1124683,12.5,2025\n');
    const page = await request(t.app).get(`/dataset/${ds.slug}`).expect(200);
    expect(page.text).toContain('1.124.683');
    expect(page.text).toContain('12,5');
    expect(page.text).toContain('data-scroll-cue');
    const api = await request(t.app).get(`/api/v1/datasets/${ds.slug}/rows`).expect(200);
    expect(api.body.data[0]).toMatchObject({ jumlah: 1124683, rasio: 12.5 });
  });
});
