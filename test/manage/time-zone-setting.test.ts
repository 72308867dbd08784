// TIME_ZONE is the one source of the portal's zone: run with Central Indonesia Time (WITA,
// UTC+8) instead of the default WIB, every day, time and zone name the portal shows or reads
// follows it — the release calendar and its feeds, a scheduled publication typed in the review
// form, the inbox, usage counted per day. (The test process itself runs in Pacific/Honolulu.)
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { addDays, endOfLocalDay, fromLocalTime, localDay, startOfLocalDay, zoneLabel } from '../../server/manage/calendar';
import { usageByDay } from '../../server/queries/usage';
import { makeDataset, publishedDataset, SMALL_CSV, uploadContent } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { testWorld } from '../support/world';

const t = testWorld({ env: { TIME_ZONE: 'Asia/Makassar' } });

// A day ten days ahead, and 16:30 UTC on it: 23:30 WIB the same day, 00:30 WITA the next.
const D = addDays(new Date().toISOString().slice(0, 10), 10);
const AT = `${D}T16:30:00.000Z`;
const NEXT = addDays(D, 1);

async function submitted() {
  const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
  const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
  await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
  return { ds, v };
}

describe('the calendar in a zone it is told', () => {
  it('turns instants into days and days into instants in that zone, without a fixed offset', () => {
    expect(localDay(new Date(AT), 'Asia/Jakarta')).toBe(D);
    expect(localDay(new Date(AT), 'Asia/Makassar')).toBe(NEXT);
    expect(startOfLocalDay('2025-03-10', 'Asia/Makassar').toISOString()).toBe('2025-03-09T16:00:00.000Z');
    expect(endOfLocalDay('2025-03-10', 'Asia/Jayapura').toISOString()).toBe('2025-03-10T14:59:59.999Z');
    expect(fromLocalTime('2025-03-10T10:00', 'Asia/Makassar').toISOString()).toBe('2025-03-10T02:00:00.000Z');
    // A zone with summer time: the offset of the day itself, on both sides of the change.
    expect(fromLocalTime('2025-03-29T12:00', 'Europe/Berlin').toISOString()).toBe('2025-03-29T11:00:00.000Z');
    expect(fromLocalTime('2025-03-31T12:00', 'Europe/Berlin').toISOString()).toBe('2025-03-31T10:00:00.000Z');
    expect(Number.isNaN(fromLocalTime('2025-13-40T99:00', 'Asia/Makassar').getTime())).toBe(true);
  });

  it('names Indonesia’s zones as readers do', () => {
    expect(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'].map((z) => zoneLabel(z, 'id'))).toEqual(['WIB', 'WITA', 'WIT']);
    expect(zoneLabel('Asia/Makassar', 'en')).toBe('WITA (UTC+8)');
  });
});

describe('a portal run with TIME_ZONE=Asia/Makassar', () => {
  it('schedules, lists and announces a release in WITA', async () => {
    const { ds, v } = await submitted();
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve', publish_at: AT }, t.svc);

    // A day of the API's filter is a WITA day: 16:30 UTC on D is on the next day there.
    const on = async (day: string) => (await request(t.app).get('/api/v1/releases').query({ from: day, to: day }).expect(200)).body.data.map((x: { dataset: { slug: string } }) => x.dataset.slug);
    expect(await on(NEXT)).toContain(ds.slug);
    expect(await on(D)).not.toContain(ds.slug);

    const page = (await request(t.app).get('/jadwal').query({ bulan: NEXT.slice(0, 7) }).expect(200)).text;
    expect(page).toContain('Waktu dalam WITA.');
    expect(page).not.toContain('WIB');
    const ics = (await request(t.app).get('/jadwal.ics').expect(200)).text;
    expect(ics).toContain('Asia/Makassar');
    expect(ics).not.toContain('Asia/Jakarta');
    const atom = (await request(t.app).get('/feeds/releases.atom').expect(200)).text;
    const when = new Intl.DateTimeFormat('id-ID', { dateStyle: 'full', timeStyle: 'short', timeZone: 'Asia/Makassar' }).format(new Date(AT));
    expect(when).toContain('00.30');
    expect(atom).toContain(`Terjadwal terbit ${when} WITA`);

    // The producer is told the time in WITA; the reviewer's page says it too.
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const inbox = (await producer.get('/inbox').expect(200)).text;
    expect(inbox).toMatch(/00\.30 WITA/);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const review = (await walidata.get(`/review/${ds.slug}/${v.number}`).expect(200)).text;
    expect(review).toMatch(/00\.30 WITA/);
  });

  it('reads the time typed in the review form as a WITA time', async () => {
    const { ds, v } = await submitted();
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const form = (await walidata.get(`/review/${ds.slug}/${v.number}`).expect(200)).text;
    expect(form).toContain('Waktu dalam WITA');
    await walidata
      .post(`/review/${ds.slug}/${v.number}`)
      .type('form')
      .send({ _csrf: csrfFrom(form), decision: 'approve', confirm_checklist: 'on', comment: '', override_reason: 'Uji zona waktu', publish_at_local: `${D}T10:00` })
      .expect(303);
    const row = await t.svc.db('versions').where({ id: v.id }).first();
    expect(row.state).toBe('scheduled');
    expect(new Date(row.publish_at).toISOString()).toBe(`${D}T02:00:00.000Z`);
  });

  it('counts a view on its WITA day', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    t.svc.usage.view(ds.id, 'page', new Date(AT));
    await t.svc.usage.flush();
    expect(await usageByDay(t.svc.db, { datasetId: ds.id, from: D, to: NEXT })).toEqual([{ day: NEXT, views: 1, downloads: 0 }]);
  });
});
