import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { createDataListItem, linkDataListItem } from '../../server/actions/datalist';
import { remindOrganization } from '../../server/actions/reminders';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { AppError } from '../../server/errors';
import { localDay } from '../../server/manage/calendar';
import { makeDataset, makeOrg, makeUser, SMALL_CSV, uploadContent } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { testWorld } from '../support/world';

const t = testWorld();
const status = async (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => (e instanceof AppError ? e.status : 500));
const thisYear = Number(localDay(new Date(), 'Asia/Jakarta').slice(0, 4));
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('OPD scorecards on a crafted history', () => {
  it('count deliveries, lateness, publications and the review history of one OPD', async () => {
    const org = await makeOrg(t.svc, 'opd', 'Dinas Rapor Uji');
    const producer = await makeUser(t.svc, 'produsen', org.slug);
    // A list two years back: its deliveries are all past due today.
    const year = thisYear - 1;
    const onTime = await perform(createDataListItem, t.w.walidata.actor, { year, name: 'Belum pernah', organization: org.slug, frequency: 'tahunan' }, t.svc);
    const late = await perform(createDataListItem, t.w.walidata.actor, { year, name: 'Terbit terlambat', organization: org.slug, frequency: 'tahunan' }, t.svc);
    void onTime;
    const ds = await makeDataset(t.svc, producer, org.slug);
    await perform(linkDataListItem, producer.actor, { id: late.id, dataset: ds.slug }, t.svc);
    const csv = SMALL_CSV.replace(/2025/g, String(year - 1));
    const v1 = await uploadContent(t.svc, producer.actor, ds.slug, csv);
    await perform(submitVersion, producer.actor, { slug: ds.slug, number: v1.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v1.number, decision: 'request_changes', comment: 'Satuan?' }, t.svc);
    await perform(submitVersion, producer.actor, { slug: ds.slug, number: v1.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v1.number, decision: 'approve', comment: 'ok' }, t.svc);

    const res = await request(t.app).get('/api/v1/scorecards').query({ year }).expect(200);
    const card = res.body.data.find((x: { organization: { slug: string } }) => x.organization.slug === org.slug);
    expect(card).toMatchObject({ items: 2, deliveries: 2, delivered: 1, on_time: 0, late: 2, overdue: 1, on_time_rate: 0 });
    // Published and decided this year, not in the list's year.
    expect(card.published).toBe(0);
    expect(card.changes_requested_rate).toBeNull();
    const now = await request(t.app).get('/api/v1/scorecards').query({ year: thisYear }).expect(200);
    const current = now.body.data.find((x: { organization: { slug: string } }) => x.organization.slug === org.slug);
    expect(current).toMatchObject({ items: 0, published: 1, changes_requested_rate: 50 });
    expect(current.avg_review_days).toBeGreaterThanOrEqual(0);
    expect(current.avg_review_days).toBeLessThan(1);
    expect(typeof current.avg_quality).toBe('number');

    const page = await request(t.app).get('/opd').query({ tahun: year, urut: 'late', arah: 'desc' }).expect(200);
    expect(page.text).toContain('data-scorecard');
    expect(page.text).toContain('Dinas Rapor Uji');
    expect(page.text).toContain('aria-sort="descending"');
    const one = await request(t.app).get(`/opd/${org.slug}`).query({ tahun: year }).expect(200);
    expect(one.text).toContain('Terbit terlambat');
    expect(one.text).toContain('Triwulan 4');

    const exported = await request(t.app).get('/opd.csv').query({ tahun: year }).expect(200);
    expect(exported.headers['content-type']).toMatch(/text\/csv/);
    const rows: string[][] = parse(exported.text.replace(/^\ufeff/, ''));
    expect(rows[0]).toEqual(['OPD', 'slug', 'Butir', 'Penyerahan', 'Terbit', 'Tepat waktu', 'Terlambat', 'Dataset terbit', 'Rerata kualitas', 'Rerata hari tinjauan', 'Diminta perbaikan', 'Ketepatan waktu']);
    expect(rows.find((r) => r[1] === org.slug)!.slice(2, 7)).toEqual(['2', '2', '1', '0', '2']);
    const xlsx = await request(t.app).get('/opd.xlsx').query({ tahun: year }).buffer(true).parse(binary).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(xlsx.body as Buffer).buffer);
    const sheet = wb.worksheets[0];
    const found = sheet.getSheetValues().find((r) => Array.isArray(r) && r[2] === org.slug) as unknown[];
    expect(found[7]).toBe(2);
  });

  it('shows the walidata what falls due in the next 30 days, apart from what is late, with a reminder per OPD', async () => {
    const org = await makeOrg(t.svc, 'opd', 'Dinas Tenggat Dekat Uji');
    // Monthly items of this year's and next year's lists: a delivery falls due in any 30 days.
    for (const year of [thisYear, thisYear + 1]) await perform(createDataListItem, t.w.walidata.actor, { year, name: 'Kunjungan bulanan uji', organization: org.slug, frequency: 'bulanan' }, t.svc);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const html = (await walidata.get('/manage').expect(200)).text;
    const section = (id: string) => html.slice(html.indexOf(`aria-labelledby="${id}"`), html.indexOf('</section>', html.indexOf(`aria-labelledby="${id}"`)));
    const due = section('due-h');
    expect(due).toContain('Dinas Tenggat Dekat Uji');
    expect(due).toContain('Kunjungan bulanan uji');
    expect(due).toContain(`name="organization" value="${org.slug}"`);
  });

  it('lets the walidata remind an OPD in one click (once an hour), and nobody else', async () => {
    const org = await makeOrg(t.svc, 'opd', 'Dinas Pengingat Uji');
    const producer = await makeUser(t.svc, 'produsen', org.slug);
    await perform(createDataListItem, t.w.walidata.actor, { year: thisYear - 1, name: 'Lewat tenggat', organization: org.slug, frequency: 'tahunan' }, t.svc);
    expect(await status(perform(remindOrganization, producer.actor, { organization: org.slug, year: thisYear - 1 }, t.svc))).toBe(403);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get('/manage/opd').query({ tahun: thisYear - 1 }).expect(200);
    expect(page.text).toContain('Ingatkan');
    await walidata.post('/manage/remind').type('form').send({ _csrf: csrfFrom(page.text), organization: org.slug, year: thisYear - 1, next: '/manage/opd' }).expect(303);
    const told = await t.svc.db('notifications').where({ user_id: producer.actor.id, kind: 'reminder' });
    expect(told).toHaveLength(1);
    expect(told[0].details).toMatchObject({ year: thisYear - 1, late: 1 });
    expect(await status(perform(remindOrganization, t.w.walidata2.actor, { organization: org.slug, year: thisYear - 1 }, t.svc))).toBe(409);
    const inbox = await signedIn(t.app, producer.email, producer.password);
    expect((await inbox.get('/inbox').expect(200)).text).toContain('1 terlambat');
    const dash = await walidata.get('/manage').expect(200);
    expect(dash.text).toContain('Lewat tenggat');
    const other = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    await other.get('/manage').expect(403);
    await other.get('/manage/opd').expect(403);
  });
});
