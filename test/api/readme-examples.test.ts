import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
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
// the README says it does. Python: Debian's requests, pandas and rdflib; `ckanapi` itself if
// installed, else ckanapi 4.11's own RemoteCKAN source kept unmodified in test/fixtures (PyPI is
// not reachable from every build machine, and Debian has no package of it).

const execFileP = promisify(execFile);
const PASSWORD = 'demo-sandi-uji-123';
const PY = '/usr/bin/python3';
const pythonOk = spawnSync(PY, ['-c', 'import requests, pandas, rdflib'], { stdio: 'ignore' }).status === 0;
const ckanapiInstalled = pythonOk && spawnSync(PY, ['-c', 'import ckanapi'], { stdio: 'ignore' }).status === 0;
const VENDORED_CKANAPI = path.join(__dirname, '../fixtures/ckanapi-4.11');
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
  const env = { ...process.env, ...(lang === 'python' && !ckanapiInstalled ? { PYTHONPATH: VENDORED_CKANAPI } : {}) };
  const [cmd, args] = lang === 'sh' ? ['bash', ['-eo', 'pipefail', '-c', pasted]] : [PY, ['-c', pasted]];
  const { stdout } = await execFileP(cmd, args as string[], { encoding: 'utf8', env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
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
        const out = await run(expected[i].lang, b.code);
        // curl exits 0 on an HTTP error: no answer may be one.
        expect(out).not.toMatch(/"success":false|\{"error":\{/);
        for (const re of expected[i].prints) expect({ block: `${b.lang} #${i + 1}`, matches: re.test(out), out: re.test(out) ? '' : out.slice(0, 3000) }).toEqual({ block: `${b.lang} #${i + 1}`, matches: true, out: '' });
      }
    }, 300_000);
  }
});
