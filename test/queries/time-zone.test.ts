// The server process (the whole test run, see global-setup.ts) and the database session here both
// run in zones far from the portal's, so any date that follows either of them instead of
// TIME_ZONE shows up as a wrong day.
import type { HelperOptions } from 'handlebars';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { searchAudit } from '../../server/queries/audit';
import { helpers } from '../../server/views/helpers';
import { makeWorld, uid, type World } from '../support/factories';
import { signedIn } from '../support/http';
import { testServices, type TestServices } from '../support/services';

/** The run's database with every session in UTC+14. */
function farEastUrl(): string {
  const u = new URL(process.env.SATUDATA_TEST_DB!);
  u.searchParams.set('options', '-c TimeZone=Pacific/Kiritimati');
  return u.toString();
}

let svc: TestServices;
let w: World;
const label = `zona-${uid()}`;
// 23:30 WIB on 9 March and 00:30 WIB on 10 March 2025 (16:30 and 17:30 UTC on 9 March).
const LATE = '2025-03-09T16:30:00Z';
const AFTER_MIDNIGHT = '2025-03-09T17:30:00Z';

beforeAll(async () => {
  svc = testServices({ url: farEastUrl() });
  w = await makeWorld(svc);
  expect((await svc.db.raw('SHOW TimeZone')).rows[0].TimeZone).toBe('Pacific/Kiritimati');
  expect(new Date(LATE).getUTCHours() - new Date(LATE).getHours()).not.toBe(0); // the process is not in UTC
  for (const [at, action] of [[LATE, 'zona.late'], [AFTER_MIDNIGHT, 'zona.after_midnight']]) {
    await svc.db('audit_events').insert({ at, actor_label: label, action, target_type: 'test', details: '{}' });
  }
});
afterAll(() => svc.close());

const actions = async (from: string, to: string, timeZone = 'Asia/Jakarta') =>
  (await searchAudit(svc.db, { actor: label, from, to, page: 1, per_page: 50, timeZone })).rows.map((r) => r.action).sort();

describe('one time-zone rule: stored in UTC, filtered and shown in the portal’s zone', () => {
  it('filters the audit log by days of the portal’s zone, whatever the zones of the server and the database', async () => {
    expect(await actions('2025-03-10', '2025-03-10')).toEqual(['zona.after_midnight']);
    expect(await actions('2025-03-09', '2025-03-09')).toEqual(['zona.late']);
    expect(await actions('2025-03-09', '2025-03-10')).toEqual(['zona.after_midnight', 'zona.late']);
  });

  it('follows the TIME_ZONE setting (WIT, UTC+9: both times fall on 10 March)', async () => {
    expect(await actions('2025-03-10', '2025-03-10', 'Asia/Jayapura')).toEqual(['zona.after_midnight', 'zona.late']);
  });

  it('shows the audit log’s times and days in the portal’s zone', async () => {
    const admin = await signedIn(createApp(svc), w.admin.email, w.admin.password);
    const page = (await admin.get(`/admin/audit?actor=${label}&from=2025-03-10&to=2025-03-10`).expect(200)).text;
    const table = page.slice(page.indexOf('<tbody'), page.indexOf('</tbody>'));
    expect(table).toMatch(/10 Mar 2025, 00\.30/);
    expect(table).toContain('zona.after_midnight');
    expect(table).not.toContain('zona.late');
  });

  it('shows times in the portal’s zone and calendar dates as they are, in the page helpers', () => {
    const page = (timeZone: string) => ({ data: { root: { lang: 'id', timeZone } } }) as unknown as HelperOptions;
    expect(helpers.datetime(AFTER_MIDNIGHT, page('Asia/Jakarta'))).toBe('10 Mar 2025, 00.30');
    expect(helpers.datetime(AFTER_MIDNIGHT, page('Asia/Makassar'))).toBe('10 Mar 2025, 01.30');
    expect(helpers.date(LATE, page('Asia/Jakarta'))).toBe('9 Mar 2025');
    expect(helpers.date(AFTER_MIDNIGHT, page('Asia/Jakarta'))).toBe('10 Mar 2025');
    // A due date is a calendar day: the same day in every zone, those west of UTC included.
    expect(helpers.date('2025-03-31', page('Asia/Jayapura'))).toBe('31 Mar 2025');
    expect(helpers.date('2025-03-31', page('America/Los_Angeles'))).toBe('31 Mar 2025');
  });

  it('refuses a TIME_ZONE that is not a zone', () => {
    expect(() => loadConfig({ TIME_ZONE: 'Jakarta/Lampung' })).toThrow(/TIME_ZONE/);
    expect(loadConfig({}).timeZone).toBe('Asia/Jakarta');
  });
});
