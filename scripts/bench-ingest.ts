/**
 * Loading benchmark: `npm run bench:ingest -- --rows N`.
 *
 * Generates an Open Data style CSV of N rows (region code and name, indicator, value with two
 * decimals, unit, year, and an empty column), then, `--runs` times in turn:
 *   - the baseline: psql's `\copy … from 'file' with (format csv, header)` into an all-text table
 *     of the same database (timed from psql's start to its exit; without psql on the PATH, a COPY
 *     streamed from Node, and the JSON's `baseline` says which);
 *   - the ingest: the file uploaded through the HTTP API as a user would, until its version is
 *     `draft` with its report (`indexed_s`: until the indexes built after the draft are done too;
 *     the next baseline waits for them).
 * Each pair goes to stderr as it ends; stdout gets one JSON line with every pair, the medians
 * (of baseline, ingest and of the pairs' ratios) and the server's peak resident memory (VmHWM of
 * the portal, a child process), its resident memory after start-up, and the load averages (at
 * the start, at the end, and the 1-minute one around each pair: figures from a busy machine are
 * noise, however they come out).
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { startEmbeddedPostgres } from '../server/db/embedded';
import { api, freePort, generateOpenDataCsv as generate, loadAverage, OPEN_DATA_HEADER as HEADER, peakRssMb, rssMb, untilIndexed, uploadVersion, waitFor } from './bench-lib';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
  },
});
const ROWS = Number(args.rows);
const RUNS = Number(args.runs);

/** How the baseline was taken: psql's \copy when psql is on the PATH, else COPY from Node. */
type Baseline = 'psql \\copy' | 'pg-copy-streams';

function hasPsql(): boolean {
  return spawnSync('psql', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Runs psql with one command against `url`; rejects with its error output. */
function psql(url: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('psql', ['--no-psqlrc', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql: ${err}`))));
  });
}

/**
 * The baseline: the fastest way a client can push the file into the same database — psql's
 * \copy into an all-text table (timed from psql's start to its exit) — or, without psql, a COPY
 * streamed from Node. The table is created before and dropped after the timing.
 */
async function baselineCopy(url: string, file: string, kind: Baseline, columns: number): Promise<number> {
  const table = `bench_baseline_${crypto.randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE ${table} (${Array.from({ length: columns }, (_, i) => `c${i + 1} text`).join(', ')})`);
    const t0 = process.hrtime.bigint();
    if (kind === 'psql \\copy') {
      await psql(url, `\\copy ${table} from '${file.replace(/'/g, "''")}' with (format csv, header)`);
    } else {
      await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), client.query(copyFrom(`COPY ${table} FROM STDIN WITH (FORMAT csv, HEADER true)`)));
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
    if (rows[0].n !== ROWS) throw new Error(`baseline loaded ${rows[0].n} rows, not ${ROWS}`);
    return seconds;
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.end();
  }
}

interface BenchVersion {
  number: number;
  state: string;
  row_count: number | null;
  report: { errors: unknown[] };
}

/** One baseline and one ingest, run one after the other. */
interface Pair {
  baseline_s: number;
  ingest_s: number;
  ratio: number;
  upload_s: number;
  indexed_s: number;
  peak_rss_mb: number;
  load_1m: number[];
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-bench-'));
  const file = path.join(work, 'bench.csv');
  const bytes = await generate(file, ROWS);

  let url = process.env.DATABASE_URL;
  let stopDb: (() => Promise<void>) | null = null;
  if (!url) {
    const embedded = await startEmbeddedPostgres(path.join(work, 'data'), 'satudata');
    url = embedded.url;
    stopDb = async () => {
      await embedded.stop();
      // Kept outside the scratch directory when running as root: remove it too.
      if (embedded.clusterDir.startsWith('/var/lib/satudata/clusters/')) fs.rmSync(embedded.clusterDir, { recursive: true, force: true });
    };
  } else {
    // A fresh database on the given server, so the portal starts empty.
    const name = `satudata_bench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${name}`;
    const adminUrl = url;
    url = u.toString();
    stopDb = async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'server', 'main.ts')], {
    env: { ...process.env, DATABASE_URL: url, PORT: String(port), DATA_DIR: path.join(work, 'app'), LOAD_DEMO: 'no', LOG_LEVEL: args.verbose ? 'info' : 'warn', MAX_UPLOAD_MB: '2000' },
    stdio: ['ignore', args.verbose ? 'inherit' : 'ignore', 'inherit'],
  });
  const results: Pair[] = [];
  const round = (n: number) => Math.round(n * 1000) / 1000;
  try {
    await waitFor(`${base}/healthz`, child);
    const cli = (cmd: string[]) =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'cli.ts'), ...cmd], { env: { ...process.env, DATABASE_URL: url } });
        let out = '';
        let err = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (err += d));
        p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
      });
    await cli(['org:create', '--slug', 'bench', '--name', 'Dinas Bench', '--kind', 'opd']);
    await cli(['user:create', '--email', 'bench@bench.id', '--name', 'Bench', '--role', 'produsen', '--org', 'bench', '--password', 'bench-password']);
    const { token } = await api(base, '/api/v1/tokens', { method: 'POST', body: JSON.stringify({ email: 'bench@bench.id', password: 'bench-password' }) });

    const baselineKind: Baseline = hasPsql() ? 'psql \\copy' : 'pg-copy-streams';
    const columns = HEADER.trim().split(',').length;
    const idleRss = rssMb(child.pid!);
    let peakDuring = 0;
    const sampler = setInterval(() => (peakDuring = Math.max(peakDuring, rssMb(child.pid!))), 100);
    // Baseline and ingest alternate, so a change in the machine's load touches both alike.
    const loadAtStart = loadAverage();
    for (let run = 0; run < RUNS; run++) {
      const loadBefore = os.loadavg()[0];
      const baseline = await baselineCopy(url, file, baselineKind, columns);
      const { data: ds } = await api(base, '/api/v1/datasets', {
        method: 'POST', token, body: JSON.stringify({ organization: 'bench', title: `Bench ${run} ${Date.now()}`, topic: 'ekonomi' }),
      });
      const t0 = process.hrtime.bigint();
      const up = (await uploadVersion(base, ds.slug, token, file)) as { status: number; body: { data: BenchVersion } };
      const uploaded = Number(process.hrtime.bigint() - t0) / 1e9;
      if (up.status !== 201 && up.status !== 202) throw new Error(`upload → ${up.status} ${JSON.stringify(up.body)}`);
      let v = up.body.data;
      while (v.state === 'processing') {
        await new Promise((r) => setTimeout(r, 25));
        v = (await api(base, `/api/v1/datasets/${ds.slug}/versions/${v.number}`, { token })).data;
      }
      const ingest = Number(process.hrtime.bigint() - t0) / 1e9;
      if (v.state !== 'draft' || v.row_count !== ROWS || v.report.errors.length) {
        throw new Error(`unexpected result: ${v.state} rows=${v.row_count} errors=${JSON.stringify(v.report.errors.slice(0, 3))}`);
      }
      // The draft is out; its indexes are still building. Wait for them, so the next baseline
      // does not share the machine with them (and say how long they took after the draft).
      await untilIndexed(url);
      const indexed = Number(process.hrtime.bigint() - t0) / 1e9;
      const pair: Pair = {
        baseline_s: round(baseline),
        ingest_s: round(ingest),
        ratio: round(ingest / baseline),
        upload_s: round(uploaded),
        indexed_s: round(indexed),
        peak_rss_mb: peakRssMb(child.pid!),
        // The machine's 1-minute load average before and after the pair: a busy machine slows
        // both sides, but not alike (psql's one process suffers more than the portal's two parts).
        load_1m: [round(loadBefore), round(os.loadavg()[0])],
      };
      results.push(pair);
      process.stderr.write(`run ${run + 1}/${RUNS}: ${JSON.stringify(pair)}\n`);
    }
    clearInterval(sampler);
    // Medians (with --runs 1, the only run): not the best, so noise cannot flatter.
    const median = (xs: number[]) => {
      const s = [...xs].sort((x, y) => x - y);
      return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    process.stdout.write(
      `${JSON.stringify({
        rows: ROWS,
        bytes,
        baseline: baselineKind,
        runs: results,
        median_baseline_s: round(median(results.map((r) => r.baseline_s))),
        median_ingest_s: round(median(results.map((r) => r.ingest_s))),
        median_ratio: round(median(results.map((r) => r.ratio))),
        peak_rss_mb: peakRssMb(child.pid!),
        idle_rss_mb: idleRss,
        peak_rss_sampled_mb: Math.max(peakDuring, idleRss),
        load_average_start: loadAtStart,
        load_average: loadAverage(),
        cpus: os.cpus().length,
      })}\n`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await stopDb?.();
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
