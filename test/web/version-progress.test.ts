import { type Page } from 'playwright-core';
import { perform } from '../../server/actions/action';
import { reloadVersion } from '../../server/actions/versions';
import type { Jobs } from '../../server/services';
import { makeDataset, uploadContent } from '../support/factories';
import { makeZip, sheetXml, workbookEntries } from '../support/zip';
import { browserSite } from '../support/browser';
import { testServices, type TestServices } from '../support/services';
import { testWorld } from '../support/world';

const MB = 1024 * 1024;

// Loads are queued and never run here: versions stay `processing` for as long as a test wants.
const queued: number[] = [];
const noWorker: Jobs = { enqueueLoad: async (id) => void queued.push(id), schedulePublication: async () => undefined };

const t = testWorld({ jobs: noWorker, env: { INLINE_LOAD_MAX_MB: '0' } });
const site = browserSite(t);
/** Services on the same database that do load (inline), for the versions that must be loaded. */
let loading: TestServices;
beforeAll(() => {
  loading = testServices();
});
afterAll(() => loading?.close());

async function producerPage(): Promise<Page> {
  const page = await (await site.browser.newContext()).newPage();
  await page.goto(`${site.base}/login`);
  await page.fill('#email', t.w.producer.email);
  await page.fill('#password', t.w.producer.password);
  await Promise.all([page.waitForURL(/\/dashboard/), page.click('button[type=submit]')]);
  return page;
}

const progressText = (page: Page) => page.locator('[data-progress-text]').innerText();

async function setProgress(id: number, p: { phase: string; bytes_done: number; bytes_total: number; rows: number }) {
  await t.svc.db('versions').where({ id }).update({ progress: JSON.stringify(p), heartbeat_at: t.svc.db.fn.now() });
}

async function untilText(page: Page, test: (text: string) => boolean, bump?: () => Promise<void>): Promise<string> {
  const end = Date.now() + 30_000;
  let text = '';
  while (Date.now() < end) {
    text = await progressText(page);
    if (test(text)) return text;
    await bump?.();
    await page.waitForTimeout(200);
  }
  throw new Error(`progress text never matched: ${text}`);
}

describe('the progress of a loading version', () => {
  it('is told in the page’s language with units, as the page updates it, with an estimate of the time left', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await uploadContent(t.svc, t.w.producer.actor, ds.slug, 'nama,nilai\nA,1\n');
    expect(v.state).toBe('processing');
    await setProgress(v.id, { phase: 'loading', bytes_done: 23 * MB, bytes_total: 66 * MB, rows: 114_828 });

    const page = await producerPage();
    await page.goto(`${site.base}/dashboard/datasets/${ds.slug}/versions/1`);
    expect(await progressText(page)).toBe('Memuat baris · 23 MB dari 66 MB (35%) · 114.828 baris');

    // The page's script takes over: the same words and units, from the API's figures.
    await setProgress(v.id, { phase: 'loading', bytes_done: 33 * MB, bytes_total: 66 * MB, rows: 200_000 });
    expect(await untilText(page, (s) => s.includes('200.000 baris'))).toMatch(/^Memuat baris · 33 MB dari 66 MB \(50%\) · 200\.000 baris/);

    // As the load goes on, the time left is estimated from its pace, marked as an estimate.
    let done = 33 * MB;
    const bump = async () => {
      done = Math.min(60 * MB, done + MB / 4);
      await setProgress(v.id, { phase: 'loading', bytes_done: done, bytes_total: 66 * MB, rows: 200_000 });
    };
    expect(await untilText(page, (s) => /≈ \d+ (detik|menit) lagi$/.test(s), bump)).not.toMatch(/[a-z]+ing\b/);

    await page.goto(`${site.base}/lang/en?next=${encodeURIComponent(`/dashboard/datasets/${ds.slug}/versions/1`)}`);
    await setProgress(v.id, { phase: 'checking', bytes_done: 66 * MB, bytes_total: 66 * MB, rows: 1_000_000 });
    expect(await untilText(page, (s) => s.includes('1,000,000 rows'))).toBe('Checking reference codes · 66 MB of 66 MB (100%) · 1,000,000 rows');
    await page.context().close();
  });

  it('does not say the table failed to load while a version is being read again', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    await uploadContent(loading, t.w.producer.actor, ds.slug, 'nama,nilai\nA,1\nB,2\n');
    await perform(reloadVersion, t.w.producer.actor, { slug: ds.slug, number: 1, options: { delimiter: ',' } }, t.svc);
    expect((await t.svc.db('versions').join('datasets', 'datasets.id', 'versions.dataset_id').where('datasets.slug', ds.slug).first('versions.state')).state).toBe('processing');
    const page = await producerPage();
    await page.goto(`${site.base}/dashboard/datasets/${ds.slug}/versions/1`);
    const body = await page.locator('main').innerText();
    expect(body).toContain('Berkas sedang dimuat');
    expect(body).not.toContain('galat');
    await page.context().close();
  });
});

describe('an XLSX version', () => {
  it('is described as a workbook and its sheet, without a text encoding or a delimiter', async () => {
    const ds = await makeDataset(loading, t.w.producer, t.w.opd.slug);
    const xml = sheetXml(['<row r="1"><c r="A1" t="inlineStr"><is><t>nama</t></is></c><c r="B1" t="inlineStr"><is><t>nilai</t></is></c></row>', '<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2"><v>1</v></c></row>']);
    const v = await uploadContent(loading, t.w.producer.actor, ds.slug, makeZip(workbookEntries(xml, { sheetName: 'Penduduk' })), 'data.xlsx');
    expect(v.state).toBe('draft');
    const page = await producerPage();
    await page.goto(`${site.base}/dashboard/datasets/${ds.slug}/versions/1`);
    const facts = await page.locator('.file-facts').innerText();
    expect(facts).toContain('Buku kerja Excel (XLSX) · Lembar: Penduduk');
    expect(facts).not.toMatch(/Pengodean|Pemisah|utf-8/);
    // Reading it again offers the sheet and the decimal mark, not an encoding or a delimiter.
    expect(await page.locator('form[action$="/reload"] #encoding').count()).toBe(0);
    expect(await page.locator('form[action$="/reload"] #delimiter').count()).toBe(0);
    expect(await page.locator('form[action$="/reload"] #sheet').count()).toBe(1);
    await page.context().close();
  });
});
