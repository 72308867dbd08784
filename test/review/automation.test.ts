import request from 'supertest';
import { testWorld } from '../support/world';
import { perform } from '../../server/actions/action';
import { createServiceAccount } from '../../server/actions/service-accounts';
import { updateDataset } from '../../server/actions/datasets';
import { publishedDataset, makeDataset, uid } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';

// auto_submit and auto_publish (issue 12), end to end: a version pushed by an OPD application's
// service account over HTTP, loaded by the real loader, submitted and judged by the portal.

const t = testWorld();
jest.setTimeout(120_000);

const COMPLETE = {
  description: 'Jumlah penduduk per kabupaten/kota',
  source: 'Disdukcapil Provinsi Lampung',
  metadata: { nama_indikator: 'Jumlah penduduk', konsep: 'Penduduk', definisi: 'Orang yang berdomisili', metode_perhitungan: 'Registrasi', ukuran: 'Jumlah', satuan: 'Jiwa', level_estimasi: 'Kabupaten/kota' },
};
const HEADER = 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah,tahun\n';
const Y2024 = '1801,LAMPUNG BARAT,313756,2024\n1871,BANDAR LAMPUNG,1077664,2024\n';
const Y2025 = '1801,LAMPUNG BARAT,315002,2025\n1871,BANDAR LAMPUNG,1081234,2025\n';

/** A published dataset (2024) with complete metadata, a service account for it, and its bearer header. */
async function setUp(fields: Record<string, unknown> = {}) {
  const { ds } = await publishedDataset(t.svc, t.w, HEADER + Y2024, { ...COMPLETE, ...fields });
  const sa = await perform(createServiceAccount, t.w.admin.actor, { slug: `otomatis-${uid()}`, name: 'Aplikasi SIAK', org: t.w.opd.slug, datasets: [ds.slug] }, t.svc);
  return { ds, auth: { Authorization: `Bearer ${sa.token}` }, sa };
}
const push = async (slug: string, auth: Record<string, string>, csv: string) => {
  const res = await request(t.app).post(`/api/v1/datasets/${slug}/versions`).set(auth).attach('file', Buffer.from(csv), 'push.csv');
  expect([201, 202]).toContain(res.status);
  return res.body.data.number as number;
};
const stateOf = async (datasetId: number, number: number) => (await t.svc.db('versions').where({ dataset_id: datasetId, number }).first()).state as string;
const patch = async (who: { email: string; password: string }, slug: string, body: Record<string, unknown>) =>
  request(t.app).patch(`/api/v1/datasets/${slug}`).set(await t.bearer(who)).send(body);

describe('auto_submit and auto_publish', () => {
  it('puts a pushed version that loads cleanly straight into the walidata’s queue when auto_submit is on (and leaves it a draft when off)', async () => {
    const { ds, auth } = await setUp();
    const off = await push(ds.slug, auth, HEADER + Y2024 + Y2025);
    expect(await stateOf(ds.id, off)).toBe('draft');
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions/${off}/submit`).set(auth).expect(200);
    await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions/${off}/withdraw`).set(await t.bearer(t.w.producer)).expect(200);
    await (await patch(t.w.producer, ds.slug, { auto_submit: true })).body;
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).auto_submit).toBe(true);
    const n = await push(ds.slug, auth, `${HEADER + Y2024 + Y2025}1802,TANGGAMUS,1,2025\n`);
    // Another version (the withdrawn draft) is not under review, so this one goes in.
    expect(await stateOf(ds.id, n)).toBe('submitted');
    const queue = await request(t.app).get('/api/v1/review-queue').set(await t.bearer(t.w.walidata)).expect(200);
    expect(queue.body.data.some((i: { dataset: { slug: string } | string; number?: number }) => JSON.stringify(i).includes(ds.slug))).toBe(true);
    const event = await t.svc.db('audit_events').where({ dataset_id: ds.id, action: 'version.submit' }).orderBy('id', 'desc').first();
    expect(event.actor_label).toBe('sistem:otomatis');
    // A version with errors stays a draft.
    const bad = await push(ds.slug, auth, `${HEADER}1801,LAMPUNG BARAT,banyak sekali,2026\n9999,TIDAK ADA,5,2026\n`);
    expect(await stateOf(ds.id, bad)).not.toBe('submitted');
  });

  it('publishes, as the system, a version that only adds rows of a new period, keeping the diff in the audit trail', async () => {
    const { ds, auth } = await setUp();
    expect((await patch(t.w.walidata, ds.slug, { auto_submit: true, auto_publish: true })).status).toBe(200);
    const n = await push(ds.slug, auth, HEADER + Y2024 + Y2025);
    expect(await stateOf(ds.id, n)).toBe('published');
    const d = await t.svc.db('datasets').where({ id: ds.id }).first();
    expect(d.current_version_id).toBe((await t.svc.db('versions').where({ dataset_id: ds.id, number: n }).first()).id);
    expect(await stateOf(ds.id, 1)).toBe('superseded');
    const event = await t.svc.db('audit_events').where({ dataset_id: ds.id, action: 'version.auto_publish' }).first();
    expect(event.actor_label).toBe('sistem:otomatis');
    expect(event.details).toMatchObject({ published: true, to: 'published', period_column: 'tahun', new_periods: ['2025'], diff: { against: 1, columns: { added: [], removed: [], retyped: [] }, rows: { added: 2, removed: 0, changed: 0 } } });
    // The public sees the new rows at once.
    const rows = await request(t.app).get(`/api/v1/datasets/${ds.slug}/rows`).expect(200);
    expect(rows.body.meta.total).toBe(4);
    const review = await t.svc.db('reviews').join('versions', 'versions.id', 'reviews.version_id').where({ 'versions.dataset_id': ds.id, 'versions.number': n }).first('reviews.*');
    expect([review.decision, review.author_id]).toEqual(['approve', null]);
  });

  it('leaves a version that changes a published row in the queue, with a note why', async () => {
    const { ds, auth } = await setUp();
    await patch(t.w.walidata, ds.slug, { auto_submit: true, auto_publish: true });
    const n = await push(ds.slug, auth, HEADER + Y2024.replace('313756', '313757') + Y2025);
    expect(await stateOf(ds.id, n)).toBe('submitted');
    const event = await t.svc.db('audit_events').where({ dataset_id: ds.id, action: 'version.auto_publish' }).first();
    expect(event.details).toMatchObject({ published: false, reasons: ['rows_changed'], diff: { rows: { changed: 1, added: 2 } } });
    const note = await t.svc.db('reviews').join('versions', 'versions.id', 'reviews.version_id').where({ 'versions.dataset_id': ds.id, 'versions.number': n }).first('reviews.*');
    expect([note.decision, note.comment]).toEqual(['comment', expect.stringContaining('rows_changed')]);
    // Rows of a period already published are not "new periods" either.
    const { ds: ds2, auth: auth2 } = await setUp();
    await patch(t.w.walidata, ds2.slug, { auto_submit: true, auto_publish: true });
    const m = await push(ds2.slug, auth2, `${HEADER + Y2024}1802,TANGGAMUS,600000,2024\n`);
    expect(await stateOf(ds2.id, m)).toBe('submitted');
    expect((await t.svc.db('audit_events').where({ dataset_id: ds2.id, action: 'version.auto_publish' }).first()).details.reasons).toEqual(['old_periods']);
    // The walidata sees the note on the review page.
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    expect((await walidata.get(`/review/${ds.slug}/${n}`).expect(200)).text).toContain('rows_changed');
  });

  it('refuses auto_publish for prioritas data and to producers; turning prioritas on clears it', async () => {
    const { ds: prio } = await setUp({ prioritas: true });
    const refused = await patch(t.w.walidata, prio.slug, { auto_publish: true });
    expect(refused.status).toBe(409);
    expect((await t.svc.db('datasets').where({ id: prio.id }).first()).auto_publish).toBe(false);
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    expect((await patch(t.w.producer, ds.slug, { auto_publish: true })).status).toBe(403);
    expect((await patch(t.w.producer, ds.slug, { auto_submit: true, title: 'Dengan otomatisasi' })).status).toBe(200);
    expect((await patch(t.w.walidata, ds.slug, { auto_publish: true })).status).toBe(200);
    await perform(updateDataset, t.w.walidata.actor, { slug: ds.slug, prioritas: true }, t.svc);
    const after = await t.svc.db('datasets').where({ id: ds.id }).first();
    expect([after.prioritas, after.auto_publish, after.auto_submit, after.title]).toEqual([true, false, true, 'Dengan otomatisasi']);
    const event = await t.svc.db('audit_events').where({ dataset_id: ds.id, action: 'dataset.update' }).orderBy('id', 'desc').first();
    expect(event.details.access.auto_publish).toEqual({ from: true, to: false });
  });

  it('is shown and set on the dataset’s workspace page (the walidata’s switch disabled for the producer)', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const page = await producer.get(`/dashboard/datasets/${ds.slug}`).expect(200);
    expect(page.text).toContain('id="otomatis"');
    expect(page.text).toMatch(/name="auto_publish"[^>]* disabled/);
    const csrf = csrfFrom(page.text);
    await producer.post(`/dashboard/datasets/${ds.slug}/automation`).type('form').send({ has_auto_submit: '1', auto_submit: 'on' }).expect(403);
    await producer.post(`/dashboard/datasets/${ds.slug}/automation`).type('form').send({ _csrf: csrf, has_auto_submit: '1', auto_submit: 'on', has_auto_publish: '1', auto_publish: 'on' }).expect(403);
    // The producer's forged auto_publish is refused as a whole: nothing changed.
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).auto_submit).toBe(false);
    await producer.post(`/dashboard/datasets/${ds.slug}/automation`).type('form').send({ _csrf: csrf, has_auto_submit: '1', auto_submit: 'on' }).expect(303);
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).auto_submit).toBe(true);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const wpage = await walidata.get(`/dashboard/datasets/${ds.slug}?lang=en`).expect(200);
    expect(wpage.text).not.toMatch(/name="auto_publish"[^>]* disabled/);
  });
});
