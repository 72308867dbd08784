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
