import request from 'supertest';
import { testWorld } from '../support/world';
import { SMALL_CSV } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';

const t = testWorld();


const datasetForm = (org: string, token: string) => ({
  _csrf: token,
  organization: org,
  title: 'Penduduk Menurut Kabupaten Uji Web',
  description: 'Diisi melalui formulir',
  topic: 'kependudukan',
  tags: 'penduduk, web',
  frequency: 'tahunan',
  access_level: 'terbuka',
  license: 'CC-BY-4.0',
  metadata_nama_indikator: 'Jumlah penduduk',
  metadata_satuan: 'Jiwa',
});

describe('the whole path through the pages', () => {
  it('producer creates and uploads, walidata requests changes, producer resubmits, walidata approves, public reads', async () => {
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const form = await producer.get('/dashboard/datasets/new').expect(200);
    expect(form.text).toContain('name="metadata_konsep"');
    const created = await producer.post('/dashboard/datasets').type('form').send(datasetForm(t.w.opd.slug, csrfFrom(form.text))).expect(303);
    const manage = created.headers.location as string;
    expect(manage).toMatch(/^\/dashboard\/datasets\/penduduk-menurut-kabupaten-uji-web/);
    const slug = manage.split('/').pop()!;

    const page = await producer.get(manage).expect(200);
    expect(page.text).toContain('Penduduk Menurut Kabupaten Uji Web');
    const uploaded = await producer
      .post(`${manage}/versions`)
      .field('_csrf', csrfFrom(page.text))
      .attach('file', Buffer.from(SMALL_CSV), 'penduduk.csv')
      .expect(303);
    expect(uploaded.headers.location).toBe(`${manage}/versions/1`);

    const version = await producer.get(`${manage}/versions/1`).expect(200);
    expect(version.text).toContain('kode_kabupaten_kota');
    expect(version.text).toContain('Bilangan bulat'); // the inferred type of `jumlah`
    expect(version.text).toContain('BANDAR LAMPUNG'); // the preview
    await producer.post(`${manage}/versions/1/submit`).type('form').send({ _csrf: csrfFrom(version.text) }).expect(303);
    expect((await producer.get(`${manage}/versions/1`)).text).toContain('Diajukan');

    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const queue = await walidata.get('/review').expect(200);
    expect(queue.text).toContain('Penduduk Menurut Kabupaten Uji Web');
    const review = await walidata.get(`/review/${slug}/1`).expect(200);
    expect(review.text).toContain('Laporan validasi');
    expect(review.text).toContain('BANDAR LAMPUNG');
    await walidata
      .post(`/review/${slug}/1`)
      .type('form')
      .send({ _csrf: csrfFrom(review.text), decision: 'request_changes', comment: 'Tambahkan konsep dan definisi.' })
      .expect(303);

    const back = await producer.get(`${manage}/versions/1`).expect(200);
    expect(back.text).toContain('Perlu perbaikan');
    expect(back.text).toContain('Tambahkan konsep dan definisi.');
    const edit = await producer.get(`${manage}/edit`).expect(200);
    await producer
      .post(`${manage}/edit`)
      .type('form')
      .send({ ...datasetForm(t.w.opd.slug, csrfFrom(edit.text)), metadata_konsep: 'Penduduk terdaftar', metadata_definisi: 'Jumlah orang' })
      .expect(303);
    await producer.post(`${manage}/versions/1/submit`).type('form').send({ _csrf: csrfFrom(back.text) }).expect(303);

    const again = await walidata.get(`/review/${slug}/1`).expect(200);
    expect(again.text).toContain('Penduduk terdaftar');
    // Approving needs the checklist confirmed: refused at the field, nothing decided.
    await walidata.post(`/review/${slug}/1`).type('form').send({ _csrf: csrfFrom(again.text), decision: 'approve', comment: '' }).expect(400);
    expect((await t.svc.db('versions').where({ number: 1 }).join('datasets', 'datasets.id', 'versions.dataset_id').where('datasets.slug', slug).first('versions.state')).state).toBe('submitted');
    await walidata.post(`/review/${slug}/1`).type('form').send({ _csrf: csrfFrom(again.text), decision: 'approve', comment: '', confirm_checklist: 'on', override_reason: 'Metadata lain menyusul.' }).expect(303);

    const search = await request(t.app).get('/dataset').query({ q: 'Kabupaten Uji Web' }).expect(200);
    expect(search.text).toContain(`/dataset/${slug}`);
    const pub = await request(t.app).get(`/dataset/${slug}`).expect(200);
    expect(pub.text).toContain('Penduduk Menurut Kabupaten Uji Web');
    expect(pub.text).toContain('data-chart-builder');
    expect(pub.text).toContain('1.077.664'); // Indonesian number format in the table
    expect(pub.text).toContain(`/dataset/${slug}/download.csv`);
    const csv = await request(t.app).get(`/dataset/${slug}/download.csv`).expect(200);
    expect(csv.text).toBe(SMALL_CSV);
  });

  it('refuses form posts without the CSRF token, including uploads', async () => {
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const res = await producer.post('/dashboard/datasets').type('form').send({ ...datasetForm(t.w.opd.slug, ''), _csrf: undefined }).expect(403);
    expect(res.text).toContain('Formulir kedaluwarsa');
    const form = await producer.get('/dashboard/datasets/new');
    const created = await producer.post('/dashboard/datasets').type('form').send({ ...datasetForm(t.w.opd.slug, csrfFrom(form.text)), title: 'Uji CSRF unggah' }).expect(303);
    await producer.post(`${created.headers.location}/versions`).attach('file', Buffer.from(SMALL_CSV), 'x.csv').expect(403);
    const slug = (created.headers.location as string).split('/').pop();
    const ds = await t.svc.db('datasets').where({ slug }).first();
    expect(await t.svc.db('versions').where({ dataset_id: ds.id }).first()).toBeUndefined();
    // A token from another session does not work either.
    const other = await signedIn(t.app, t.w.producer2.email, t.w.producer2.password);
    const foreign = csrfFrom((await other.get('/dashboard')).text);
    await producer.post('/dashboard/datasets').type('form').send(datasetForm(t.w.opd.slug, foreign)).expect(403);
  });

  it('re-renders the form with the problems when input is invalid', async () => {
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const form = await producer.get('/dashboard/datasets/new');
    const res = await producer.post('/dashboard/datasets').type('form').send({ ...datasetForm(t.w.opd.slug, csrfFrom(form.text)), title: 'x' }).expect(400);
    expect(res.text).toContain('Judul minimal 3 karakter');
  });

  it('sends the public to sign in for the dashboard, and refuses wrong passwords', async () => {
    const res = await request(t.app).get('/dashboard').expect(302);
    expect(res.headers.location).toBe('/login?next=%2Fdashboard');
    const agent = request.agent(t.app);
    const login = await agent.get('/login');
    const bad = await agent.post('/login').type('form').send({ _csrf: csrfFrom(login.text), email: t.w.producer.email, password: 'salah-sekali' }).expect(401);
    expect(bad.text).toContain('Email atau kata sandi salah');
    await request(t.app).get('/review').expect(302);
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    await producer.get('/review').expect(403);
  });

  it('switches the interface to English and back', async () => {
    const agent = request.agent(t.app);
    const res = await agent.get('/lang/en?next=/dataset').expect(302);
    expect(res.headers.location).toBe('/dataset');
    const page = await agent.get('/dataset').expect(200);
    expect(page.text).toContain('Find datasets');
    expect(page.text).toContain('<html lang="en">');
    await agent.get('/lang/id?next=/dataset');
    expect((await agent.get('/dataset')).text).toContain('Cari dataset');
  });

  it('serves the home page, organizations and the API page', async () => {
    expect((await request(t.app).get('/').expect(200)).text).toContain('Satu Data');
    expect((await request(t.app).get(`/organization/${t.w.opd.slug}`).expect(200)).text).toContain(t.w.opd.name);
    expect((await request(t.app).get('/api/docs').expect(200)).text).toContain('/api/v1/datasets');
    const openapi = await request(t.app).get('/api/v1/openapi.json').expect(200);
    expect(openapi.body.openapi).toBe('3.1.0');
    await request(t.app).get('/tidak-ada').expect(404);
  });
});
