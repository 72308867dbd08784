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
});
