import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import type { Server } from 'node:http';
import { publishedDataset } from '../support/factories';
import { listen } from '../support/browser';
import { testWorld } from '../support/world';

// What Python users run against the portal, with Debian's pandas and rdflib (python3-pandas,
// python3-rdflib): pandas.read_csv of a download with dtype for the code column (and of the
// Excel-friendly dialect), the rows API into a DataFrame, and rdflib parsing the catalog and a
// dataset in Turtle, JSON-LD and RDF/XML. Skipped, saying why, where no python3 has both.
// (The README's own examples, ckanapi's RemoteCKAN among them, run in readme-examples.test.ts.)

const PYTHONS = ['/usr/bin/python3', 'python3'];
const python = PYTHONS.find((p) => spawnSync(p, ['-c', 'import pandas, rdflib'], { stdio: 'ignore' }).status === 0);
if (!python) {
  console.warn('python-clients.test: skipped — no python3 with pandas and rdflib (apt-get install -y python3-pandas python3-rdflib)');
}
const maybe = python ? describe : describe.skip;

const t = testWorld();
let server: Server;
let base: string;
let slug: string;
const CSV = 'kode_desa,nama_desa,jumlah_penduduk,rasio\n0012,Way Halim,5120,"1,5"\n0107,Kedaton,7034,2.25\n';

maybe('Python clients (pandas, rdflib)', () => {
  beforeAll(async () => {
    ({ server, base } = await listen(t.app));
    const { ds } = await publishedDataset(t.svc, t.w, CSV.replace('"1,5"', '1.5'), { title_en: 'Village population (Python test)' });
    slug = ds.slug;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('reads the downloads with pandas, codes kept as text, and the RDF with rdflib', async () => {
    // Asynchronously: the app answering Python runs in this very process.
    const { stdout } = await promisify(execFile)(python!, [path.join(__dirname, '../support/python-clients.py'), base, slug, 'kode_desa'], { encoding: 'utf8', timeout: 170_000, maxBuffer: 64 * 1024 * 1024 });
    const out = JSON.parse(stdout);
    expect(out.csv.columns).toEqual(['kode_desa', 'nama_desa', 'jumlah_penduduk', 'rasio']);
    expect(out.csv.codes).toEqual(['0012', '0107']);
    expect(out.csv.dtypes).toMatchObject({ kode_desa: 'string', jumlah_penduduk: 'int64', rasio: 'float64' });
    expect(out.excel.codes).toEqual(['0012', '0107']);
    expect(out.api_rows).toBe(2);
    expect(out.catalog.datasets).toBeGreaterThan(0);
    for (const ext of ['ttl', 'jsonld', 'rdf']) {
      expect(out[ext].titles).toEqual(expect.arrayContaining([expect.stringMatching(/^Dataset Uji/), 'Village population (Python test)']));
      expect(out[ext].downloads).toContain(`${base}/dataset/${slug}/download.csv?version=1`);
      expect(out[ext].triples).toBe(out.ttl.triples);
    }
  }, 180_000);
});
