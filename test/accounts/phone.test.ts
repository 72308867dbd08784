import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, listen } from '../support/browser';
import { testWorld } from '../support/world';

// The account and admin pages on a 360 px phone: nothing wider than the screen (tables scroll in
// their own box), every form usable. Pages of later pieces join ACCOUNT_PAGES.
const t = testWorld();
let browser: Browser;
let server: Server;
let base: string;

beforeAll(async () => {
  ({ server, base } = await listen(t.app));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

const ACCOUNT_PAGES = ['/account', '/account/tokens', '/account/password', '/admin/tokens'];

async function overflow(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>;
}

describe('account pages on a 360 px phone', () => {
  it('fit the screen, and a new token wraps instead of widening the page', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    for (const path of ['/password/forgot', '/login']) {
      await page.goto(base + path);
      expect({ path, overflow: await overflow(page) }).toEqual({ path, overflow: 0 });
    }
    await page.fill('#email', t.w.admin.email);
    await page.fill('#password', t.w.admin.password);
    await Promise.all([page.waitForNavigation(), page.click('form.stack button[type=submit]')]);
    await page.goto(`${base}/account/tokens`);
    await page.fill('#tk-name', 'Token ponsel dengan nama yang cukup panjang sekali');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/account/tokens"] button[type=submit]')]);
    expect(await page.textContent('.token-value')).toMatch(/^sdp_/);
    expect(await overflow(page)).toBe(0);
    for (const path of ACCOUNT_PAGES) {
      await page.goto(base + path);
      expect({ path, overflow: await overflow(page) }).toEqual({ path, overflow: 0 });
    }
    await ctx.close();
  });
});
