import fs from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { createApp } from '../../server/app';
import { publishedDataset, type World } from '../support/factories';
import { makeWorld } from '../support/factories';
import { launchChromium, listen } from '../support/browser';
import { testServices, type TestServices } from '../support/services';
import { REGION_YEARS_CSV } from '../support/chart-data';

// What the functions passed to page.evaluate see in the browser (this project compiles without the DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: { querySelector(selector: string): any; querySelectorAll(selector: string): { length: number }; documentElement: { scrollWidth: number; clientWidth: number } };
declare const window: unknown;
declare type HTMLCanvasElement = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
/* eslint-enable @typescript-eslint/no-explicit-any */

// Screenshots a person can look at after the run (gitignored).
const ARTIFACTS = path.join(__dirname, '..', '..', 'artifacts', 'chart-builder');

const PERIODS_CSV = [
  'kode_provinsi,nama_provinsi,periode,tahun,persentase_penduduk_miskin',
  '18,LAMPUNG,Maret 2020,2020,12.34',
  '18,LAMPUNG,Maret 2022,2022,11.57',
  '18,LAMPUNG,September 2022,2022,11.44',
  '18,LAMPUNG,Maret 2023,2023,11.11',
].join('\n');

let svc: TestServices;
let w: World;
let server: Server;
let base: string;
let other: Server;
let otherBase: string;
let browser: Browser;
let regional: string;
let periods: string;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  svc = testServices();
  w = await makeWorld(svc);
  regional = (await publishedDataset(svc, w, REGION_YEARS_CSV, { title: 'Penduduk dan Kemiskinan Kabupaten/Kota Uji Grafik', metadata: { nama_indikator: 'Penduduk', satuan: 'Jiwa' } })).ds.slug;
  periods = (await publishedDataset(svc, w, PERIODS_CSV, { title: 'Kemiskinan per Periode Uji Grafik', metadata: { nama_indikator: 'P0', satuan: 'Persen' } })).ds.slug;
  ({ server, base } = await listen(createApp(svc)));
  // Another site (another origin: another port) that frames the embed, and, to be refused, the page itself.
  other = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const src = u.searchParams.get('src') ?? '';
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Situs lain</title></head>
<body style="margin:0;font-family:sans-serif"><p style="margin:8px">Berita daerah dengan grafik dari Satu Data:</p>
<iframe id="f" src="${src.replace(/"/g, '&quot;')}" width="100%" height="480" style="border:0"></iframe></body></html>`);
  });
  other.listen(0, '127.0.0.1');
  await new Promise((r) => other.once('listening', r));
  otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const s of [server, other]) {
    s?.closeAllConnections();
    await new Promise((r) => s?.close(r));
  }
  await svc?.close();
});

/** Waits until the builder has drawn the view whose query contains `part`. */
async function drawn(where: Page | Frame, part = '') {
  await where.waitForFunction((p) => {
    const el = document.querySelector('[data-chart-builder]');
    const d = el?.getAttribute('data-drawn');
    return d !== null && d !== undefined && d.includes(p);
  }, part, { timeout: 20_000 });
}

/** Share of the canvas's pixels that are not the white background (a painted chart has many). */
function inkShare(where: Page | Frame): Promise<number> {
  return where.evaluate(() => {
    const c = document.querySelector('canvas[data-builder-canvas]') as HTMLCanvasElement;
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) ink++;
    return ink / (data.length / 4);
  });
}

const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe('the chart builder in a browser', () => {
  it('paints the chart and the map, keeps the view in the URL through changes, reload and back', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

    await page.goto(`${base}/dataset/${regional}`);
    await drawn(page);
    expect(await inkShare(page)).toBeGreaterThan(0.02);
    // Bars per region for the latest year, labelled by name.
    const labels = await page.evaluate(() => (window as unknown as { Chart: { getChart(c: unknown): { data: { labels: string[] } } } }).Chart.getChart(document.querySelector('canvas[data-builder-canvas]'))!.data.labels);
    expect(labels).toEqual(['Kota Bandar Lampung', 'Lampung Barat', 'Tulang Bawang Barat']);
    expect(await page.textContent('[data-builder-caption]')).toBe('Jumlah Penduduk (jumlah) menurut Kabupaten Kota · Tahun: 2024');
    await page.locator('#grafik').screenshot({ path: path.join(ARTIFACTS, 'desktop-chart.png') });

    // The map: classes with units in the legend, the regions without data said so, the credit.
    await page.selectOption('#b-view', 'map');
    await drawn(page, 'view=map');
    expect(page.url()).toContain('view=map');
    expect(await inkShare(page)).toBeGreaterThan(0.01);
    const legend = await page.textContent('[data-builder-legend]');
    // Five classes, bounds in the page's number format, from the smallest figure to the largest.
    expect(legend).toMatch(/^290\.000 – 467\.533.*1\.000\.131 – 1\.177\.664Tidak ada data$/);
    expect(legend).toContain('Tidak ada data');
    expect(await page.isVisible('[data-map-credit]')).toBe(true);
    await page.locator('#grafik').screenshot({ path: path.join(ARTIFACTS, 'desktop-map.png') });

    // Another measure and grouping: the URL follows, each change its own history entry.
    await page.selectOption('#b-view', 'chart');
    await page.selectOption('#b-group', 'tahun');
    await drawn(page, 'group=tahun');
    await page.selectOption('#b-fn', 'avg');
    await page.selectOption('#b-measure', 'persentase_miskin');
    await drawn(page, 'measure=persentase_miskin');
    const url = new URL(page.url());
    expect(url.searchParams.get('measure')).toBe('persentase_miskin');
    expect(url.searchParams.get('group')).toBe('tahun');
    expect(url.searchParams.get('type')).toBe('line');
    expect(await inkShare(page)).toBeGreaterThan(0.005);

    await page.reload();
    await drawn(page, 'measure=persentase_miskin');
    expect(await page.inputValue('#b-measure')).toBe('persentase_miskin');
    expect(await page.inputValue('#b-group')).toBe('tahun');
    expect(await page.inputValue('#b-fn')).toBe('avg');
    expect(await page.textContent('[data-builder-caption]')).toBe('Persentase Miskin (rata-rata) menurut Tahun · Tahun: 2024');
    expect(await inkShare(page)).toBeGreaterThan(0.005);

    await page.goBack();
    await drawn(page, 'fn=avg&group=tahun');
    expect(await page.inputValue('#b-measure')).toBe('jumlah_penduduk');
    await page.goBack();
    await drawn(page, 'fn=sum&group=tahun');
    expect(await page.inputValue('#b-fn')).toBe('sum');

    // A filter per dimension, with every value from the API and region names.
    await page.selectOption('#b-where-tahun', '');
    await page.selectOption('#b-where-kode_kabupaten_kota', '1812');
    await drawn(page, 'where%5Bkode_kabupaten_kota%5D=1812');
    expect(await page.textContent('[data-builder-caption]')).toContain('Kabupaten Kota: Tulang Bawang Barat');

    // Downloads: the figures as CSV (names, labels), the chart as PNG.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-download-csv]')]);
    expect(fs.readFileSync((await csv.path())!, 'utf8')).toBe('Tahun,Jumlah Penduduk\r\n2023,280000\r\n2024,290000\r\n');
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-download-png]')]);
    expect(fs.readFileSync((await png.path())!).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('spaces periods by their dates on the time axis', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const asked: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/aggregate?')) asked.push(decodeURIComponent(r.url())); });
    await page.goto(`${base}/dataset/${periods}`);
    await drawn(page, 'group=periode');
    // The filters' values are asked for only once the reader opens them (each is a grouping of the whole table).
    expect(asked.filter((u) => u.includes('fn=count'))).toEqual([]);
    await page.click('[data-builder-filters] summary');
    await page.waitForFunction(() => document.querySelectorAll('#b-where-periode option').length === 5 && document.querySelectorAll('#b-where-tahun option').length === 4);
    // (What opening fetches is not asserted: when the page already drew every value the menus are
    // complete before any fetch answers, so a check here would race.)
    // The periods in date order (not text order: Maret 2023 after September 2022) once the script
    // has filled the menu from the API…
    const inOrder = ['Semua', 'Maret 2020', 'Maret 2022', 'September 2022', 'Maret 2023'];
    const periodOptions = (p: Page) => p.$$eval('#b-where-periode option', (os) => os.map((o) => (o as unknown as { textContent: string }).textContent));
    await page.waitForFunction(() => document.querySelector('[data-builder-filters]')?.getAttribute('data-filled') === 'yes');
    expect(await periodOptions(page)).toEqual(inOrder);
    // …and as the server draws it (what a reader without JavaScript, or before the fetch answers, sees).
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const noJs = await plain.newPage();
    await noJs.goto(`${base}/dataset/${periods}`);
    expect(await periodOptions(noJs)).toEqual(inOrder);
    await plain.close();
    const xs = await page.evaluate(() => {
      const chart = (window as unknown as { Chart: { getChart(c: unknown): { getDatasetMeta(i: number): { data: Array<{ x: number }> } } } }).Chart.getChart(document.querySelector('canvas[data-builder-canvas]'))!;
      return chart.getDatasetMeta(0).data.map((p) => p.x);
    });
    // Maret 2020 → Maret 2022 is two years, Maret 2022 → September 2022 half a year, → Maret 2023 another half.
    const step = (xs[1] - xs[0]) / 2;
    // The unit on the value axis (the dataset's satuan: its one measure).
    const title = await page.evaluate(() => (window as unknown as { Chart: { getChart(c: unknown): { options: { scales: { y: { title: { text: string } } } } } } }).Chart.getChart(document.querySelector('canvas[data-builder-canvas]'))!.options.scales.y.title.text);
    expect(title).toBe('Persentase Penduduk Miskin (Persen)');
    expect((xs[2] - xs[1]) / step).toBeCloseTo(0.5, 1);
    expect((xs[3] - xs[2]) / step).toBeCloseTo(0.5, 1);
    await page.locator('#grafik').screenshot({ path: path.join(ARTIFACTS, 'desktop-periods.png') });
    await page.close();
  });

  it.each([
    ['desktop', 1280, 900],
    ['phone', 360, 740],
  ])('embeds in an iframe on another origin, and the page itself refuses frames (%s)', async (name, width, height) => {
    const page = await browser.newPage({ viewport: { width, height } });
    const embed = `${base}/dataset/${regional}/embed?view=map&measure=jumlah_penduduk&fn=sum&group=kode_kabupaten_kota&type=bar`;
    await page.goto(`${otherBase}/?src=${encodeURIComponent(embed)}`);
    const frame = await (await page.waitForSelector('#f')).contentFrame();
    await drawn(frame!, 'view=map');
    expect(await inkShare(frame!)).toBeGreaterThan(0.01);
    expect(await frame!.textContent('[data-builder-legend]')).toContain('Tidak ada data');
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, `embed-${name}.png`) });

    // The dataset page in a frame: Chromium refuses to show it (frame-ancestors 'none').
    const refused = await browser.newPage({ viewport: { width, height } });
    await refused.goto(`${otherBase}/?src=${encodeURIComponent(`${base}/dataset/${regional}`)}`);
    const inner = await (await refused.waitForSelector('#f')).contentFrame();
    await refused.waitForTimeout(1000);
    expect(await inner!.$('[data-chart-builder]')).toBeNull();
    await refused.close();
    await page.close();
  });

  it('fits a 360 px phone: the page does not scroll sideways and the chart is painted', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await page.goto(`${base}/dataset/${regional}`);
    await drawn(page);
    expect(await inkShare(page)).toBeGreaterThan(0.02);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.locator('#grafik').screenshot({ path: path.join(ARTIFACTS, 'phone-chart.png') });
    await page.selectOption('#b-view', 'map');
    await drawn(page, 'view=map');
    expect(await inkShare(page)).toBeGreaterThan(0.01);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.locator('#grafik').screenshot({ path: path.join(ARTIFACTS, 'phone-map.png') });
    await page.close();
  });
});
