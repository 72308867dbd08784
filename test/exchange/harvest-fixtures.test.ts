import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { uid } from '../support/factories';
import { testWorld } from '../support/world';

// Harvesting shapes this portal does not write itself, from a small static server: CKAN 2.9,
// 2.10 and 2.11 `package_search` answers (test/fixtures/ckan/, with `extras`, non-CSV resources,
// deleted resources, a `count` larger than its pages deliver, a portal that caps `rows`), and a
// DCAT catalog paged over a Turtle and a JSON-LD page (test/fixtures/dcat-harvest/).

jest.setTimeout(120_000);
const t = testWorld({ env: { FETCH_ALLOW_HOSTS: '127.0.0.1' } });

const FIXTURES = path.join(__dirname, '..', 'fixtures');
/** What the server was asked, in order (path and query). */
const asked: URL[] = [];
/** Scenarios whose files are read in their `.after` variant where one exists (the remote changed). */
const after = new Set<string>();
let server: http.Server;
let base = '';
let xlsx: Buffer;

function fixture(file: string, scenario: string | null): string | null {
  const variant = scenario && after.has(scenario) ? file.replace(/\.json$/, '.after.json') : null;
  for (const f of [variant, file]) if (f && fs.existsSync(f)) return fs.readFileSync(f, 'utf8').replaceAll('{{base}}', base);
  return null;
}

beforeAll(async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Sekolah').addRows([['kode_kabupaten_kota', 'nama_kabupaten_kota', 'jumlah_sd', 'tahun'], ['1801', 'LAMPUNG BARAT', 210, 2024], ['1871', 'BANDAR LAMPUNG', 330, 2024]]);
  xlsx = Buffer.from(await wb.xlsx.writeBuffer());
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    asked.push(url);
    // A portal that sends the harvester on to the cloud metadata address.
    if (url.pathname.startsWith('/redirect/')) return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    const ckan = /^\/([\w.-]+)\/api\/3\/action\/(package_search|package_list)$/.exec(url.pathname);
    if (ckan) {
      const [, scenario, action] = ckan;
      if (!fs.existsSync(path.join(FIXTURES, 'ckan', path.basename(scenario)))) return res.writeHead(404).end('Not found');
      const file = action === 'package_search' ? `${action}.start-${url.searchParams.get('start') ?? '0'}.json` : `${action}.json`;
      const body = fixture(path.join(FIXTURES, 'ckan', path.basename(scenario), file), scenario);
      // A start past the pages a fixture has: an empty page, as CKAN answers.
      const empty = JSON.stringify({ success: true, result: { count: 0, results: [] } });
      return res.writeHead(200, { 'content-type': 'application/json' }).end(body ?? (action === 'package_search' ? empty : '{"success":false}'));
    }
    if (url.pathname === '/files/sekolah.xlsx') return res.writeHead(200, { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }).end(xlsx);
    const file = /^\/files\/([\w.-]+)$/.exec(url.pathname);
    if (file) {
      const f = path.join(FIXTURES, 'ckan', 'files', file[1]);
      if (!fs.existsSync(f)) return res.writeHead(404).end();
      return res.writeHead(200, { 'content-type': f.endsWith('.csv') ? 'text/csv' : 'application/octet-stream' }).end(fs.readFileSync(f));
    }
    const dcat = /^\/dcat\/(catalog-\d\.(?:ttl|jsonld))$/.exec(url.pathname);
    if (dcat) {
      const body = fixture(path.join(FIXTURES, 'dcat-harvest', dcat[1]), null);
      return res.writeHead(200, { 'content-type': dcat[1].endsWith('.ttl') ? 'text/turtle; charset=utf-8' : 'application/ld+json' }).end(body);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function source(kind: 'ckan' | 'dcat', url: string, review = false) {
  const wali = await t.bearer(t.w.walidata);
  const made = await request(t.app).post('/api/v1/harvest-sources').set(wali).send({ kind, url, name: `Kabupaten Fixture ${uid()}`, review }).expect(201);
  const run = async () => (await request(t.app).post(`/api/v1/harvest-sources/${made.body.data.id}/run`).set(wali).expect(200)).body.data;
  return { id: made.body.data.id as number, org: made.body.data.organization.slug as string, run };
}

/** The harvested datasets of an organization with their origin and versions. */
async function harvested(orgSlug: string) {
  const rows = await t.svc.db('datasets as d')
    .join('organizations as o', 'o.id', 'd.organization_id')
    .join('dataset_harvests as h', 'h.dataset_id', 'd.id')
    .leftJoin('topics as tp', 'tp.id', 'd.topic_id')
    .where('o.slug', orgSlug)
    .select('d.id', 'd.slug', 'd.title', 'd.title_en', 'd.tags', 'd.frequency', 'd.license', 'd.current_version_id', 'd.retracted_at', 'tp.slug as topic', 'h.remote_id', 'h.remote_url', 'h.remote_modified', 'h.links', 'h.resource_url');
  return new Map(rows.map((r) => [r.title as string, r]));
}
const versionsOf = (id: number) => t.svc.db('versions').where({ dataset_id: id }).orderBy('number').pluck('state');

describe('harvesting CKAN-shaped fixtures', () => {
  it('CKAN 2.9: extras, non-CSV resources kept as links, a deleted resource ignored; a count its pages do not reach retracts nothing', async () => {
    const s = await source('ckan', `${base}/ckan-2.9/api/3/action`);
    const run = await s.run();
    expect(run).toMatchObject({ result: 'partial', seen: 3, created: 3, failed: 0, retracted: 0 });
    expect(run.problems).toEqual([{ dataset: null, message: expect.stringMatching(/menyebut 5 dataset.*hanya memuat 3/) }]);
    // Paged from what was delivered: start=0, then start=3 (empty), then the listing.
    const searches = asked.filter((u) => u.pathname === '/ckan-2.9/api/3/action/package_search');
    expect(searches.map((u) => [u.searchParams.get('start'), u.searchParams.get('rows'), u.searchParams.get('fq')])).toEqual([['0', '100', null], ['3', '100', null]]);

    const here = await harvested(s.org);
    const pusk = here.get('Jumlah Puskesmas Kabupaten Lampung Barat')!;
    expect(pusk).toMatchObject({ frequency: 'tahunan', license: 'cc-by', topic: 'kesehatan', tags: ['kesehatan', 'puskesmas'], remote_id: '5f1c2b3a-0d4e-4a6b-9c8d-1e2f3a4b5c6d', remote_url: `${base}/ckan-2.9/dataset/jumlah-puskesmas-lampung-barat`, resource_url: `${base}/files/puskesmas.csv` });
    expect(new Date(pusk.remote_modified).toISOString()).toBe('2024-03-01T08:15:00.123Z');
    expect(pusk.links).toEqual([
      { url: `${base}/files/laporan.pdf`, name: 'Profil Kesehatan 2024', format: 'PDF' },
      { url: 'https://simpus.lampungbaratkab.go.id/api/puskesmas', name: 'API SIMPUS', format: 'API' },
    ]);
    expect(await versionsOf(pusk.id)).toEqual(['published']);
    // The semicolon CSV loaded like an upload.
    const rows = await request(t.app).get(`/api/v1/datasets/${pusk.slug}/rows?sort=tahun`).expect(200);
    expect(rows.body.data.map((r: Record<string, unknown>) => [r.jumlah_puskesmas, r.tahun])).toEqual([[15, 2023], [16, 2024]]);
    const page = await request(t.app).get(`/dataset/${pusk.slug}`).expect(200);
    expect(page.text).toContain('Profil Kesehatan 2024');
    expect(page.text).toContain('href="https://simpus.lampungbaratkab.go.id/api/puskesmas"');

    const jalan = here.get('Panjang Jalan Kabupaten')!;
    expect(jalan).toMatchObject({ frequency: 'ad_hoc', resource_url: `${base}/files/jalan.csv`, links: [] });
    const jalanRows = await request(t.app).get(`/api/v1/datasets/${jalan.slug}/rows`).expect(200);
    expect(jalanRows.body.data[0].panjang_jalan_km).toBe(1234.5);
    // No table at all: filed with its links, not published (there is nothing to show as data).
    const renstra = here.get('Rencana Strategis Dinas')!;
    expect(renstra).toMatchObject({ current_version_id: null, resource_url: null });
    expect(renstra.links.map((l: { format: string }) => l.format)).toEqual(['PDF', 'HTML']);
    expect(await versionsOf(renstra.id)).toEqual([]);

    // Again: still short, still nothing retracted, nothing new.
    expect(await s.run()).toMatchObject({ result: 'partial', created: 0, updated: 0, retracted: 0, unchanged: 3 });
  });

  it('CKAN 2.10/2.11: pages follow what a portal that caps rows delivers; XLSX and unlabelled CSV load; re-harvest asks by fq and retracts what left', async () => {
    const s = await source('ckan', `${base}/ckan-2.10-2.11-capped`);
    const from = asked.length;
    const first = await s.run();
    expect(first).toMatchObject({ result: 'ok', seen: 3, created: 3, failed: 0 });
    const searches = asked.slice(from).filter((u) => u.pathname.endsWith('/package_search'));
    expect(searches.map((u) => u.searchParams.get('start'))).toEqual(['0', '2']);
    const here = await harvested(s.org);
    expect([...here.keys()].sort()).toEqual(['Jumlah Pasar Tradisional', 'Jumlah Sekolah Dasar', 'Luas Irigasi Teknis']);
    const sd = here.get('Jumlah Sekolah Dasar')!;
    expect(sd).toMatchObject({ topic: 'pendidikan', resource_url: `${base}/files/sekolah.xlsx`, links: [{ url: `${base}/files/sekolah.geojson`, name: 'Lokasi sekolah', format: 'GeoJSON' }] });
    const sdRows = await request(t.app).get(`/api/v1/datasets/${sd.slug}/rows?sort=kode_kabupaten_kota`).expect(200);
    expect(sdRows.body.data.map((r: Record<string, unknown>) => r.jumlah_sd)).toEqual([210, 330]);
    expect(here.get('Luas Irigasi Teknis')).toMatchObject({ frequency: 'tahunan', topic: 'pertanian' });
    const pasar = here.get('Jumlah Pasar Tradisional')!;
    expect(await versionsOf(pasar.id)).toEqual(['published']);

    // The re-harvest asks only for what changed since the last good run (less an hour for clocks).
    const again = asked.length;
    expect(await s.run()).toMatchObject({ result: 'ok', created: 0, updated: 0, unchanged: 3, retracted: 0 });
    const fq = asked.slice(again).find((u) => u.pathname.endsWith('/package_search'))!.searchParams.get('fq');
    expect(fq).toMatch(/^metadata_modified:\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ TO \*\]$/);

    // The market table left the portal: retracted here, with the reason and the harvester's name.
    after.add('ckan-2.10-2.11-capped');
    const gone = await s.run();
    expect(gone).toMatchObject({ result: 'ok', retracted: 1, created: 0 });
    const ds = await t.svc.db('datasets').where({ id: pasar.id }).first();
    expect(ds.retracted_at).not.toBeNull();
    expect(ds.retracted_reason).toMatch(/Tidak lagi diterbitkan/);
    expect(await t.svc.db('audit_events').where({ dataset_id: pasar.id, action: 'dataset.retract' }).first('actor_label')).toEqual({ actor_label: 'sistem:panen' });
    expect((await harvested(s.org)).get('Luas Irigasi Teknis')!.retracted_at).toBeNull();
    // Gone stays gone: nothing more to retract.
    expect(await s.run()).toMatchObject({ result: 'ok', retracted: 0 });
  });

  it('DCAT: follows hydra:nextPage from a Turtle page to a JSON-LD page, and skips a dataset it could not follow', async () => {
    const s = await source('dcat', `${base}/dcat/catalog-1.ttl`, true);
    const run = await s.run();
    expect(run).toMatchObject({ result: 'ok', seen: 3, created: 3, failed: 0 });
    const here = await harvested(s.org);
    expect([...here.keys()].sort()).toEqual(['Curah Hujan Bulanan', 'Jumlah Puskesmas Pesisir', 'Luas Panen Padi']);
    expect(here.get('Curah Hujan Bulanan')).toMatchObject({ title_en: 'Monthly Rainfall', frequency: 'bulanan', tags: ['iklim', 'hujan'], remote_id: 'kab-pesisir-curah-hujan', remote_url: `${base}/dataset/curah-hujan` });
    expect(here.get('Luas Panen Padi')).toMatchObject({ topic: 'pertanian', links: [{ url: 'https://peta.kab-pesisir.example.id/sawah', name: 'Peta sawah', format: 'HTML' }] });
    const pusk = here.get('Jumlah Puskesmas Pesisir')!;
    expect(pusk).toMatchObject({ resource_url: `${base}/files/puskesmas.csv`, links: [{ url: `${base}/files/laporan.pdf`, name: 'Profil kesehatan', format: 'application/pdf' }] });
    // This source asks for review: each waits in the walidata's queue.
    for (const d of here.values()) expect(await versionsOf(d.id)).toEqual(['submitted']);
    expect(await s.run()).toMatchObject({ result: 'ok', created: 0, updated: 0, unchanged: 3 });
  });

  it('refuses a CKAN portal that redirects to the cloud metadata address, and reports a portal that is not CKAN', async () => {
    const s = await source('ckan', `${base}/nothing-here`);
    expect(await s.run()).toMatchObject({ result: 'failed', error: expect.stringMatching(/HTTP 404/) });
    const redirect = await source('ckan', `${base}/redirect/api/3/action`);
    expect(await redirect.run()).toMatchObject({ result: 'failed', created: 0, error: expect.stringMatching(/169\.254\.169\.254.*privat, loopback/) });
  });
});
