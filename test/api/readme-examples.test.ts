import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { Server } from 'node:http';
import { createApp } from '../../server/app';
import { loadDemo } from '../../server/demo';
import { listen } from '../support/browser';
import { tokenFor } from '../support/http';
import { isolatedDatabase } from '../support/isolated-db';
import { readmeBlocks } from '../support/readme-blocks';
import { testServices, type TestServices } from '../support/services';

// The README's examples of the machine interfaces, run as a reader would paste them: every `sh`
// and `python` block of each interface's section, against a portal with the demo content, with
// only the address (and the placeholder token) swapped. Each block must succeed and print what
// the README says it does. Python: Debian's requests, pandas and rdflib; the `ckanapi` block only
// where ckanapi is installed (PyPI is not reachable from every build machine and Debian has no
// package of it) — otherwise that block is skipped, says so, and the calls it makes are sent as
// RemoteCKAN sends them (JSON POST to /api/action/<name>, the key as a bare Authorization header)
// by the check at the end of this file.

const execFileP = promisify(execFile);
const PASSWORD = 'demo-sandi-uji-123';
const PY = '/usr/bin/python3';
const pythonOk = spawnSync(PY, ['-c', 'import requests, pandas, rdflib'], { stdio: 'ignore' }).status === 0;
const ckanapiInstalled = pythonOk && spawnSync(PY, ['-c', 'import ckanapi'], { stdio: 'ignore' }).status === 0;
if (pythonOk && !ckanapiInstalled) console.warn('readme-examples.test: the ckanapi block is skipped (ckanapi is not installed; pip install ckanapi where PyPI is reachable); its calls are checked on the wire instead');
if (!pythonOk) console.warn('readme-examples.test: Python blocks skipped — apt-get install -y python3-requests python3-pandas python3-rdflib');

/** What each block of each section must print (in order of the blocks). */
const EXPECT: Array<[section: string, blocks: Array<{ lang: 'sh' | 'python'; prints: RegExp[] }>]> = [
  ['JSON API', [
    { lang: 'sh', prints: [/"data":\[\{"slug":"jumlah-penduduk-dan-luas-wilayah/, /"meta":\{"total":15,"limit":3,"offset":0\}/, /"data":\[\{"tahun":2025,"value":\d+\}\],"meta":\{"group":\["tahun"\]/] },
    { lang: 'python', prints: [/^15 +kode_kabupaten_kota +jumlah_penduduk_jiwa$/m, /^0 +1801 +\d+$/m] },
  ]],
  ['CKAN action API', [
    { lang: 'sh', prints: [/"success":true,"result":\{"count":[1-9]/, /"search_facets":\{"groups":\{"title":"groups","items":\[/, /"help":"[^"]+help_show\?name=package_show","success":true,"result":\{[^]*"name":"persentase-penduduk-miskin-provinsi-lampung"/] },
    { lang: 'python', prints: [/^1 persentase-penduduk-miskin-provinsi-lampung 2 \['September 2025', 'Maret 2025'\]$/m, /^refused: \{'__type': 'Authorization Error'/m, /^[1-9]\d*$/m] },
  ]],
  ['DCAT-AP 3', [
    { lang: 'sh', prints: [/a dcat:Catalog/, /hydra:PagedCollection/, /"@type": \[?\s*"dcat:Dataset"/] },
    { lang: 'python', prints: [/^[1-9]\d* datasets$/m, /^http:\/\/127\.0\.0\.1:\d+\/dataset\/jumlah-penduduk-dan-luas-wilayah-kabupaten-kota-di-provinsi-lampung\//m] },
  ]],
  ['Frictionless Data Package', [
    { lang: 'sh', prints: [/"\$schema":"https:\/\/datapackage\.org\/profiles\/2\.0\/datapackage\.json"/, /"foreignKeys":\[\{"fields":\["kode_kabupaten_kota"\],"reference":\{"resource":"wilayah"/] },
    { lang: 'python', prints: [/'kode_kabupaten_kota': string/, /'jumlah_penduduk_jiwa': dtype\('int64'\)/, /\} True True$/m] },
  ]],
  ['Change feed and Atom', [
    { lang: 'sh', prints: [/"data":\[\{"type":"published","dataset":"[a-z0-9-]+","version":1,"at":"[^"]+"\},\{[^]*"has_more":true/, /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/] },
    { lang: 'python', prints: [/^[1-9]\d* \['published'/m] },
  ]],
  ['CORS, caching and compression', [
    { lang: 'sh', prints: [/^Access-Control-Allow-Origin: \*\r?$/im, /^304$/m, /^Content-Encoding: gzip\r?$/im] },
  ]],
];

let svc: TestServices;
let drop: () => Promise<void>;
let server: Server;
let base: string;
let token: string;

beforeAll(async () => {
  const db = await isolatedDatabase();
  drop = db.drop;
  svc = testServices({ url: db.url });
  await loadDemo(svc, PASSWORD);
  const app = createApp(svc);
  ({ server, base } = await listen(app));
  token = await tokenFor(app, 'walidata@demo.satudata.id', PASSWORD);
}, 240_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await svc?.close();
  await drop?.();
});

/** Runs a block as pasted (asynchronously: the portal answering it runs in this process). */
async function run(lang: 'sh' | 'python', code: string): Promise<string> {
  const pasted = code.replaceAll('http://localhost:3000', base).replaceAll('sdp_…', token);
  const [cmd, args] = lang === 'sh' ? ['bash', ['-eo', 'pipefail', '-c', pasted]] : [PY, ['-c', pasted]];
  const { stdout } = await execFileP(cmd, args as string[], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe('the README examples of the machine interfaces', () => {
  const blocks = readmeBlocks('Machine interfaces').filter((b) => b.lang === 'sh' || b.lang === 'python');

  it('has an example for every interface, and a check here for every example', () => {
    const sections = [...new Set(blocks.map((b) => b.section))];
    for (const [name] of EXPECT) expect(sections.some((s) => s.startsWith(name))).toBe(true);
    // The runnable blocks of the interfaces' sections are exactly those checked below.
    const checked = blocks.filter((b) => EXPECT.some(([name]) => b.section.startsWith(name)));
    expect(checked.map((b) => [b.section.split(' (')[0], b.lang])).toEqual(EXPECT.flatMap(([name, bs]) => bs.map((b) => [expect.stringContaining(name), b.lang])));
  });

  for (const [name, expected] of EXPECT) {
    it(`${name}: every example works as pasted`, async () => {
      const mine = blocks.filter((b) => b.section.startsWith(name));
      expect(mine.length).toBe(expected.length);
      for (const [i, b] of mine.entries()) {
        if (b.lang === 'python' && !pythonOk) continue;
        if (b.lang === 'python' && /^import ckanapi/m.test(b.code) && !ckanapiInstalled) continue;
        const out = await run(expected[i].lang, b.code);
        // curl exits 0 on an HTTP error: no answer may be one.
        expect(out).not.toMatch(/"success":false|\{"error":\{/);
        for (const re of expected[i].prints) expect({ block: `${b.lang} #${i + 1}`, matches: re.test(out), out: re.test(out) ? '' : out.slice(0, 3000) }).toEqual({ block: `${b.lang} #${i + 1}`, matches: true, out: '' });
      }
    }, 300_000);
  }

  // What the README's ckanapi block sends, as RemoteCKAN 4.x sends it: every action a JSON POST to
  // /api/action/<name> with a ckanapi User-Agent, the API key as a bare Authorization header; an
  // answer with success false becomes an exception chosen by error.__type.
  it('CKAN action API: the ckanapi block\'s calls work on the wire as RemoteCKAN makes them', async () => {
    interface Answer { count: number; results: Array<{ name: string }>; name: string; resources: Array<{ id: string }>; total: number; records: Array<{ periode: string }> }
    async function action(name: string, body: object, apikey?: string) {
      const res = await fetch(`${base}/api/action/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'ckanapi/4.11 (+https://github.com/ckan/ckanapi)', ...(apikey ? { Authorization: apikey } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() as { success: boolean; result: Answer; error?: { __type: string } } };
    }
    const found = await action('package_search', { fq: 'groups:kemiskinan', sort: 'metadata_modified desc' });
    expect(found.status).toBe(200);
    expect(found.json.result.count).toBe(1);
    const pkg = await action('package_show', { id: found.json.result.results[0].name });
    expect(pkg.json.result.name).toBe('persentase-penduduk-miskin-provinsi-lampung');
    const rows = await action('datastore_search', { resource_id: pkg.json.result.resources[0].id, limit: 5, filters: { tahun: 2025 }, sort: '_id desc' });
    expect(rows.json.result.total).toBe(2);
    expect(rows.json.result.records.map((r) => r.periode)).toEqual(['September 2025', 'Maret 2025']);
    const sql = await action('datastore_search_sql', { sql: 'SELECT 1' });
    expect([sql.status, sql.json.success, sql.json.error?.__type]).toEqual([403, false, 'Authorization Error']);
    const mine = await action('package_search', { include_private: true }, token);
    const open = await action('package_search', { include_private: true });
    expect([mine.status, mine.json.success]).toEqual([200, true]);
    expect(mine.json.result.count).toBeGreaterThanOrEqual(open.json.result.count);
    const bad = await action('package_search', { include_private: true }, 'sdp_not-a-token');
    expect([bad.status, bad.json.error?.__type]).toEqual([403, 'Authorization Error']);
  });
});
