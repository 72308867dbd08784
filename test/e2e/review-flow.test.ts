import fs from 'node:fs';
import { type BrowserContext, type Page } from 'playwright-core';
import type { TestUser } from '../support/factories';
import { browserSite } from '../support/browser';
import { testWorld } from '../support/world';

const t = testWorld();
const site = browserSite(t);
const consoleErrors: string[] = [];

async function signIn(user: TestUser): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await site.browser.newContext({ acceptDownloads: true });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await page.goto(`${site.base}/login`);
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForURL(/\/(dashboard|review)/), page.click('button[type=submit]')]);
  return { ctx, page };
}

const V1 = 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah_penduduk,tahun\n1801,LAMPUNG BARAT,313756,2025\n1871,BANDAR LAMPUNG,1077664,2025\n';
const V2 = `${V1}1872,METRO,182293,2025\n`;

async function upload(page: Page, slug: string, content: string, name: string) {
  await page.goto(`${site.base}/dashboard/datasets/${slug}`);
  await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(content) });
  await Promise.all([page.waitForURL(/\/versions\/\d+$/), page.click('form[enctype="multipart/form-data"] button[type=submit]')]);
}

describe('in the browser: request changes, resubmit, approve, publish', () => {
  // About 45 s alone; on a machine shared by many test runs it passed the 60 s default.
  jest.setTimeout(180_000);
  it('takes a dataset from upload to version 2 on the public page; earlier versions stay downloadable from the history', async () => {
    const producer = await signIn(t.w.producer);
    const p = producer.page;
    await p.goto(`${site.base}/dashboard/datasets/new`);
    await p.fill('#title', 'Penduduk Kabupaten Uji Peramban');
    await p.fill('#description', 'Diisi lewat peramban');
    await p.selectOption('#topic', 'kependudukan');
    await p.fill('#source', 'Disdukcapil');
    await p.fill('#m-nama_indikator', 'Jumlah penduduk');
    await p.fill('#m-satuan', 'Jiwa');
    await Promise.all([p.waitForURL(/\/dashboard\/datasets\/penduduk-kabupaten-uji-peramban/), p.click('form.form-grid button[type=submit]')]);
    const slug = new URL(p.url()).pathname.split('/').pop()!;

    await upload(p, slug, V1, 'penduduk-v1.csv');
    await p.waitForSelector('text=Laporan validasi');
    expect(await p.textContent('table.data')).toContain('BANDAR LAMPUNG');
    await Promise.all([p.waitForLoadState('load'), p.click('text=Ajukan ke walidata')]);
    expect(await p.textContent('h1')).toContain('Diajukan');

    const walidata = await signIn(t.w.walidata);
    const r = walidata.page;
    await r.goto(`${site.base}/review`);
    await Promise.all([r.waitForURL(new RegExp(`/review/${slug}/1`)), r.click('text=Penduduk Kabupaten Uji Peramban')]);
    expect(await r.textContent('#check-h')).toContain('Daftar periksa');
    await r.check('input[name=decision][value=request_changes]');
    await r.fill('#decision-comment', 'Tambahkan Kota Metro yang belum ada.');
    await Promise.all([r.waitForURL(/\/review$/), r.click('text=Kirim keputusan')]);

    // The producer hears of it, reads the comment, uploads version 2 and submits it.
    await p.goto(`${site.base}/dashboard`);
    expect(await p.textContent('.site-nav')).toMatch(/Kotak masuk\s*1/);
    await p.goto(`${site.base}/inbox`);
    expect(await p.textContent('.inbox')).toContain('Tambahkan Kota Metro yang belum ada.');
    await upload(p, slug, V2, 'penduduk-v2.csv');
    expect(await p.textContent('h1')).toContain('v2');
    await Promise.all([p.waitForLoadState('load'), p.click('text=Ajukan ke walidata')]);

    // The walidata sees what changed and approves.
    await r.goto(`${site.base}/review/${slug}/2`);
    expect(await r.textContent('#perbandingan')).toContain('kode_kabupaten_kota: 1872');
    await r.check('input[name=decision][value=approve]');
    await r.check('input[name=confirm_checklist]');
    // The MS-Ind fields are not all filled in: approving all the same needs a written reason.
    await r.fill('#override-reason', 'Metadata MS-Ind lainnya menyusul.');
    await Promise.all([r.waitForURL(/\/review$/), r.click('text=Kirim keputusan')]);

    // The public page shows version 2, with version 1 in the history and downloadable.
    const pub = await site.browser.newContext({ acceptDownloads: true });
    const page = await pub.newPage();
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(`${site.base}/dataset/${slug}`);
    expect(await page.textContent('.badges')).toContain('Versi 2');
    expect(await page.textContent('table.data')).toContain('METRO');
    // The chart was drawn: Chart.js holds a chart for the canvas.
    await page.waitForFunction("(() => { const c = document.querySelector('canvas[data-builder-canvas]'); return !!c && c.width > 0 && !!window.Chart.getChart(c); })()");
    const current = await page.request.get(`${site.base}/dataset/${slug}/download.csv`);
    expect(await current.text()).toBe(V2);
    // Version 1 never passed review: not in the public history, nor downloadable by the public …
    expect(await page.$(`a[href="/dataset/${slug}/download.csv?version=1"]`)).toBeNull();
    expect((await page.request.get(`${site.base}/dataset/${slug}/download.csv?version=1`)).status()).toBe(404);
    // … but its producer finds it in the history, with the walidata's decision, and can download it.
    await p.goto(`${site.base}/dataset/${slug}`);
    expect(await p.textContent('#history-h ~ .table-scroll')).toContain('Minta perbaikan');
    const [own] = await Promise.all([p.waitForEvent('download'), p.click(`a[href="/dataset/${slug}/download.csv?version=1"]`)]);
    expect(fs.readFileSync((await own.path())!, 'utf8')).toBe(V1);

    // A third version is published: version 2 stays downloadable from the public history.
    const V3 = V2.replace('182293', '182300');
    await upload(p, slug, V3, 'penduduk-v3.csv');
    await Promise.all([p.waitForLoadState('load'), p.click('text=Ajukan ke walidata')]);
    await r.goto(`${site.base}/review/${slug}/3`);
    await r.check('input[name=decision][value=approve]');
    await r.check('input[name=confirm_checklist]');
    // The MS-Ind fields are not all filled in: approving all the same needs a written reason.
    await r.fill('#override-reason', 'Metadata MS-Ind lainnya menyusul.');
    await Promise.all([r.waitForURL(/\/review$/), r.click('text=Kirim keputusan')]);
    await page.goto(`${site.base}/dataset/${slug}`);
    expect(await page.textContent('.badges')).toContain('Versi 3');
    const [old] = await Promise.all([page.waitForEvent('download'), page.click(`a[href="/dataset/${slug}/download.csv?version=2"]`)]);
    expect(fs.readFileSync((await old.path())!, 'utf8')).toBe(V2);
    expect(consoleErrors).toEqual([]);
    await Promise.all([producer.ctx.close(), walidata.ctx.close(), pub.close()]);
  });
});
