import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import type { Express } from 'express';
import type { TestWorld } from './world';

/** Debian's Chromium (never a browser download from a test tool); CHROME_PATH overrides. */
export const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';

/**
 * Headless Chromium for browser tests, started the way this machine allows: without the
 * background-networking features whose connections the closed network refuses.
 */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROME)) throw new Error(`Chromium not found at ${CHROME}: apt-get install -y chromium, or set CHROME_PATH`);
  return chromium.launch({
    executablePath: CHROME,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Serves an app on a free loopback port; returns the server and its base URL. */
export async function listen(app: Express): Promise<{ server: Server; base: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A browser test's site: its world's app on a free loopback port, and a headless Chromium. */
export interface BrowserSite {
  server: Server;
  /** The site's address, `http://127.0.0.1:<port>`. */
  base: string;
  browser: Browser;
}

/**
 * Serves `t`'s app and starts Chromium once `t` is made; closes both after the file's tests,
 * before `t`'s services close (so no request of a page still open meets a closed database).
 */
export function browserSite(t: TestWorld): BrowserSite {
  const site = {} as BrowserSite;
  beforeAll(async () => {
    ({ server: site.server, base: site.base } = await listen(t.app));
    site.browser = await launchChromium();
  });
  t.beforeClose(async () => {
    await site.browser?.close();
    site.server?.closeAllConnections();
    await new Promise((r) => site.server?.close(r));
  });
  return site;
}
