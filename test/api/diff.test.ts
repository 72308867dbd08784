import request from 'supertest';
import { testWorld } from '../support/world';
import { perform } from '../../server/actions/action';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { publishedDataset, uploadContent } from '../support/factories';
import { tokenFor } from '../support/http';

const t = testWorld();

let producer: Record<string, string>;
let walidata: Record<string, string>;

const V1 = 'kode_kabupaten_kota,tahun,jumlah\n1801,2025,313756\n1871,2025,1077664\n';
const V2 = 'kode_kabupaten_kota,tahun,jumlah\n1801,2025,313800\n1871,2025,1077664\n1872,2025,175000\n';

beforeAll(async () => {
  producer = { Authorization: `Bearer ${await tokenFor(t.app, t.w.producer.email, t.w.producer.password)}` };
  walidata = { Authorization: `Bearer ${await tokenFor(t.app, t.w.walidata.email, t.w.walidata.password)}` };
});

/** A published version 1 and a draft version 2. */
async function withDraft() {
  const { ds } = await publishedDataset(t.svc, t.w, V1);
  await uploadContent(t.svc, t.w.producer.actor, ds.slug, V2);
  return ds.slug;
}

describe('GET /api/v1/datasets/:slug/versions/:n/diff', () => {
  it('compares a draft with the published version, for the producer and the walidata but not the public', async () => {
    const slug = await withDraft();
    await request(t.app).get(`/api/v1/datasets/${slug}/versions/2/diff`).expect(404);
    for (const who of [producer, walidata]) {
      const res = await request(t.app).get(`/api/v1/datasets/${slug}/versions/2/diff`).set(who).expect(200);
      expect(res.body.data).toEqual({
        against: 1,
        columns: { added: [], removed: [], retyped: [] },
        rows: {
          key: ['kode_kabupaten_kota', 'tahun'],
          key_unique: true,
          key_source: 'region_time',
          added: 1,
          removed: 0,
          changed: 1,
          examples: [
            { kind: 'changed', key: { kode_kabupaten_kota: '1801', tahun: 2025 }, changes: [{ column: 'jumlah', before: 313756, after: 313800 }] },
            { kind: 'added', key: { kode_kabupaten_kota: '1872', tahun: 2025 }, row: { kode_kabupaten_kota: '1872', tahun: 2025, jumlah: 175000 } },
          ],
        },
      });
    }
  });

  it('compares the current version with the one it superseded, and a first version with nothing', async () => {
    const slug = await withDraft();
    const first = await request(t.app).get(`/api/v1/datasets/${slug}/versions/1/diff`).expect(200);
    expect(first.body.data).toMatchObject({ against: null, rows: { added: 2, removed: 0, changed: 0 } });

    await perform(submitVersion, t.w.producer.actor, { slug, number: 2 }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug, number: 2, decision: 'approve' }, t.svc);
    const current = await request(t.app).get(`/api/v1/datasets/${slug}/versions/2/diff`).expect(200);
    expect(current.body.data).toMatchObject({ against: 1, rows: { added: 1, removed: 0, changed: 1 } });
    const older = await request(t.app).get(`/api/v1/datasets/${slug}/versions/1/diff`).expect(200);
    expect(older.body.data).toMatchObject({ against: 2, rows: { added: 0, removed: 1, changed: 1 } });
  });

  it('takes a declared key and includes a page of changed cells', async () => {
    const slug = await withDraft();
    const res = await request(t.app)
      .get(`/api/v1/datasets/${slug}/versions/2/diff`)
      .query({ key: 'kode_kabupaten_kota', cells_limit: 10 })
      .set(producer)
      .expect(200);
    expect(res.body.data.rows).toMatchObject({ key: ['kode_kabupaten_kota'], key_source: 'declared', changed: 1 });
    expect(res.body.data.cells).toEqual([{ key: { kode_kabupaten_kota: '1801' }, column: 'jumlah', before: 313756, after: 313800 }]);
    expect(res.body.data.cells_total).toBe(1);
  });

  it('answers 400 for an unknown key column and for a bad page', async () => {
    const slug = await withDraft();
    const bad = await request(t.app).get(`/api/v1/datasets/${slug}/versions/2/diff`).query({ key: 'tahun,tidak_ada' }).set(producer).expect(400);
    expect(bad.body.error.code).toBe('invalid');
    await request(t.app).get(`/api/v1/datasets/${slug}/versions/2/diff`).query({ cells_limit: -1 }).set(producer).expect(400);
  });

  it('answers 409 for a version that has no table', async () => {
    const slug = await withDraft();
    const broken = await uploadContent(t.svc, t.w.producer.actor, slug, 'kode_kabupaten_kota,tahun,jumlah\n1801,2025,1\n1871,2025\n');
    expect(broken.table_name).toBeNull();
    const res = await request(t.app).get(`/api/v1/datasets/${slug}/versions/${broken.number}/diff`).set(producer).expect(409);
    expect(res.body.error.code).toBe('conflict');
  });

  it('is described in the OpenAPI document', async () => {
    const res = await request(t.app).get('/api/v1/openapi.json').expect(200);
    expect(res.body.paths['/datasets/{slug}/versions/{n}/diff'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'slug', 'n', 'key', 'cells_limit', 'cells_offset',
    ]);
  });
});
