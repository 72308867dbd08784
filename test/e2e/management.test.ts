import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../../server/app';
import { loadDemo } from '../../server/demo';
import { launchChromium, listen } from '../support/browser';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';

// The management side in Chromium, on a fresh demo (a database of its own): the walidata's
// scorecards and usage, the public release calendar, and a public data request from the form to
// its answer; a reference code edited by the walidata. Screenshots at desktop width and on a 360 px
// phone go to artifacts/screenshots (gitignored), to be looked at.

const PASSWORD = 'demo-sandi-uji-123';
const SHOTS = path.join(__dirname, '../../artifacts/screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 740 };

let svc: TestServices;
let drop: () => Promise<void>;
let server: Server;
let base: string;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  const db = await isolatedDatabase();
  drop = db.drop;
  svc = testServices({ url: db.url });
  await loadDemo(svc, PASSWORD);
  ({ server, base } = await listen(createApp(svc)));
  browser = await launchChromium();
  fs.mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await svc?.close();
  await drop?.();
});

async function context(viewport = DESKTOP): Promise<{ ctx: BrowserContext; page: Page }> {
  // Reduced motion: the charts are drawn at once, so the screenshots show them whole.
  const ctx = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  return { ctx, page };
}

async function signIn(email: string, viewport = DESKTOP): Promise<{ ctx: BrowserContext; page: Page }> {
  const { ctx, page } = await context(viewport);
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form button[type=submit]')]);
  return { ctx, page };
}

/** Nothing sticks out sideways: the page is no wider than the screen (tables scroll in their own box). */
async function noSidewaysScroll(page: Page): Promise<void> {
  // In the page (a string: this project's TypeScript has no DOM types). The elements that reach
  // past the screen's edge, outside a box that scrolls on its own, name the culprit.
  const { scroll, width, wide } = (await page.evaluate(`(() => {
    const w = window.innerWidth;
    const wide = Array.from(document.querySelectorAll('body *'))
      .filter((el) => el.getBoundingClientRect().right > w + 1 && !el.closest('.table-scroll'))
      .slice(0, 5)
      .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' (' + Math.round(el.getBoundingClientRect().right) + 'px)');
    return { scroll: document.documentElement.scrollWidth, width: w, wide };
  })()`)) as { scroll: number; width: number; wide: string[] };
  expect({ url: page.url(), scroll: Math.min(scroll, width), wide }).toEqual({ url: page.url(), scroll: width, wide: [] });
}

/** A screenshot of the whole page at desktop width and on a phone, for the record. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop.png`), fullPage: true });
  const url = page.url();
  await page.setViewportSize(PHONE);
  await page.goto(url);
  await noSidewaysScroll(page);
  await page.screenshot({ path: path.join(SHOTS, `${name}-360.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/** How many charts Chart.js drew on the page. */
const chartsDrawn = (page: Page) => page.evaluate(`Array.from(document.querySelectorAll('canvas')).filter((c) => window.Chart && window.Chart.getChart(c)).length`) as Promise<number>;

describe('the management side in the browser', () => {
  jest.setTimeout(180_000);

  it('shows the walidata the OPD scorecards with a chart, a sortable table and exports', async () => {
    const { ctx, page } = await signIn('walidata@demo.satudata.id');
    await page.goto(`${base}/manage`);
    expect(await page.textContent('h1')).toContain('Kelola');
    await Promise.all([page.waitForURL(/\/manage\/opd/), page.click('a[href="/manage/opd"]')]);
    await page.waitForFunction("document.querySelector('canvas') && window.Chart && window.Chart.getChart(document.querySelector('canvas'))");
    expect(await chartsDrawn(page)).toBe(1);
    const rows = await page.$$eval('table.scorecards tbody tr th', (ths) => ths.map((t) => t.textContent?.trim()));
    expect(rows.sort()).toEqual(['Bappeda', 'Biro Organisasi', 'Dinkes', 'Dinsos', 'Disdikbud', 'Disdukcapil']);
    // Late items make reminders possible; the table sorts by a header.
    expect(await page.locator('table.scorecards button', { hasText: 'Ingatkan' }).count()).toBeGreaterThan(0);
    await Promise.all([page.waitForURL(/urut=late/), page.click('table.scorecards thead a:has-text("Terlambat")')]);
    expect(await page.getAttribute('table.scorecards thead th[aria-sort]', 'aria-sort')).toMatch(/ascending|descending/);
    expect(await page.getAttribute('a:has-text("CSV")', 'href')).toMatch(/^\/manage\/opd\.csv\?/);
    await shoot(page, 'scorecards-walidata');
    // Some readers and a search that finds nothing, so the usage page has something to show.
    const reader = await context();
    for (const slug of ['indeks-pembangunan-manusia-ipm-provinsi-lampung', 'indeks-pembangunan-manusia-ipm-provinsi-lampung', 'persentase-penduduk-miskin-provinsi-lampung']) await reader.page.goto(`${base}/dataset/${slug}`);
    await reader.page.goto(`${base}/dataset?q=jumlah+nelayan`);
    await reader.ctx.close();
    await svc.usage.flush();
    await page.goto(`${base}/manage/penggunaan`);
    expect(await chartsDrawn(page)).toBe(1);
    expect(await page.textContent('table.misses')).toContain('jumlah nelayan');
    await shoot(page, 'usage-walidata');
    // On a phone the per-dataset table scrolls sideways in its own box, and says so; on a desktop it fits and says nothing.
    const perDataset = async () => {
      await page.goto(`${base}/manage/penggunaan`);
      return page.evaluate(`(() => { const b = document.querySelector('table.usage-per-dataset').closest('.table-scroll'); const cue = b.previousElementSibling; return { scrolls: b.scrollWidth > b.clientWidth, cue: cue.matches('[data-scroll-cue]') && getComputedStyle(cue).display !== 'none' ? cue.textContent.trim() : null }; })()`);
    };
    await page.setViewportSize(PHONE);
    expect(await perDataset()).toEqual({ scrolls: true, cue: 'Geser tabel ke samping →' });
    await page.setViewportSize(DESKTOP);
    expect(await perDataset()).toEqual({ scrolls: false, cue: null });
    await page.goto(`${base}/manage`);
    await shoot(page, 'manage-walidata');
    await ctx.close();
  });

  it('shows the public the release calendar with the upcoming release, by week and month, with its feeds', async () => {
    const { ctx, page } = await context();
    await page.goto(`${base}/jadwal`);
    const text = (await page.textContent('main')) ?? '';
    expect(text).toContain('Kepadatan Penduduk Kabupaten/Kota di Provinsi Lampung 2025');
    expect(await page.locator('a[href="/jadwal.ics"]').count()).toBeGreaterThan(0);
    expect(await page.locator('a[href="/feeds/releases.atom"]').count()).toBeGreaterThan(0);
    const title = 'Kepadatan Penduduk Kabupaten/Kota di Provinsi Lampung 2025';
    expect(await page.textContent('section[aria-labelledby="soon-h"]')).toContain(title);
    // By month, week by week: the release sits in its week (this month's page, or the next one's
    // when it falls after the month's end), reached with the month navigation.
    const inWeek = () => page.locator('section.week', { hasText: title });
    if ((await inWeek().count()) === 0) await Promise.all([page.waitForURL(/bulan=/), page.click('.month-nav a[rel=next]')]);
    expect(await inWeek().count()).toBe(1);
    expect(await inWeek().locator('h3').textContent()).toMatch(/\d/);
    await Promise.all([page.waitForURL(/bulan=/), page.click('.month-nav a[rel=prev]')]);
    expect(await page.textContent('#month-h')).toMatch(/\d{4}/);
    await page.goto(`${base}/jadwal`);
    await shoot(page, 'jadwal-public');
    // The dataset itself stays invisible until then.
    const res = await page.request.get(`${base}/dataset/kepadatan-penduduk-kabupaten-kota-di-provinsi-lampung-2025`);
    expect(res.status()).toBe(404);
    await ctx.close();
  });

  it('takes a public data request from the form to the answer: asked, routed by the walidata, answered by the OPD, shown to all', async () => {
    // The public asks, on a phone.
    const pub = await context(PHONE);
    const p = pub.page;
    await p.goto(`${base}/permintaan`);
    await noSidewaysScroll(p);
    await p.fill('#r-title', 'Jumlah guru SMA per kabupaten/kota');
    await p.fill('#r-desc', 'Jumlah guru SMA negeri dan swasta menurut kabupaten/kota, 2025.');
    await p.fill('#r-purpose', 'Liputan tentang rasio guru dan murid.');
    await p.fill('#r-name', 'Maya Kartika');
    await p.fill('#r-email', 'maya.kartika@contoh.id');
    await p.waitForTimeout(3200); // a person takes a few seconds; the form refuses bots that do not
    await Promise.all([p.waitForURL((u) => /^\/permintaan\/\d+$/.test(u.pathname)), p.click('form[action="/permintaan#formulir"] button[type=submit]')]);
    const id = Number(new URL(p.url()).pathname.split('/').pop());
    expect(await p.textContent('h1')).toContain('Jumlah guru SMA per kabupaten/kota');
    expect(await p.textContent('main')).toContain('Baru');
    await p.screenshot({ path: path.join(SHOTS, 'request-asked-360.png'), fullPage: true });

    // The walidata routes it to Disdikbud.
    const wali = await signIn('walidata@demo.satudata.id');
    await wali.page.goto(`${base}/manage/permintaan`);
    await Promise.all([wali.page.waitForURL(new RegExp(`/manage/permintaan/${id}$`)), wali.page.click(`a[href="/manage/permintaan/${id}"]`)]);
    expect(await wali.page.textContent('main')).toContain('maya.kartika@contoh.id'); // the workspace sees the contact
    await wali.page.selectOption('#h-org', 'disdikbud');
    await wali.page.fill('#h-note', 'Data guru ada di Dapodik.');
    await Promise.all([wali.page.waitForLoadState('load'), wali.page.click('#route-h ~ form button[type=submit]')]);
    expect(await wali.page.textContent('h1')).toContain('Diteruskan');
    await shoot(wali.page, 'request-routed-walidata');

    // Another OPD does not see it; Disdikbud answers with a link.
    const other = await signIn('dinkes@demo.satudata.id');
    const refused = await other.page.request.get(`${base}/manage/permintaan/${id}`);
    expect(refused.status()).toBe(404);
    const opd = await signIn('disdikbud@demo.satudata.id');
    await opd.page.goto(`${base}/manage/permintaan`);
    await Promise.all([opd.page.waitForURL(new RegExp(`/manage/permintaan/${id}$`)), opd.page.click(`a[href="/manage/permintaan/${id}"]`)]);
    await opd.page.check('input[name=state][value=tersedia_di_tempat_lain]');
    await opd.page.fill('#h-answer', 'Jumlah guru per kabupaten/kota ada di Dapodik Kemendikdasmen.');
    await opd.page.fill('#h-url', 'https://dapo.kemendikdasmen.go.id/');
    await Promise.all([opd.page.waitForLoadState('load'), opd.page.click('#ans-h ~ form button[type=submit]')]);
    expect(await opd.page.textContent('h1')).toContain('Tersedia di tempat lain');

    // The public page shows the answer and its link, never the requester's e-mail.
    await p.goto(`${base}/permintaan/${id}`);
    const shown = (await p.textContent('main')) ?? '';
    expect(shown).toContain('Dapodik Kemendikdasmen');
    expect(await p.getAttribute('main a[href="https://dapo.kemendikdasmen.go.id/"]', 'rel')).toMatch(/noopener/);
    expect(shown).not.toContain('maya.kartika@contoh.id');
    await noSidewaysScroll(p);
    await p.screenshot({ path: path.join(SHOTS, 'request-answered-360.png'), fullPage: true });
    await p.setViewportSize(DESKTOP);
    await p.goto(`${base}/permintaan`);
    await p.screenshot({ path: path.join(SHOTS, 'permintaan-public-desktop.png'), fullPage: true });
    for (const c of [pub, wali, other, opd]) await c.ctx.close();
  });

  it('lets the walidata edit a reference code through the form on a phone: a refused code is marked on its field, then the change is saved and audited', async () => {
    const { ctx, page } = await signIn('walidata@demo.satudata.id', PHONE);
    await page.goto(`${base}/manage/wilayah`);
    await noSidewaysScroll(page);
    // The list scrolls in its own box, says so, and its buttons name their code.
    expect(await page.evaluate(`(() => { const b = document.querySelector('table.wilayah-list').closest('.table-scroll'); return b.scrollWidth > b.clientWidth; })()`)).toBe(true);
    expect(await page.isVisible('[data-scroll-cue]')).toBe(true);
    expect(await page.getAttribute('form[action$="/active"] button >> nth=0', 'aria-label')).toBe('Nonaktifkan LAMPUNG');
    await page.fill('#w-q', '1813');
    await Promise.all([page.waitForURL(/q=1813/), page.click('form.filters button')]);
    expect(await page.$$eval('table.wilayah-list tbody tr', (trs) => trs.length)).toBe(1);
    await Promise.all([page.waitForURL(/\/manage\/wilayah\/\d+$/), page.click('table.wilayah-list a:has-text("PESISIR BARAT")')]);
    const editUrl = page.url();
    expect(await page.inputValue('#w-kdn')).toBe('18.13');

    // A Kemendagri code another kabupaten has: refused, on its own field, which gets the focus.
    await page.fill('#w-kdn', '18.04');
    const before = pageErrors.length;
    // Waits for the refused form's own page (waitForLoadState alone answers at once on the page before it).
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 400), page.click('form.card button[type=submit]')]);
    await page.waitForSelector('#w-kdn[aria-invalid="true"]');
    // The refused form comes back as a 400, which Chromium logs as a failed resource: that one is expected.
    expect(pageErrors.splice(before)).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    expect(await page.getAttribute('#w-kdn', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#w-kdn', 'aria-describedby')).toContain('w-kdn-err');
    expect(await page.textContent('#w-kdn-err')).toBe('Kode Kemendagri 18.04 sudah dipakai LAMPUNG BARAT.');
    expect(await page.evaluate('document.activeElement.id')).toBe('w-kdn');
    expect(await page.getAttribute('#w-bps', 'aria-invalid')).toBeNull();
    await noSidewaysScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'wilayah-refused-360.png'), fullPage: true });
    expect((await svc.db('wilayah').where({ kode_bps: '1813' }).first()).kode_kemendagri).toBe('18.13');

    // Corrected and renamed: saved (the name in capitals, as BPS writes it), listed, audited.
    await page.fill('#w-kdn', '18.13');
    await page.fill('#w-nama', 'Pesisir Barat Raya');
    await Promise.all([page.waitForURL((u) => u.pathname === '/manage/wilayah'), page.click('form.card button[type=submit]')]);
    expect(await page.textContent('.flash-ok')).toContain('PESISIR BARAT RAYA');
    expect(await page.textContent('table.wilayah-list')).toContain('PESISIR BARAT RAYA');
    await noSidewaysScroll(page);
    expect(await svc.db('wilayah').where({ kode_bps: '1813' }).first()).toMatchObject({ nama: 'PESISIR BARAT RAYA', kode_kemendagri: '18.13', active: true });
    const audit = await svc.db('audit_events').where({ action: 'wilayah.update', target_id: '1813' });
    expect(audit.map((a) => a.details)).toEqual([{ nama: { from: 'PESISIR BARAT', to: 'PESISIR BARAT RAYA' } }]);

    // Its own page takes it out of use and back, staying on that page.
    await page.goto(editUrl);
    await Promise.all([page.waitForURL(editUrl), page.click('button:has-text("Nonaktifkan PESISIR BARAT RAYA")')]);
    await page.waitForSelector('text=Kode referensi ini tidak aktif');
    expect(await page.textContent('.flash-ok')).toContain('PESISIR BARAT RAYA tidak dipakai lagi');
    expect((await svc.db('wilayah').where({ kode_bps: '1813' }).first()).active).toBe(false);
    await noSidewaysScroll(page);
    await page.screenshot({ path: path.join(SHOTS, 'wilayah-inactive-360.png'), fullPage: true });
    await Promise.all([page.waitForURL(editUrl), page.click('button:has-text("Aktifkan PESISIR BARAT RAYA")')]);
    expect(await page.textContent('.flash-ok')).toContain('PESISIR BARAT RAYA dipakai kembali');
    expect((await svc.db('wilayah').where({ kode_bps: '1813' }).first()).active).toBe(true);
    await page.setViewportSize(DESKTOP);
    await page.goto(editUrl);
    await shoot(page, 'wilayah-edit-walidata');
    await page.goto(`${base}/manage/wilayah`);
    await shoot(page, 'wilayah-walidata');
    await ctx.close();
  });

  it('raised no script errors on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
