import request from 'supertest';
import { testWorld } from '../support/world';
import { perform } from '../../server/actions/action';
import { retractDataset } from '../../server/actions/datasets';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { makeDataset, publishedDataset, SMALL_CSV, uploadContent } from '../support/factories';
import { csrfFrom, signedIn, tokenFor } from '../support/http';

const t = testWorld();


describe('the review page', () => {
  it('shows the checklist, the report, the columns and the preview, and asks for confirmation', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { description: '' });
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get(`/review/${ds.slug}/1`).expect(200);
    for (const text of ['Daftar periksa standar data', 'Metadata lengkap', 'MS-Ind belum diisi', 'kode_kabupaten_kota: kode BPS', 'name="confirm_checklist"', 'Laporan validasi', 'LAMPUNG BARAT']) {
      expect(page.text).toContain(text);
    }
    expect(page.text).toContain('class="missing"'); // missing metadata highlighted
  });

  it('does not offer a decision on one’s own submission', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await uploadContent(t.svc, t.w.admin.actor, ds.slug, SMALL_CSV);
    await perform(submitVersion, t.w.admin.actor, { slug: ds.slug, number: v.number }, t.svc);
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const page = await admin.get(`/review/${ds.slug}/1`).expect(200);
    expect(page.text).toContain('Anda tidak dapat memutuskan versi yang Anda unggah');
    expect(page.text).not.toContain('name="decision" value="approve"');
  });
});

describe('inbox', () => {
  it('counts unread notifications in the header, lists them, and marks them read', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'request_changes', comment: 'Tolong tambah satuan' }, t.svc);
    const producer = await signedIn(t.app, t.w.producer2.email, t.w.producer2.password);
    const dash = await producer.get('/dashboard').expect(200);
    expect(dash.text).toMatch(/Kotak masuk <span class="count"[^>]*>\d+<\/span>/);
    const inbox = await producer.get('/inbox').expect(200);
    expect(inbox.text).toContain(`meminta perbaikan “${ds.title}” versi 1`);
    expect(inbox.text).toContain('Tolong tambah satuan');
    const id = /href="\/inbox\/(\d+)"/.exec(inbox.text)![1];
    const follow = await producer.get(`/inbox/${id}`).expect(302);
    expect(follow.headers.location).toBe(`/dashboard/datasets/${ds.slug}/versions/1`);
    await producer.post('/inbox/read').type('form').send({ _csrf: csrfFrom(inbox.text) }).expect(303);
    expect(await t.svc.db('notifications').where({ user_id: t.w.producer2.actor.id }).whereNull('read_at').first()).toBeUndefined();
  });
});

describe('retraction on the public site', () => {
  it('shows a notice with the reason (410) and hides the data; the activity says why', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const manage = await walidata.get(`/dashboard/datasets/${ds.slug}`).expect(200);
    expect(manage.text).toContain('Tarik dari publikasi');
    await walidata.post(`/dashboard/datasets/${ds.slug}/retract`).type('form').send({ _csrf: csrfFrom(manage.text), reason: 'Angka tahun 2025 keliru' }).expect(303);
    const pub = await request(t.app).get(`/dataset/${ds.slug}`).expect(410);
    expect(pub.text).toContain('Angka tahun 2025 keliru');
    await request(t.app).get(`/dataset/${ds.slug}/download.csv`).expect(404);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/rows`).expect(404);
    const search = await request(t.app).get('/api/v1/datasets').query({ q: ds.title }).expect(200);
    expect(search.body.data).toEqual([]);
    // Its OPD still sees it, with the notice.
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    expect((await producer.get(`/dataset/${ds.slug}`).expect(200)).text).toContain('Angka tahun 2025 keliru');
    await perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, retract: false }, t.svc);
    await request(t.app).get(`/dataset/${ds.slug}`).expect(200);
  });
});

describe('activity', () => {
  it('shows the public only what was published, and the OPD everything', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const pub = await request(t.app).get(`/api/v1/datasets/${ds.slug}/activity`).expect(200);
    expect(pub.body.data.map((e: { action: string }) => e.action)).toEqual(['version.review', 'dataset.create']);
    expect(pub.body.data[0].actor).toBeNull();
    const token = await tokenFor(t.app, t.w.producer.email, t.w.producer.password);
    const full = await request(t.app).get(`/api/v1/datasets/${ds.slug}/activity`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(full.body.data.map((e: { action: string }) => e.action)).toEqual(['version.review', 'version.submit', 'version.loaded', 'version.upload', 'dataset.create']);
    expect(full.body.data[0].actor.role).toBe('walidata');
  });
});

describe('the audit page', () => {
  it('lets the admin filter by actor, dataset, action and date; nobody else', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    const page = await admin.get('/admin/audit').query({ dataset: ds.slug, action: 'version.review' }).expect(200);
    expect(page.text).toContain('version.review');
    expect(page.text).not.toContain('<code>version.upload</code>');
    const byActor = await admin.get('/admin/audit').query({ actor: t.w.walidata.email, dataset: ds.slug }).expect(200);
    expect(byActor.text).toContain('1 hasil');
    // 'Today' in the portal's zone (Asia/Jakarta by default), as the filter reads it: after 17:00 UTC
    // the UTC date is a day behind.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const dated = await admin.get('/admin/audit').query({ dataset: ds.slug, from: today, to: today }).expect(200);
    expect(dated.text).toContain('5 hasil');
    const old = await admin.get('/admin/audit').query({ dataset: ds.slug, to: '2020-01-01' }).expect(200);
    expect(old.text).toContain('0 hasil');
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    await walidata.get('/admin/audit').expect(403);
  });
});

describe('the producer’s dashboard', () => {
  it('shows state, what needs action and the next due update', async () => {
    const csv = 'kode_provinsi,nama_provinsi,nilai,tahun\n18,LAMPUNG,10.5,2020\n18,LAMPUNG,11.5,2021\n';
    const { ds } = await publishedDataset(t.svc, t.w, csv, { frequency: 'tahunan' });
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const page = await producer.get('/dashboard').expect(200);
    expect(page.text).toContain(ds.title);
    expect(page.text).toContain('Jadwal pemutakhiran'); // 2021 data: the 2022 update was due mid-2023
    expect(page.text).toMatch(/terlambat sejak 30 Jun 2023/);
  });
});

describe('the diff on the review page', () => {
  it('shows rows added and changed against the published version, with before and after', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const v2csv = SMALL_CSV.replace('313756', '313800') + '1872,METRO,175000,2025\n';
    const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, v2csv);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v2.number }, t.svc);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get(`/review/${ds.slug}/2`).expect(200);
    expect(page.text).toContain('Dibandingkan dengan versi 1 yang terbit');
    expect(page.text).toMatch(/<strong>1<\/strong> baris baru/);
    expect(page.text).toMatch(/<strong>1<\/strong> baris berubah/);
    expect(page.text).toContain('<td class="before">313756</td><td class="after">313800</td>');
    expect(page.text).toContain('kode_kabupaten_kota: 1872, nama_kabupaten_kota: METRO');
    // The producer sees the same comparison on their version page.
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    expect((await producer.get(`/dashboard/datasets/${ds.slug}/versions/2`).expect(200)).text).toContain('<td class="after">313800</td>');
  });
});
