import type { Page } from 'playwright-core';
import request from 'supertest';
import { publishedDataset } from '../support/factories';
import { browserSite } from '../support/browser';
import { testWorld } from '../support/world';

// What the functions passed to page.evaluate see in the browser (compiled without the DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: { querySelector(selector: string): any };
declare const window: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

// The same two places in both schemes: BPS 1801 = Kemendagri 18.04 (Lampung Barat), BPS 1871 = 18.71.
const BPS = 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah\n1801,LAMPUNG BARAT,10\n1871,BANDAR LAMPUNG,40\n';
const KEMENDAGRI = 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah\n18.04,Lampung Barat,10\n18.71,Kota Bandar Lampung,40\n';

const t = testWorld();
const site = browserSite(t);

/** The map's figure per boundary name, as drawn. */
async function mapValues(page: Page): Promise<Record<string, number | null>> {
  await page.waitForFunction(() => (document.querySelector('[data-chart-builder]')?.getAttribute('data-drawn') ?? '').includes('view=map'), undefined, { timeout: 20_000 });
  return page.evaluate(() => {
    const chart = window.Chart.getChart(document.querySelector('canvas[data-builder-canvas]'));
    const out: Record<string, number | null> = {};
    for (const d of chart.data.datasets[0].data) out[d.feature.properties.nama] = d.value;
    return out;
  });
}

describe('the choropleth map keys regions by the column’s scheme', () => {
  it.each([
    ['BPS', BPS, 'bps'],
    ['Kemendagri', KEMENDAGRI, 'kemendagri'],
  ])('joins %s codes to the right boundaries and names them', async (_name, csv, scheme) => {
    const { ds } = await publishedDataset(t.svc, t.w, csv);
    const html = (await request(site.server).get(`/dataset/${ds.slug}`).query({ view: 'map', where: { kode_kabupaten_kota: csv.includes('18.04') ? '18.04' : '1801' } }).expect(200)).text;
    expect(html).toContain('Kabupaten Kota: Lampung Barat');

    const page = await site.browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(`${site.base}/dataset/${ds.slug}?view=map&fn=sum&measure=jumlah&group=kode_kabupaten_kota&type=bar`);
    const values = await mapValues(page);
    expect(Object.keys(values)).toHaveLength(15);
    expect(values['LAMPUNG BARAT']).toBe(10);
    expect(values['BANDAR LAMPUNG']).toBe(40);
    // Kemendagri 18.01 is Lampung Selatan, BPS 1801 Lampung Barat: no mix-up either way.
    expect(values['LAMPUNG SELATAN']).toBeNull();
    expect(Object.values(values).filter((v) => v !== null)).toHaveLength(2);
    const tooltip = await page.evaluate(() => window.Chart.getChart(document.querySelector('canvas[data-builder-canvas]')).data.labels as string[]);
    expect(tooltip).toContain('Kota Bandar Lampung');
    expect(await page.evaluate(() => Object.keys(JSON.parse(document.querySelector('[data-chart-builder]').getAttribute('data-config')).regions))).toEqual([scheme]);
    await page.close();
  });
});
