import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import type { Express } from 'express';
import { createApp } from '../../server/app';
import { loadDemo } from '../../server/demo';
import { launchChromium, listen } from '../support/browser';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';

// Pages at a 360 px phone and a desktop width, in Chromium, on the demo content. Screenshots are
// kept in SCREENSHOT_DIR (default: a folder in the system's temporary directory) to look at.
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'satudata-screens');
const PASSWORD = 'demo-sandi-uji-123';
const t = {} as { svc: TestServices; app: Express; drop(): Promise<void>; server: Server; base: string; browser: Browser };

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const db = await isolatedDatabase();
  t.drop = db.drop;
  t.svc = testServices({ url: db.url });
  t.app = createApp(t.svc);
  await loadDemo(t.svc, PASSWORD);
  ({ server: t.server, base: t.base } = await listen(t.app));
  t.browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await t.browser?.close();
  await new Promise((r) => t.server?.close(r));
  await t.svc.close();
  await t.drop();
});

async function open(width: number, url: string): Promise<Page> {
  const page = await t.browser.newPage({ viewport: { width, height: width < 500 ? 780 : 900 } });
  await page.goto(`${t.base}${url}`, { waitUntil: 'load' });
  return page;
}

/** How far the page scrolls sideways (0: it fits). */
const sideScroll = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

describe('the home page in Chromium', () => {
  it.each([360, 1280])('fits %i px and shows the headline indicators with their sparklines', async (width) => {
    const page = await open(width, '/');
    await page.screenshot({ path: path.join(SHOTS, `home-${width}.png`), fullPage: true });
    expect(await sideScroll(page)).toBe(0);
    expect(await page.locator('.indicator').count()).toBe(4);
    const box = await page.locator('.indicator .sparkline').first().boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    await page.close();
  });
});

describe('phone layout (360 and 390 px) in Chromium', () => {
  it('search at 360 px: changing the sort menu applies it at once (no button press)', async () => {
    const page = await open(360, '/dataset');
    expect(await page.locator('.sort-form button').isVisible()).toBe(false);
    await Promise.all([page.waitForNavigation(), page.selectOption('#sort', 'title')]);
    expect(page.url()).toContain('sort=title');
    await page.close();
  });

  it.each([360, 390])('search at %i px: the filters fold behind a toggle, the first result is near the top', async (width) => {
    const page = await open(width, '/dataset');
    await page.screenshot({ path: path.join(SHOTS, `search-${width}.png`), fullPage: false });
    expect(await sideScroll(page)).toBe(0);
    const first = await page.locator('.dataset-card').first().boundingBox();
    expect(first!.y).toBeLessThan(420);
    // Folded: the facet lists are hidden until the toggle opens them.
    expect(await page.locator('.facets ul').first().isVisible()).toBe(false);
    await page.locator('.facets .toggle-label').click();
    expect(await page.locator('.facets ul').first().isVisible()).toBe(true);
    await page.close();
  });

  it('search on a desktop shows the filters open beside the results', async () => {
    const page = await open(1280, '/dataset');
    await page.screenshot({ path: path.join(SHOTS, 'search-1280.png'), fullPage: false });
    expect(await page.locator('.facets ul').first().isVisible()).toBe(true);
    const facets = await page.locator('.facets').boundingBox();
    const first = await page.locator('.dataset-card').first().boundingBox();
    expect(facets!.x).toBeLessThan(first!.x);
    await page.close();
  });

  it.each([360, 390])('dataset table at %i px: sticky first column, sideways scroll with a visible cue, Indonesian numbers', async (width) => {
    const slug = await t.svc.db('datasets').where({ title: 'Jumlah Penduduk dan Luas Wilayah Kabupaten/Kota di Provinsi Lampung' }).first().then((d) => d.slug as string);
    const page = await open(width, `/dataset/${slug}`);
    await page.locator('#pratinjau').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `table-${width}.png`), fullPage: false });
    expect(await sideScroll(page)).toBe(0);
    const scroller = "document.querySelector('#pratinjau .table-scroll')";
    // The table is wider than the phone and says so.
    expect(await page.evaluate(`${scroller}.scrollWidth > ${scroller}.clientWidth`)).toBe(true);
    expect(await page.locator('#pratinjau .scroll-cue').isVisible()).toBe(true);
    const firstCell = page.locator('#pratinjau table.data tbody tr:first-child td:first-child');
    const before = await firstCell.boundingBox();
    await page.evaluate(`${scroller}.scrollLeft = 200`);
    const after = await firstCell.boundingBox();
    expect(Math.round(after!.x)).toBe(Math.round(before!.x));
    await page.screenshot({ path: path.join(SHOTS, `table-${width}-scrolled.png`), fullPage: false });
    expect(await page.locator('#pratinjau table.data tbody').innerText()).toContain('1.124.683');
    await page.close();
  });

  it.each([360, 390])('the signed-in header at %i px stays one compact bar', async (width) => {
    const page = await t.browser.newPage({ viewport: { width, height: 780 } });
    await page.goto(`${t.base}/login`);
    await page.fill('input[name=email]', 'walidata@demo.satudata.id');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
    await page.goto(`${t.base}/dataset`);
    await page.screenshot({ path: path.join(SHOTS, `header-${width}.png`), fullPage: false });
    const header = await page.locator('.site-header').boundingBox();
    expect(header!.height).toBeLessThanOrEqual(72);
    expect(await sideScroll(page)).toBe(0);
    // The menu opens without a script: every link, and signing out, are there.
    const logout = page.locator('.site-nav form[action="/logout"] button');
    expect(await logout.isVisible()).toBe(false);
    await page.locator('.menu-toggle').click();
    expect(await logout.isVisible()).toBe(true);
    expect(await page.locator('.site-nav a[href="/dashboard"]').isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, `header-${width}-open.png`), fullPage: false });
    await page.close();
  });
});
