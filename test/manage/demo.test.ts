import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app';
import { demoYear, loadDemo } from '../../server/demo';
import { dataList } from '../../server/queries/datalist';
import { signedIn } from '../support/http';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';

// A fresh demo, in a database of its own, shows something real on every management page.
const PASSWORD = 'demo-sandi-uji-123';
// A year fixed by the test, so that the demo's 2025 figures fulfil its list whatever the clock.
const YEAR = 2026;
const t = {} as { svc: TestServices; app: Express; drop(): Promise<void>; made: Awaited<ReturnType<typeof loadDemo>> };
beforeAll(async () => {
  const db = await isolatedDatabase();
  t.drop = db.drop;
  t.svc = testServices({ url: db.url });
  t.app = createApp(t.svc);
  t.made = await loadDemo(t.svc, PASSWORD, { year: YEAR });
}, 240_000); // the whole demo through the real upload and review path: slow on a loaded machine
afterAll(async () => {
  await t.svc.close();
  await t.drop();
});

const FULFILLED = ['terbit', 'terbit_terlambat'];
const PENDING = ['belum_ada', 'draf', 'dalam_pemeriksaan'];

describe('a fresh demo', () => {
  it('uses the current year of the portal’s zone for its data list by default', () => {
    expect(demoYear('Asia/Jakarta', new Date('2026-12-31T17:30:00Z'))).toBe(2027); // already 1 January in WIB
    expect(demoYear('Asia/Jakarta', new Date('2026-06-01T00:00:00Z'))).toBe(2026);
  });

  it('serves the five open demo datasets publicly, and not the one waiting on the release calendar', async () => {
    const res = await request(t.app).get('/api/v1/datasets').expect(200);
    expect(res.body.meta.total).toBe(5);
    expect(res.body.data.map((d: { title: string }) => d.title)).not.toContain('Kepadatan Penduduk Kabupaten/Kota di Provinsi Lampung 2025');
    const scheduled = await t.svc.db('versions as v').join('datasets as d', 'd.id', 'v.dataset_id').where('v.state', 'scheduled').select('d.title', 'v.publish_at');
    expect(scheduled).toHaveLength(1);
    const ahead = new Date(scheduled[0].publish_at).getTime() - Date.now();
    expect(ahead).toBeGreaterThan(0);
    expect(ahead).toBeLessThanOrEqual(7 * 86_400_000);
    await request(t.app).get('/dataset/kepadatan-penduduk-kabupaten-kota-di-provinsi-lampung-2025').expect(404);
  });

  it('has a data list for the year with items fulfilled, late and pending (statuses computed on a fixed day)', async () => {
    const items = await dataList(t.svc.db, null, { year: YEAR, timeZone: t.svc.config.timeZone, today: `${YEAR}-07-01` });
    expect(items.length).toBe(t.made.data_list_items);
    const statuses = items.map((i) => i.status);
    expect(statuses.some((s) => FULFILLED.includes(s))).toBe(true);
    expect(statuses).toContain('terlambat');
    expect(statuses.some((s) => PENDING.includes(s))).toBe(true);
    // The fulfilled ones are linked to the demo datasets; the scheduled one counts as under review.
    const ipm = items.find((i) => i.name.startsWith('Indeks Pembangunan Manusia'))!;
    expect(ipm.dataset).toMatchObject({ slug: 'indeks-pembangunan-manusia-ipm-provinsi-lampung', visible: true });
    expect(FULFILLED).toContain(ipm.status);
    expect(items.find((i) => i.name === 'Kepadatan Penduduk Kabupaten/Kota')!).toMatchObject({ status: 'dalam_pemeriksaan', dataset: { visible: false } });
    // Every OPD of the demo has something on the list, linked by its own producer.
    expect(new Set(items.map((i) => i.organization.slug))).toEqual(new Set(['bappeda', 'biro-organisasi', 'disdukcapil', 'dinkes', 'disdikbud', 'dinsos']));
    const links = await t.svc.db('audit_events').where({ action: 'data_list.link' }).pluck('actor_label');
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((e: string) => e.endsWith('@demo.satudata.id') && e !== 'walidata@demo.satudata.id')).toBe(true);
  });

  it('has public requests in every state, answered by the OPDs they were routed to', async () => {
    const res = await request(t.app).get('/api/v1/requests').query({ per_page: 100 }).expect(200);
    const states = new Set(res.body.data.map((r: { state: string }) => r.state));
    for (const s of ['baru', 'diteruskan', 'direncanakan', 'terpenuhi', 'ditolak', 'tersedia_di_tempat_lain']) expect(states).toContain(s);
    const refused = res.body.data.find((r: { state: string }) => r.state === 'ditolak');
    expect(refused.answer.text).toMatch(/Pelindungan Data Pribadi/);
    const met = res.body.data.find((r: { state: string }) => r.state === 'terpenuhi');
    expect(met.answer.dataset.slug).toBe('jumlah-penduduk-dan-luas-wilayah-kabupaten-kota-di-provinsi-lampung');
    const elsewhere = res.body.data.find((r: { state: string }) => r.state === 'tersedia_di_tempat_lain');
    expect(elsewhere.answer.url).toBe('https://lampung.bps.go.id/');
    expect(JSON.stringify(res.body)).not.toMatch(/@example\.com/);
    // The walidata's inbox holds only what still waits: requests not yet routed (and the OPDs' answers).
    const waiting = await t.svc.db('notifications as n').join('users as u', 'u.id', 'n.user_id').join('data_requests as r', t.svc.db.raw("r.id = (n.details->>'request_id')::int"))
      .where({ 'u.email': 'walidata@demo.satudata.id', 'n.kind': 'request' }).whereNull('n.read_at').select('r.state', 'r.kind');
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((w: { state: string; kind: string }) => w.state === 'baru' || w.kind === 'masukan')).toBe(true);
  });

  it('shows them on the public pages and the walidata’s dashboard', async () => {
    const list = await request(t.app).get('/daftar-data').query({ tahun: YEAR }).expect(200);
    expect(list.text).toContain('Cakupan Imunisasi Dasar Lengkap');
    expect(list.text).toContain('Indeks Pembangunan Manusia (IPM) Provinsi Lampung');
    const cal = await request(t.app).get('/jadwal').expect(200);
    expect(cal.text).toContain('Kepadatan Penduduk Kabupaten/Kota di Provinsi Lampung 2025');
    const ics = await request(t.app).get('/jadwal.ics').expect(200);
    expect(ics.text).toContain('Kepadatan Penduduk');
    const opd = await request(t.app).get('/opd').query({ tahun: YEAR }).expect(200);
    for (const name of ['Bappeda', 'Disdukcapil', 'Dinsos']) expect(opd.text).toContain(name);
    const asks = await request(t.app).get('/permintaan').expect(200);
    expect(asks.text).toContain('Daftar nama penerima PKH di Bandar Lampung');
    expect(asks.text).toContain('Jumlah UMKM per kabupaten/kota');
    const walidata = await signedIn(t.app, 'walidata@demo.satudata.id', PASSWORD);
    const manage = await walidata.get('/manage').expect(200);
    expect(manage.text).toContain('Kepadatan Penduduk Kabupaten/Kota di Provinsi Lampung 2025');
  });

  it('starts every custodian’s inbox without unread notices of submissions already decided', async () => {
    const stale = await t.svc.db('notifications as n')
      .join('users as u', 'u.id', 'n.user_id')
      .join('versions as v', 'v.id', 'n.version_id')
      .whereIn('u.role', ['walidata', 'pembina', 'admin'])
      .whereIn('n.kind', ['submitted', 'verified'])
      .whereNull('n.read_at')
      .whereNotIn('v.state', ['submitted', 'verified'])
      .select('u.email', 'n.kind', 'v.state');
    expect(stale).toEqual([]);
    // What the walidata's inbox does show is real work: requests still to route, and answers.
    const unread = await t.svc.db('notifications as n').join('users as u', 'u.id', 'n.user_id').where('u.email', 'walidata@demo.satudata.id').whereNull('n.read_at').pluck('n.kind');
    expect(new Set(unread)).toEqual(new Set(['request', 'request_answered']));
  });

  it('loads again without making anything twice', async () => {
    const again = await loadDemo(t.svc, PASSWORD, { year: YEAR });
    expect(again).toEqual({ organizations: 0, users: 0, datasets: 0, data_list_items: 0, requests: 0 });
  });
});
