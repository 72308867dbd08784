import request from 'supertest';
import { testWorld } from '../support/world';
import { SMALL_CSV } from '../support/factories';
import { tokenFor } from '../support/http';

const t = testWorld();


const datasetBody = (org: string) => ({
  organization: org,
  title: 'Jumlah Penduduk Uji API',
  description: 'Penduduk menurut kabupaten/kota',
  topic: 'kependudukan',
  tags: ['penduduk', 'Uji'],
  frequency: 'tahunan',
  metadata: { nama_indikator: 'Jumlah penduduk', konsep: 'Penduduk', satuan: 'Jiwa' },
});

describe('the whole path through the API', () => {
  it('producer uploads and submits, walidata approves, the public reads rows and downloads the same CSV', async () => {
    const producer = { Authorization: `Bearer ${await tokenFor(t.app, t.w.producer.email, t.w.producer.password)}` };
    const walidata = { Authorization: `Bearer ${await tokenFor(t.app, t.w.walidata.email, t.w.walidata.password)}` };

    const created = await request(t.app).post('/api/v1/datasets').set(producer).send(datasetBody(t.w.opd.slug)).expect(201);
    const slug: string = created.body.data.slug;
    expect(slug).toMatch(/^jumlah-penduduk-uji-api/);
    expect(created.body.data.tags).toEqual(['penduduk', 'uji']);
    expect(created.body.data.current_version).toBeNull();
    await request(t.app).get(`/api/v1/datasets/${slug}`).expect(404);

    const up = await request(t.app)
      .post(`/api/v1/datasets/${slug}/versions`)
      .set(producer)
      .attach('file', Buffer.from(SMALL_CSV), 'penduduk.csv')
      .expect(201);
    const v = up.body.data;
    expect(v).toMatchObject({ number: 1, state: 'draft', row_count: 2 });
    expect(v.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(v.columns.map((c: { name: string; type: string }) => [c.name, c.type])).toEqual([
      ['kode_kabupaten_kota', 'text'],
      ['nama_kabupaten_kota', 'text'],
      ['jumlah', 'integer'],
      ['tahun', 'year'],
    ]);
    expect(v.report.errors).toEqual([]);

    const preview = await request(t.app).get(`/api/v1/datasets/${slug}/versions/1/rows`).set(producer).expect(200);
    expect(preview.body.data[0]).toMatchObject({ kode_kabupaten_kota: '1801', jumlah: 313756, tahun: 2025 });
    await request(t.app).get(`/api/v1/datasets/${slug}/versions/1`).expect(404);

    const submitted = await request(t.app).post(`/api/v1/datasets/${slug}/versions/1/submit`).set(producer).expect(200);
    expect(submitted.body.data.state).toBe('submitted');

    const queue = await request(t.app).get('/api/v1/review-queue').set(walidata).expect(200);
    expect(queue.body.data.map((i: { dataset: { slug: string } }) => i.dataset.slug)).toContain(slug);

    const approved = await request(t.app)
      .post(`/api/v1/datasets/${slug}/versions/1/review`)
      .set(walidata)
      .send({ decision: 'approve', comment: 'Lengkap' })
      .expect(200);
    expect(approved.body.data.state).toBe('published');

    const list = await request(t.app).get('/api/v1/datasets').query({ q: 'Penduduk Uji API' }).expect(200);
    expect(list.body.data.map((d: { slug: string }) => d.slug)).toContain(slug);
    expect(list.body.meta).toMatchObject({ page: 1, per_page: 20 });
    expect(list.body.facets.organization.some((f: { key: string }) => f.key === t.w.opd.slug)).toBe(true);

    const detail = await request(t.app).get(`/api/v1/datasets/${slug}`).expect(200);
    expect(detail.body.data.current_version).toMatchObject({ number: 1, row_count: 2 });
    expect(detail.body.data.versions).toHaveLength(1);

    const rows = await request(t.app).get(`/api/v1/datasets/${slug}/rows`).query({ sort: '-jumlah', limit: 1 }).expect(200);
    expect(rows.body.meta).toEqual({ total: 2, limit: 1, offset: 0 });
    expect(rows.body.data).toEqual([{ _id: 2, kode_kabupaten_kota: '1871', nama_kabupaten_kota: 'BANDAR LAMPUNG', jumlah: 1077664, tahun: 2025 }]);

    const filtered = await request(t.app).get(`/api/v1/datasets/${slug}/rows`).query({ 'filter[kode_kabupaten_kota]': '1801' }).expect(200);
    expect(filtered.body.meta.total).toBe(1);

    const agg = await request(t.app).get(`/api/v1/datasets/${slug}/aggregate`).query({ group: 'tahun', measure: 'jumlah', fn: 'sum' }).expect(200);
    expect(agg.body.data).toEqual([{ tahun: 2025, value: 313756 + 1077664 }]);

    const csv = await request(t.app).get(`/dataset/${slug}/download.csv`).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text).toBe(SMALL_CSV);
  });

  it('answers errors in the SPEC shape', async () => {
    const r404 = await request(t.app).get('/api/v1/datasets/tidak-ada').expect(404);
    expect(r404.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    const r400 = await request(t.app).get('/api/v1/datasets').query({ per_page: 1000 }).expect(400);
    expect(r400.body.error.code).toBe('invalid');
    expect(r400.body.error.details[0].path).toBe('per_page');
    await request(t.app).post('/api/v1/datasets').send(datasetBody(t.w.opd.slug)).expect(401);
    const bad = await request(t.app).post('/api/v1/tokens').send({ email: t.w.producer.email, password: 'salah' }).expect(401);
    expect(bad.body.error.code).toBe('unauthenticated');
    await request(t.app).get('/api/v1/datasets').set('Authorization', 'Bearer sdp_tidak_sah').expect(401);
  });

  it('lists organizations and topics', async () => {
    const orgs = await request(t.app).get('/api/v1/organizations').expect(200);
    expect(orgs.body.data.find((o: { slug: string }) => o.slug === t.w.opd.slug)).toMatchObject({ kind: 'opd', dataset_count: expect.any(Number) });
    const topics = await request(t.app).get('/api/v1/topics').expect(200);
    expect(topics.body.data.map((t: { slug: string }) => t.slug)).toEqual(
      expect.arrayContaining(['kependudukan', 'kemiskinan', 'kesehatan', 'pendidikan', 'ekonomi', 'pertanian', 'infrastruktur', 'pemerintahan', 'sosial', 'lingkungan']),
    );
  });
});
