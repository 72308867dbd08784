import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../server/app';
import { perform } from '../../server/actions/action';
import { createDataListItem, linkDataListItem } from '../../server/actions/datalist';
import { localDay } from '../../server/manage/calendar';
import { launchChromium, listen } from '../support/browser';
import { makeWorld, publishedDataset, type World } from '../support/factories';
import { REGION_YEARS_CSV } from '../support/chart-data';
import { testServices, type TestServices } from '../support/services';

// The dataset page's API panel and related datasets, its head for search engines, and the
// organization page's publishing record, in Chromium at a desktop width and on a 360 px phone.
// Screenshots are kept (gitignored) for a person to look at.

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
type El = { textContent: string };
/* eslint-enable @typescript-eslint/no-explicit-any */

const ARTIFACTS = path.join(__dirname, '..', '..', 'artifacts', 'portal');
let svc: TestServices;
let w: World;
let server: Server;
let base: string;
let browser: Browser;
let slug: string;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  svc = testServices();
  w = await makeWorld(svc);
  const year = Number(localDay(new Date(), 'Asia/Jakarta').slice(0, 4)) - 1;
  const item = await perform(createDataListItem, w.walidata.actor, { year, name: 'Penduduk per kabupaten', organization: w.opd.slug, frequency: 'tahunan' }, svc);
  await perform(createDataListItem, w.walidata.actor, { year, name: 'Kemiskinan per kabupaten', organization: w.opd.slug, frequency: 'tahunan' }, svc);
  const main = await publishedDataset(svc, w, REGION_YEARS_CSV, {
    title: 'Penduduk dan Kemiskinan Kabupaten/Kota Uji Portal',
    description: 'Jumlah penduduk dan persentase penduduk miskin per kabupaten/kota di Provinsi Lampung, menurut tahun.',
    topic: 'kependudukan',
    metadata: { nama_indikator: 'Jumlah Penduduk Uji Portal', satuan: 'Jiwa' },
  });
  slug = main.ds.slug;
  await perform(linkDataListItem, w.producer.actor, { id: item.id, dataset: slug }, svc);
  for (const title of ['Penduduk Menurut Jenis Kelamin Uji Portal', 'Kepadatan Penduduk Uji Portal', 'Rumah Tangga Miskin Uji Portal']) {
    await publishedDataset(svc, w, undefined, { title, topic: 'kependudukan', metadata: { nama_indikator: title === 'Kepadatan Penduduk Uji Portal' ? 'Jumlah Penduduk Uji Portal' : title, satuan: 'Jiwa' } });
  }
  ({ server, base } = await listen(createApp(svc)));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await svc?.close();
});

const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe('the public portal pages in a browser', () => {
  it.each([
    ['desktop', 1280, 900],
    ['phone', 360, 740],
  ])('dataset page: API panel copies its snippets, related datasets, JSON-LD without a CSP complaint (%s)', async (name, width, height) => {
    const context = await browser.newContext({ viewport: { width, height }, ...(width < 500 ? { isMobile: true, hasTouch: true } : {}) });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text()); });
    await page.goto(`${base}/dataset/${slug}`);
    await page.waitForSelector('[data-chart-builder][data-drawn]', { timeout: 20_000 });

    // The head: one schema.org Dataset the browser parses as JSON.
    const ld = await page.evaluate(() => Array.from(document.querySelectorAll('script[type="application/ld+json"]')).map((s) => JSON.parse((s as El).textContent)));
    expect(ld).toHaveLength(1);
    expect(ld[0]['@type']).toBe('Dataset');
    expect(await page.getAttribute('meta[property="og:title"]', 'content')).toBe('Penduduk dan Kemiskinan Kabupaten/Kota Uji Portal');

    // The API panel: the pandas line keeps the region code as text; "Salin" copies it.
    const python = await page.textContent('#api-python');
    expect(python).toContain('dtype={"kode_kabupaten_kota": str}');
    await page.locator('#api').scrollIntoViewIfNeeded();
    await page.click('button[data-copy="api-python"]');
    await page.waitForFunction(() => document.querySelector('#api [data-copy-status]').textContent.trim() !== '');
    expect((await page.textContent('#api [data-copy-status]'))!.trim()).toBe('Kode tersalin');
    // The copied text is the snippet (the clipboard, or the selection when the clipboard is refused).
    const copied = await page.evaluate(() => String(window.getSelection()));
    if (copied) expect(copied.trim()).toBe(python!.trim());

    // Related datasets: same indicator first.
    const related = await page.$$eval('.related article h3 a', (as) => as.map((a) => (a as unknown as El).textContent));
    expect(related[0]).toBe('Kepadatan Penduduk Uji Portal');
    expect(related).toEqual(expect.arrayContaining(['Penduduk Menurut Jenis Kelamin Uji Portal', 'Rumah Tangga Miskin Uji Portal']));
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.locator('#api').screenshot({ path: path.join(ARTIFACTS, `${name}-api-panel.png`) });
    await page.locator('.related').screenshot({ path: path.join(ARTIFACTS, `${name}-related.png`) });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-dataset.png`), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it.each([
    ['desktop', 1280, 900],
    ['phone', 360, 740],
  ])('organization page: its publishing record and the scorecard link fit the screen (%s)', async (name, width, height) => {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${base}/organization/${w.opd.slug}`);
    const cells = await page.$$eval('table[data-org-record] tbody tr:first-child td', (tds) => tds.map((td) => (td as unknown as El).textContent));
    expect(cells[cells.length - 1]).toBe('4');
    const dataList = await page.$$eval('table[data-org-datalist] tbody tr:first-child td', (tds) => tds.map((td) => (td as unknown as El).textContent));
    // Two items past due, one delivered (published this year: late), one not yet.
    expect(dataList).toEqual(['2', '0', '2', '1']);
    expect(await page.isVisible('[data-scorecard-link]')).toBe(true);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-organization.png`), fullPage: true });
    await page.click('[data-scorecard-link]');
    await page.waitForURL(`**/opd/${w.opd.slug}`);
    await page.close();
  });
});
