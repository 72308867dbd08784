import ExcelJS from 'exceljs';
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { createDataListItem, importDataList, linkDataListItem } from '../../server/actions/datalist';
import { publishVersionNow, reviewVersion, submitVersion, withdrawVersion } from '../../server/actions/versions';
import { AppError } from '../../server/errors';
import { localDay } from '../../server/manage/calendar';
import { dataList } from '../../server/queries/datalist';
import { makeDataset, uploadContent } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { testWorld } from '../support/world';
import { Readable } from 'node:stream';

const t = testWorld();
const thisYear = Number(localDay(new Date(), 'Asia/Jakarta').slice(0, 4));
const status = async (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => (e instanceof AppError ? e.status : 500));
const csvFor = (year: number) => `kode_provinsi,nama_provinsi,nilai,tahun\n18,LAMPUNG,10.5,${year - 1}\n18,LAMPUNG,11.5,${year}\n`;

async function store(content: string | Buffer, filename: string) {
  const stored = await t.svc.storage.store(Readable.from([Buffer.isBuffer(content) ? content : Buffer.from(content)]));
  return { key: stored.key, sha256: stored.sha256, filename };
}

describe('importing a data list', () => {
  it('adds the good rows, reports each bad one with its line and column, and updates on a second import', async () => {
    const year = 2031;
    const { opd, otherOpd } = t.w;
    const file = [
      'Tabel 1. Daftar Data Provinsi Lampung 2031',
      '',
      'Nama Data;OPD;Topik;Frekuensi;Prioritas;Klasifikasi;Bulan Tenggat',
      `Jumlah Penduduk;${opd.slug};Kependudukan;Tahunan;Ya;sektoral;Maret`,
      `Angka Kematian Bayi;${opd.name};kesehatan;triwulanan;tidak;;`,
      `Data Sekolah;dinas-tak-ada;pendidikan;tahunan;tidak;;`,
      `Harga Beras;${otherOpd.slug};ekonomi;setiap saat;tidak;;`,
      `Luas Panen;${otherOpd.slug};pertanian;bulanan;mungkin;;`,
      `Jumlah Penduduk;${opd.slug};kependudukan;tahunan;ya;;`,
      'Sumber: Forum Satu Data',
    ].join('\r\n');
    const out = await perform(importDataList, t.w.walidata.actor, { year, file: await store(file, 'daftar.csv') }, t.svc);
    expect(out).toMatchObject({ created: 2, updated: 0, rows: 6 });
    expect(out.problems.map((p) => [p.line, p.column, p.code])).toEqual([
      [6, 'OPD', 'unknown_organization'],
      [7, 'Frekuensi', 'unknown_frequency'],
      [8, 'Prioritas', 'bad_prioritas'],
      [9, 'Nama Data', 'duplicate'],
    ]);
    const items = await t.svc.db('data_list_items').where({ year }).orderBy('name');
    expect(items.map((i) => [i.name, i.frequency, i.prioritas, i.due_month])).toEqual([
      ['Angka Kematian Bayi', 'triwulanan', false, null],
      ['Jumlah Penduduk', 'tahunan', true, 3],
    ]);
    const again = await perform(importDataList, t.w.walidata.actor, { year, file: await store(`nama,opd,frekuensi\nJumlah Penduduk,${opd.slug},semesteran\n`, 'lagi.csv') }, t.svc);
    expect(again).toMatchObject({ created: 0, updated: 1, problems: [] });
    const audit = await t.svc.db('audit_events').where({ action: 'data_list.import' }).orderBy('id', 'desc').first();
    expect(audit.details).toMatchObject({ year, created: 0, updated: 1, refused: 0 });
  });

  it('reads an XLSX sheet through the same loader, with a report per bad row', async () => {
    const year = 2034;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Daftar Data');
    ws.addRow(['Daftar Data Provinsi Lampung 2034']);
    ws.addRow([]);
    ws.addRow(['Nama Data', 'OPD', 'Frekuensi', 'Prioritas', 'Bulan Tenggat']);
    ws.addRow(['Produksi Padi', t.w.opd.slug, 'tahunan', 'ya', 4]);
    ws.addRow(['Harga Cabai', t.w.otherOpd.slug, 'Bulanan', 'tidak', null]);
    ws.addRow(['Jumlah Ternak', t.w.opd.slug, 'sewindu', 'tidak', null]);
    ws.addRow(['Da', t.w.opd.slug, 'tahunan', 'tidak', null]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const out = await perform(importDataList, t.w.walidata.actor, { year, file: await store(buf, 'daftar.xlsx') }, t.svc);
    expect(out).toMatchObject({ created: 2, updated: 0, rows: 4 });
    expect(out.problems.map((p) => [p.line, p.column, p.code])).toEqual([
      [6, 'Frekuensi', 'unknown_frequency'],
      [7, 'Nama Data', 'invalid'],
    ]);
    expect(out.problems.every((p) => p.message && p.message_en)).toBe(true);
    const items = await t.svc.db('data_list_items').where({ year }).orderBy('name');
    expect(items.map((i) => [i.name, i.frequency, i.prioritas, i.due_month])).toEqual([
      ['Harga Cabai', 'bulanan', false, null],
      ['Produksi Padi', 'tahunan', true, 4],
    ]);
  });

  it('is the walidata’s: a producer may not import or add items', async () => {
    expect(await status(perform(importDataList, t.w.producer.actor, { year: 2031, file: await store('nama,opd,frekuensi\n', 'x.csv') }, t.svc))).toBe(403);
    expect(await status(perform(createDataListItem, t.w.producer.actor, { year: 2031, name: 'Data saya', organization: t.w.opd.slug, frequency: 'tahunan' }, t.svc))).toBe(403);
    expect(await status(perform(createDataListItem, null, { year: 2031, name: 'Data anonim', organization: t.w.opd.slug, frequency: 'tahunan' }, t.svc))).toBe(401);
  });

  it('takes the file through the web form and shows the report of refused rows', async () => {
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get('/manage/daftar-data?tahun=2032').expect(200);
    const res = await walidata
      .post('/manage/daftar-data-import')
      .field('_csrf', csrfFrom(page.text))
      .field('year', '2032')
      .attach('file', Buffer.from(`nama,opd,frekuensi\nData Web,${t.w.opd.slug},tahunan\nData <b>Rusak</b>,${t.w.opd.slug},kadang\n`), 'web.csv')
      .expect(200);
    expect(res.text).toContain('1 butir baru');
    expect(res.text).toContain('kadang');
    expect(res.text).not.toContain('<b>Rusak</b>');
  });
});

describe('a data-list item through its dataset’s life', () => {
  it('shows every status as versions move, and late ones on a fixed clock', async () => {
    const year = thisYear + 1; // delivers this year's data, due at the end of next year's December
    const item = await perform(createDataListItem, t.w.walidata.actor, { year, name: `Indikator ${Date.now()}`, organization: t.w.opd.slug, frequency: 'tahunan', due_month: 12 }, t.svc);
    const at = (today: string) => dataList(t.svc.db, null, { year, timeZone: t.svc.config.timeZone, ids: [item.id], today }).then(([e]) => e.status);
    const early = `${year}-01-15`;
    expect(await at(early)).toBe('belum_ada');
    expect(await at(`${year + 1}-01-01`)).toBe('terlambat');

    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { frequency: 'tahunan' });
    const other = await makeDataset(t.svc, t.w.otherProducer, t.w.otherOpd.slug);
    expect(await status(perform(linkDataListItem, t.w.otherProducer.actor, { id: item.id, dataset: other.slug }, t.svc))).toBe(403);
    expect(await status(perform(linkDataListItem, t.w.walidata.actor, { id: item.id, dataset: other.slug }, t.svc))).toBe(400);
    await perform(linkDataListItem, t.w.producer.actor, { id: item.id, dataset: ds.slug }, t.svc);
    expect(await at(early)).toBe('belum_ada');

    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, csvFor(thisYear));
    expect(await at(early)).toBe('draf');
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    expect(await at(early)).toBe('dalam_pemeriksaan');
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve', publish_at: new Date(Date.now() + 3_600_000).toISOString() }, t.svc);
    expect(await at(early)).toBe('dalam_pemeriksaan');
    expect(await at(`${year + 1}-01-01`)).toBe('terlambat');
    await perform(publishVersionNow, t.w.walidata.actor, { slug: ds.slug, number: v.number }, t.svc);
    expect(await at(`${year + 1}-01-01`)).toBe('terbit');

    // The public API carries the same, with the dataset named once it is public.
    const api = await request(t.app).get('/api/v1/data-list').query({ year, organization: t.w.opd.slug }).expect(200);
    const mine = api.body.data.find((x: { id: number }) => x.id === item.id);
    expect(mine).toMatchObject({ status: 'terbit', frequency: 'tahunan', statistics_class: 'sektoral', dataset: { slug: ds.slug } });
    expect(mine.periods).toEqual([expect.objectContaining({ period: String(thisYear), due: `${year}-12-31`, status: 'terbit', dataset: ds.slug })]);
  });

  it('goes back to draf on a change request or a withdrawal, and to belum_ada when the version is rejected', async () => {
    const year = thisYear + 1;
    const item = await perform(createDataListItem, t.w.walidata.actor, { year, name: `Bolak-balik ${Date.now()}`, organization: t.w.opd.slug, frequency: 'tahunan', due_month: 12 }, t.svc);
    const at = () => dataList(t.svc.db, null, { year, timeZone: t.svc.config.timeZone, ids: [item.id], today: `${year}-02-01` }).then(([e]) => e.status);
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { frequency: 'tahunan' });
    await perform(linkDataListItem, t.w.producer.actor, { id: item.id, dataset: ds.slug }, t.svc);
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, csvFor(thisYear));
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    expect(await at()).toBe('dalam_pemeriksaan');
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'request_changes', comment: 'Lengkapi satuan.' }, t.svc);
    expect(await at()).toBe('draf');
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    expect(await at()).toBe('dalam_pemeriksaan');
    await perform(withdrawVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    expect(await at()).toBe('draf');
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'reject', comment: 'Bukan data yang diminta.' }, t.svc);
    expect(await at()).toBe('belum_ada');
  });

  it('marks a delivery published after its due date as terbit_terlambat, and old data as not delivering it', async () => {
    const year = thisYear - 1; // the data of two years ago, due last year: any publication now is late
    const item = await perform(createDataListItem, t.w.walidata.actor, { year, name: `Terlambat ${Date.now()}`, organization: t.w.opd.slug, frequency: 'tahunan' }, t.svc);
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    await perform(linkDataListItem, t.w.walidata.actor, { id: item.id, dataset: ds.slug }, t.svc);
    const old = await uploadContent(t.svc, t.w.producer.actor, ds.slug, csvFor(year - 3));
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: old.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: old.number, decision: 'approve', comment: 'data lama' }, t.svc);
    const now = localDay(new Date(), 'Asia/Jakarta');
    expect((await dataList(t.svc.db, null, { year, timeZone: t.svc.config.timeZone, ids: [item.id], today: now }))[0].status).toBe('terlambat');
    const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, csvFor(year - 1));
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v2.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v2.number, decision: 'approve', comment: 'ok' }, t.svc);
    const [entry] = await dataList(t.svc.db, null, { year, timeZone: t.svc.config.timeZone, ids: [item.id], today: now });
    expect(entry.status).toBe('terbit_terlambat');
    expect(entry.periods[0].delivered_on).toBe(now);
    const page = await request(t.app).get('/daftar-data').query({ tahun: year, status: 'terbit_terlambat' }).expect(200);
    expect(page.text).toContain(item.name);
    expect(page.text).toContain('Terbit terlambat');
  });

  it('is made and edited by the walidata through the forms, a refused item keeping what was typed, each change audited', async () => {
    const year = 2035;
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get(`/manage/daftar-data?tahun=${year}`).expect(200);
    const fields = { _csrf: csrfFrom(page.text), year: String(year), name: 'Jumlah Puskesmas', organization: t.w.opd.slug, topic: 'kesehatan', frequency: 'triwulanan', prioritas: 'on', statistics_class: 'sektoral', due_month: '', notes: 'Per kabupaten/kota' };
    await walidata.post('/manage/daftar-data').type('form').send(fields).expect(303);
    const item = await t.svc.db('data_list_items').where({ year, name: 'Jumlah Puskesmas' }).first();
    expect(item).toMatchObject({ frequency: 'triwulanan', prioritas: true, notes: 'Per kabupaten/kota', organization_id: t.w.opd.id });
    // The same name again for the same OPD and year: refused at the form, the typed values kept.
    const again = await walidata.post('/manage/daftar-data').type('form').send({ ...fields, notes: 'Catatan yang diketik' }).expect(409);
    expect(again.text).toContain('role="alert"');
    expect(again.text).toContain('Catatan yang diketik');
    const itemPage = await walidata.get(`/manage/daftar-data/${item.id}`).expect(200);
    await walidata.post(`/manage/daftar-data/${item.id}`).type('form').send({ ...fields, _csrf: csrfFrom(itemPage.text), frequency: 'semesteran', prioritas: undefined }).expect(303);
    expect(await t.svc.db('data_list_items').where({ id: item.id }).first()).toMatchObject({ frequency: 'semesteran', prioritas: false });
    const events = await t.svc.db('audit_events').where('action', 'like', 'data_list.%').andWhereRaw("details->>'name' = ?", ['Jumlah Puskesmas']).orderBy('id').pluck('action');
    expect(events).toEqual(['data_list.create', 'data_list.update']);
    // A producer has no such form, and its POST is refused.
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const own = await producer.get(`/manage/daftar-data?tahun=${year}`).expect(200);
    await producer.post('/manage/daftar-data').type('form').send({ ...fields, _csrf: csrfFrom(own.text), name: 'Butir produsen' }).expect(403);
  });

  it('shows an OPD its own items only, where it links a dataset through the form', async () => {
    const year = 2033;
    const mine = await perform(createDataListItem, t.w.walidata.actor, { year, name: 'Butir OPD saya', organization: t.w.opd.slug, frequency: 'tahunan' }, t.svc);
    await perform(createDataListItem, t.w.walidata.actor, { year, name: 'Butir OPD lain', organization: t.w.otherOpd.slug, frequency: 'tahunan' }, t.svc);
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { title: 'Dataset untuk ditautkan' });
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const page = await producer.get(`/manage/daftar-data?tahun=${year}`).expect(200);
    expect(page.text).toContain('Butir OPD saya');
    expect(page.text).not.toContain('Butir OPD lain');
    expect(page.text).not.toContain('name="year"'); // no new-item or import form for an OPD
    await producer.post(`/manage/daftar-data/${mine.id}`).type('form').send({ _csrf: csrfFrom(page.text), action: 'link', dataset: ds.slug }).expect(303);
    expect((await t.svc.db('data_list_items').where({ id: mine.id }).first()).dataset_id).toBe(ds.id);
    const other = await signedIn(t.app, t.w.otherProducer.email, t.w.otherProducer.password);
    await other.get(`/manage/daftar-data/${mine.id}`).expect(403);
    await request(t.app).get('/manage/daftar-data').expect(302);
  });
});
