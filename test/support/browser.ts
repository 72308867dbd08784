import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import type { Express } from 'express';

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
