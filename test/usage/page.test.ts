import request from 'supertest';
import { addDays, localDay } from '../../server/manage/calendar';
import { canViewUsage } from '../../server/policies/usage';
import { systemActor } from '../../server/policies/actor';
import { usageSeries } from '../../server/presenters/usage';
import { publishedDataset, uid } from '../support/factories';
import { signedIn } from '../support/http';
import { testWorld } from '../support/world';

const t = testWorld();
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36';
const PAGE = '/manage/penggunaan';

/** The numbers a chart is drawn from, read back from its canvas's data attributes. */
function chartData(html: string): { labels: string[]; views: number[]; downloads: number[] } {
  const canvas = /<canvas data-usage([^>]*)>/.exec(html)![1];
  const attr = (name: string) => JSON.parse(new RegExp(` data-${name}="([^"]*)"`).exec(canvas)![1].replace(/&quot;/g, '"').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
  return { labels: attr('labels'), views: attr('views'), downloads: attr('downloads') };
}

describe('the walidata’s usage page', () => {
  it('is the custodian’s: the public signs in first, producers and the pembina are refused', async () => {
    const res = await request(t.app).get(PAGE).expect(302);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(PAGE)}`);
    const expected: Array<[keyof typeof t.w, number]> = [['producer', 403], ['pembina', 403], ['walidata', 200], ['admin', 200]];
    for (const [who, status] of expected) {
      const u = t.w[who] as { email: string; password: string };
      const agent = await signedIn(t.app, u.email, u.password);
      await agent.get(PAGE).expect(status);
    }
    expect(canViewUsage(systemActor)).toBe(false);
    expect(canViewUsage(null)).toBe(false);
  });

  it('shows views and downloads per day and per dataset, the top datasets and the searches that found nothing', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, undefined, { title: `Kunjungan Usaha ${uid()}` });
    const today = localDay(new Date(), t.svc.config.timeZone);
    // Three views and a download today, two views five days ago (as the recorder counts them).
    for (let i = 0; i < 3; i++) t.svc.usage.view(ds.id, 'page');
    t.svc.usage.download(ds.id, 'csv');
    const fiveDaysAgo = new Date(Date.now() - 5 * 86_400_000);
    t.svc.usage.view(ds.id, 'page', fiveDaysAgo);
    t.svc.usage.view(ds.id, 'page', fiveDaysAgo);
    // Searches that find nothing, one with an e-mail address and one with markup in it.
    const word = `zzusage${uid()}`;
    await request(t.app).get(`/dataset?q=${word}`).set('User-Agent', BROWSER).expect(200);
    await request(t.app).get(`/dataset?q=${word}`).set('User-Agent', BROWSER).expect(200);
    await request(t.app).get(`/dataset?q=${encodeURIComponent(`${word} budi@contoh.id`)}`).set('User-Agent', BROWSER).expect(200);
    await request(t.app).get(`/api/v1/datasets?q=${encodeURIComponent(`<img src=x onerror=alert(1)>${word}`)}`).expect(200);
    await t.svc.usage.flush();

    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get(PAGE).expect(200);
    // The chart: every one of the last 30 days, zero where nothing was counted.
    const chart = chartData(page.text);
    expect(chart.labels).toHaveLength(30);
    expect(chart.labels[29]).toBe(today);
    expect(chart.labels[0]).toBe(addDays(today, -29));
    expect(chart.views[29]).toBeGreaterThanOrEqual(3);
    expect(chart.views[24]).toBeGreaterThanOrEqual(2);
    // Per dataset.
    const row = new RegExp(`${ds.title}</a></td><td>[^<]*</td><td class="num">(\\d+)</td><td class="num">(\\d+)</td>`).exec(page.text);
    expect(row && [row[1], row[2]]).toEqual(['5', '1']);
    expect(page.text).toContain('Paling banyak dilihat');
    // The misses: counted by term, cleaned, escaped.
    const misses = page.text.slice(page.text.indexOf('id="miss-h"'));
    expect(misses).toMatch(new RegExp(`>${word}</a></td><td class="num">2</td>`));
    expect(misses).toContain(`${word} [email]`);
    expect(page.text).not.toContain('budi@contoh.id');
    expect(page.text).not.toContain('<img src=x');
    expect(misses).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(page.text).not.toMatch(/<script>(?!<\/script>)/); // no inline script (CSP)

    // One dataset over time; a year by month.
    const one = await walidata.get(PAGE).query({ dataset: ds.slug }).expect(200);
    const c1 = chartData(one.text);
    expect(c1.views[29]).toBe(3);
    expect(c1.views[24]).toBe(2);
    expect(c1.downloads[29]).toBe(1);
    expect(c1.views.reduce((a, b) => a + b, 0)).toBe(5);
    const year = chartData((await walidata.get(PAGE).query({ hari: 365, dataset: ds.slug }).expect(200)).text);
    expect(year.labels.every((l) => /^\d{4}-\d{2}$/.test(l))).toBe(true);
    expect(year.labels.length).toBeGreaterThanOrEqual(12);
    expect(year.views.reduce((a, b) => a + b, 0)).toBe(5);
    await walidata.get(PAGE).query({ dataset: 'tidak-ada-dataset-ini' }).expect(404);
    // An unknown period falls back to 30 days; the English page is complete.
    expect(chartData((await walidata.get(PAGE).query({ hari: 7 }).expect(200)).text).labels).toHaveLength(30);
    const en = await walidata.get(PAGE).set('Cookie', 'lang=en').expect(200);
    expect(en.text).toContain('Searched for, not found');
  });
});

describe('usageSeries', () => {
  it('gives every day of the period, zero where nothing was counted', () => {
    expect(usageSeries([{ day: '2026-03-02', views: 4, downloads: 1 }], '2026-03-01', '2026-03-03', 'day')).toEqual({
      labels: ['2026-03-01', '2026-03-02', '2026-03-03'],
      views: [0, 4, 0],
      downloads: [0, 1, 0],
    });
  });
  it('sums a long period by month, and ignores days outside it', () => {
    const s = usageSeries(
      [
        { day: '2026-01-31', views: 1, downloads: 0 },
        { day: '2026-02-01', views: 2, downloads: 1 },
        { day: '2026-02-28', views: 3, downloads: 0 },
        { day: '2027-01-01', views: 9, downloads: 9 },
      ],
      '2026-01-15',
      '2026-03-10',
      'month',
    );
    expect(s).toEqual({ labels: ['2026-01', '2026-02', '2026-03'], views: [1, 5, 0], downloads: [0, 1, 0] });
  });
});
