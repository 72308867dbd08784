import request from 'supertest';
import { makeOrg, makeUser, publishedDataset, uid, type World } from '../support/factories';
import { testWorld } from '../support/world';

// The statistics class (statistik dasar / sektoral / khusus) is a field of every dataset and a
// facet of the search, in the API and on the search page.

const t = testWorld();

describe('the statistics class', () => {
  it('is carried by the dataset, counted as a facet, and narrows the search, in the API and on the page', async () => {
    // An organization of its own, so the counts are this test's only.
    const org = await makeOrg(t.svc, 'opd');
    const producer = await makeUser(t.svc, 'produsen', org.slug);
    const w = { ...t.w, producer, opd: org } as World;
    const tag = `kelas${uid()}`;
    const basic = (await publishedDataset(t.svc, w, undefined, { tags: [tag], statistics_class: 'dasar' })).ds.slug;
    await publishedDataset(t.svc, w, undefined, { tags: [tag], statistics_class: 'sektoral' });
    await publishedDataset(t.svc, w, undefined, { tags: [tag] });
    const all = (await request(t.app).get('/api/v1/datasets').query({ tag, per_page: 100 }).expect(200)).body;
    expect(all.meta.total).toBe(3);
    expect(Object.fromEntries(all.facets.statistics_class.map((f: { key: string; count: number }) => [f.key, f.count]))).toEqual({ dasar: 1, sektoral: 2 });
    expect(all.data.map((d: { statistics_class: string }) => d.statistics_class).sort()).toEqual(['dasar', 'sektoral', 'sektoral']);
    const only = (await request(t.app).get('/api/v1/datasets').query({ tag, statistics_class: 'dasar' }).expect(200)).body;
    expect(only.data.map((d: { slug: string }) => d.slug)).toEqual([basic]);
    await request(t.app).get('/api/v1/datasets').query({ statistics_class: 'rahasia' }).expect(400);
    const page = await request(t.app).get('/dataset').query({ tag, statistics_class: 'dasar' }).expect(200);
    expect(page.text).toContain(`/dataset/${basic}`);
    expect(page.text).toContain('Statistik dasar');
  });
});
