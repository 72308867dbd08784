import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
import Parser from 'rss-parser';
import request from 'supertest';

// ical.js ships a CommonJS build beside its module; its types are the module's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof ICALModule;
import { perform } from '../../server/actions/action';
import { publishVersionNow, reviewVersion, submitVersion, unscheduleVersion } from '../../server/actions/versions';
import { AppError } from '../../server/errors';
import { publishDue } from '../../server/jobs/releases';
import { makeDataset, publishedDataset, SMALL_CSV, uploadContent } from '../support/factories';
import { testWorld } from '../support/world';

const t = testWorld();

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

/** A dataset with a submitted version 1 (not yet published). */
async function submitted(fields: Record<string, unknown> = {}) {
  const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, fields);
  const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, SMALL_CSV);
  await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v.number }, t.svc);
  return { ds, v };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const got = await fn();
    if (got) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const status = async (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => (e instanceof AppError ? e.status : 500));

describe('a scheduled release', () => {
  it('stays invisible to the public everywhere until its time, then is published once, by the system', async () => {
    const { ds, v } = await submitted();
    const out = await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve', comment: 'Terbit pekan depan', publish_at: inSeconds(2) }, t.svc);
    expect(out.state).toBe('scheduled');
    const row = await t.svc.db('versions').where({ id: v.id }).first();
    expect(row.publish_at).not.toBeNull();
    expect(row.scheduled_by).toBe(t.w.walidata.actor.id);
    for (const path of [`/dataset/${ds.slug}`, `/dataset/${ds.slug}/download.csv`, `/api/v1/datasets/${ds.slug}`, `/api/v1/datasets/${ds.slug}/rows`, `/api/v1/datasets/${ds.slug}/versions/1`]) {
      await request(t.app).get(path).expect(404);
    }
    expect((await request(t.app).get('/api/v1/datasets').query({ q: ds.title })).body.data).toEqual([]);
    // The calendar announces it (title, OPD, time) without a link to data that is not public yet.
    const cal = await request(t.app).get('/api/v1/releases').expect(200);
    const entry = cal.body.data.find((x: { dataset: { slug: string } }) => x.dataset.slug === ds.slug);
    expect(entry).toMatchObject({ status: 'scheduled', version: 1, url: null });

    // Ten sweeps at once, as from many processes: one publication, one audit event.
    await until('the release time', async () => (await t.svc.db.raw('SELECT now() >= ?::timestamptz AS due', [row.publish_at])).rows[0].due);
    const counts = await Promise.all(Array.from({ length: 10 }, () => publishDue(t.svc)));
    const published = await t.svc.db('versions').where({ id: v.id }).first();
    expect(published.state).toBe('published');
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const events = await t.svc.db('audit_events').where({ version_id: v.id, action: 'version.publish_scheduled' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: null, actor_label: 'sistem:jadwal-rilis' });
    expect(events[0].details).toMatchObject({ from: 'scheduled', to: 'published' });
    expect(new Date(published.published_at).getTime()).toBeGreaterThanOrEqual(new Date(row.publish_at).getTime());
    await request(t.app).get(`/dataset/${ds.slug}`).expect(200);
    expect((await request(t.app).get('/api/v1/datasets').query({ q: ds.title })).body.data).toHaveLength(1);
    const told = await t.svc.db('notifications').where({ version_id: v.id, kind: 'released', user_id: t.w.producer.actor.id });
    expect(told).toHaveLength(1);
  });

  it('keeps the published version public while the next one waits for its time', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, `${SMALL_CSV}1872,METRO,175000,2025\n`);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v2.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: 2, decision: 'approve', publish_at: inSeconds(3600) }, t.svc);
    const api = await request(t.app).get(`/api/v1/datasets/${ds.slug}`).expect(200);
    expect(api.body.data.current_version.number).toBe(1);
    expect(api.body.data.versions.map((x: { number: number }) => x.number)).toEqual([1]);
    const csv = await request(t.app).get(`/dataset/${ds.slug}/download.csv`).expect(200);
    expect(csv.text).not.toContain('METRO');
    await request(t.app).get(`/dataset/${ds.slug}/download.csv?version=2`).expect(404);
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/2/rows`).expect(404);
    // Its OPD sees it waiting; a producer may not change the approved metadata meanwhile.
    const own = await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/2`).set(await t.bearer(t.w.producer)).expect(200);
    expect(own.body.data.state).toBe('scheduled');
    const calendar = await request(t.app).get('/jadwal').expect(200);
    expect(calendar.text).toContain(ds.title);
    expect(await publishDue(t.svc)).toBe(0);
  });

  it('can be taken off the calendar (back to the queue) or published at once, by the walidata only', async () => {
    const { ds, v } = await submitted();
    const ref = { slug: ds.slug, number: v.number };
    await perform(reviewVersion, t.w.walidata.actor, { ...ref, decision: 'approve', publish_at: inSeconds(3600) }, t.svc);
    expect(await status(perform(unscheduleVersion, t.w.producer.actor, ref, t.svc))).toBe(403);
    expect(await status(perform(publishVersionNow, t.w.pembina.actor, ref, t.svc))).toBe(404);
    expect(await status(perform(unscheduleVersion, null, ref, t.svc))).toBe(404);
    await perform(unscheduleVersion, t.w.walidata2.actor, { ...ref, reason: 'Tunggu rilis BPS' }, t.svc);
    const back = await t.svc.db('versions').where({ id: v.id }).first();
    expect(back).toMatchObject({ state: 'submitted', publish_at: null });
    expect(await status(perform(publishVersionNow, t.w.walidata.actor, ref, t.svc))).toBe(409);
    await perform(reviewVersion, t.w.walidata.actor, { ...ref, decision: 'approve', publish_at: inSeconds(3600) }, t.svc);
    await perform(publishVersionNow, t.w.walidata.actor, ref, t.svc);
    expect((await t.svc.db('versions').where({ id: v.id }).first()).state).toBe('published');
    expect((await t.svc.db('datasets').where({ id: ds.id }).first()).current_version_id).toBe(v.id);
    const actions = await t.svc.db('audit_events').where({ version_id: v.id }).orderBy('id').pluck('action');
    expect(actions.slice(-4)).toEqual(['version.review', 'version.unschedule', 'version.review', 'version.publish_now']);
  });

  it('refuses a time in the past, and a time with anything but an approval', async () => {
    const { ds, v } = await submitted();
    const ref = { slug: ds.slug, number: v.number };
    expect(await status(perform(reviewVersion, t.w.walidata.actor, { ...ref, decision: 'approve', publish_at: new Date(Date.now() - 3_600_000).toISOString() }, t.svc))).toBe(400);
    expect(await status(perform(reviewVersion, t.w.walidata.actor, { ...ref, decision: 'request_changes', comment: 'x', publish_at: inSeconds(60) }, t.svc))).toBe(400);
    expect((await t.svc.db('versions').where({ id: v.id }).first()).state).toBe('submitted');
  });

  it('for priority data: the pembina approves at the walidata’s time, still sees the version, and unscheduling returns it to the pembina', async () => {
    const { ds, v } = await submitted({ prioritas: true });
    const ref = { slug: ds.slug, number: v.number };
    const at = inSeconds(7200);
    expect((await perform(reviewVersion, t.w.walidata.actor, { ...ref, decision: 'approve', publish_at: at }, t.svc)).state).toBe('verified');
    expect((await perform(reviewVersion, t.w.pembina.actor, { ...ref, decision: 'approve' }, t.svc)).state).toBe('scheduled');
    expect(new Date((await t.svc.db('versions').where({ id: v.id }).first()).publish_at).toISOString()).toBe(at);
    const pembina = await t.bearer(t.w.pembina);
    expect((await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1`).set(pembina).expect(200)).body.data.state).toBe('scheduled');
    await perform(unscheduleVersion, t.w.walidata.actor, ref, t.svc);
    expect((await t.svc.db('versions').where({ id: v.id }).first()).state).toBe('verified');
    await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1`).set(pembina).expect(200);
  });

  it('is scheduled through the API with publish_at, and listed by /api/v1/releases', async () => {
    const { ds } = await submitted();
    const at = inSeconds(86_400);
    const res = await request(t.app).post(`/api/v1/datasets/${ds.slug}/versions/1/review`).set(await t.bearer(t.w.walidata)).send({ decision: 'approve', publish_at: at, comment: 'Jadwal' }).expect(200);
    expect(res.body.data.state).toBe('scheduled');
    expect(new Date(res.body.data.publish_at).toISOString()).toBe(at);
    const list = await request(t.app).get('/api/v1/releases').query({ from: new Date().toISOString(), to: inSeconds(2 * 86_400) }).expect(200);
    expect(list.body.data.map((x: { dataset: { slug: string } }) => x.dataset.slug)).toContain(ds.slug);
    const past = await request(t.app).get('/api/v1/releases').query({ from: '2020-01-01', to: '2020-12-31' }).expect(200);
    expect(past.body.data).toEqual([]);
  });
});

describe('the release calendar’s feeds', () => {
  it('carries scheduled and recent releases as iCal and Atom that real parsers read, with hostile titles as text', async () => {
    const { ds } = await submitted({ title: 'Rilis <script>alert(1)</script> & ]]> uji' });
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: 1, decision: 'approve', publish_at: inSeconds(3 * 86_400) }, t.svc);
    const ics = await request(t.app).get('/jadwal.ics').expect(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    const comp = new ICAL.Component(ICAL.parse(ics.text));
    const events = comp.getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
    // Other files of the run publish hostile titles too: this test's own title ends "& ]]> uji".
    const mine = events.find((e) => e.summary.includes('<script>alert(1)</script> & ]]> uji'));
    expect(mine).toBeDefined();
    expect(mine!.summary).toContain('Rilis terjadwal');
    const atom = await request(t.app).get('/feeds/releases.atom').expect(200);
    expect(atom.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const feed = await new Parser().parseString(atom.text);
    // rss-parser hands the title over with its entities: this test's own ends "]]&gt; uji".
    const item = feed.items.find((i) => /alert\(1\).*\]\]&gt; uji/.test(i.title ?? ''));
    expect(item).toBeDefined();
    expect(atom.text).not.toContain('<script>');
    const page = await request(t.app).get('/jadwal').expect(200);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
