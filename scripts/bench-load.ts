/**
 * Reads while a big file loads: `npm run bench:load -- --rows 1000000 --clients 32 --pairs 2`.
 *
 * Starts the portal (`npm start`, loads in its own worker; `--worker`: web with RUN_WORKER=no
 * and a separate `npm run worker`) on a database of its own with the demo content, then runs a
 * mix of public reads from `--clients` concurrent keep-alive clients on loopback — search (the
 * JSON API and the search page), dataset pages, the rows API and CSV downloads of the published
 * demo datasets — in `--pairs` pairs of windows, alternating which comes first:
 *   - baseline: the mix alone for `--seconds`;
 *   - loaded: the mix while an N-row CSV is uploaded through the API and loaded, from the first
 *     byte of the upload until its version is `draft` (the indexes built after it are awaited
 *     before the next window, outside both).
 * For each window: requests, errors (any answer but 200, or a failed connection; target 0), the
 * error rate, throughput, p50/p99/max latency (request sent → last byte of the body), and the
 * same per kind of read. Each pair goes to stderr as it ends; stdout gets one JSON line with
 * every pair, the median ratios (loaded / baseline) and the load averages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { api, freshDatabase, generateOpenDataCsv, loadAverage, median, percentile, round, startPortal, untilIndexed, uploadVersion, type Portal } from './bench-lib';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    clients: { type: 'string', default: '32' },
    pairs: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '20' },
    worker: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const CLIENTS = Number(args.clients);
const PAIRS = Number(args.pairs);
const BASELINE_S = Number(args.seconds);

type Kind = 'search_api' | 'search_page' | 'dataset_page' | 'rows_api' | 'csv_download';
const KINDS: Kind[] = ['search_api', 'search_page', 'dataset_page', 'rows_api', 'csv_download'];

interface Sample {
  kind: Kind;
  ms: number;
  /** HTTP status, or 0 for a failed connection. */
  status: number;
}

interface Target {
  slug: string;
  rows: number;
}

/** What the mix reads: the published datasets and words from their titles. */
interface Corpus {
  targets: Target[];
  words: string[];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

/** One GET, timed to the last byte of its body. */
function get(base: string, pathname: string): Promise<{ status: number; ms: number }> {
  const t0 = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
  return new Promise((resolve) => {
    const req = http.get(`${base}${pathname}`, { agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: ms() }));
      res.on('error', () => resolve({ status: 0, ms: ms() }));
    });
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: ms() }));
  });
}

let seed = 7;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);

function pathFor(kind: Kind, c: Corpus): string {
  const t = c.targets[rand(c.targets.length)];
  const q = encodeURIComponent(c.words[rand(c.words.length)]);
  switch (kind) {
    case 'search_api':
      return `/api/v1/datasets?q=${q}`;
    case 'search_page':
      return `/dataset?q=${q}`;
    case 'dataset_page':
      return `/dataset/${t.slug}`;
    case 'rows_api':
      return `/api/v1/datasets/${t.slug}/rows?limit=100&offset=${t.rows > 100 ? rand(t.rows - 100) : 0}`;
    case 'csv_download':
      return `/dataset/${t.slug}/download.csv`;
  }
}

/** Runs the mix from CLIENTS loops until `done()`; every request's sample. */
async function runMix(base: string, c: Corpus, done: () => boolean): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (!done()) {
        const kind = KINDS[rand(KINDS.length)];
        const r = await get(base, pathFor(kind, c));
        samples.push({ kind, ...r });
      }
    }),
  );
  return { samples, seconds: (Date.now() - t0) / 1000 };
}

interface Stats {
  requests: number;
  errors: number;
  error_rate: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

function stats(samples: Sample[], seconds: number): Stats {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const r1 = (n: number) => round(n, 1);
  const errors = samples.filter((s) => s.status !== 200).length;
  return {
    requests: samples.length,
    errors,
    error_rate: samples.length ? round(errors / samples.length, 5) : 0,
    rps: r1(samples.length / seconds),
    p50_ms: r1(percentile(ms, 50)),
    p99_ms: r1(percentile(ms, 99)),
    max_ms: r1(ms[ms.length - 1] ?? NaN),
  };
}

function windowStats(w: { samples: Sample[]; seconds: number }) {
  const statuses: Record<string, number> = {};
  for (const s of w.samples) if (s.status !== 200) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return {
    seconds: round(w.seconds, 1),
    ...stats(w.samples, w.seconds),
    failed_statuses: statuses,
    kinds: Object.fromEntries(KINDS.map((k) => [k, stats(w.samples.filter((s) => s.kind === k), w.seconds)])),
  };
}

/** A worker process (`npm run worker`) on the portal's database. */
function spawnWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'server', 'worker-main.ts')], {
    env: { ...process.env, LOG_LEVEL: args.verbose ? 'info' : 'warn', ...env },
    stdio: ['ignore', args.verbose ? 'inherit' : 'ignore', 'inherit'],
  });
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-bench-load-'));
  const file = path.join(work, 'bench.csv');
  const bytes = await generateOpenDataCsv(file, ROWS);
  const db = await freshDatabase(work, 'satudata_bench_load');
  const url = db.url;
  let web: Portal | null = null;
  let worker: ChildProcess | null = null;
  const pairs: unknown[] = [];
  try {
    // The demo content goes through the real upload → review → publish path: the datasets read.
    web = await startPortal(url, work, { verbose: args.verbose, env: { LOAD_DEMO: 'yes', ...(args.worker ? { RUN_WORKER: 'no' } : {}) } });
    const base = web.base;
    if (args.worker) worker = spawnWorker({ DATABASE_URL: url, DATA_DIR: path.join(work, 'app') });
    await web.cli(['org:create', '--slug', 'bench', '--name', 'Dinas Bench', '--kind', 'opd']);
    await web.cli(['user:create', '--email', 'bench@bench.id', '--name', 'Bench', '--role', 'produsen', '--org', 'bench', '--password', 'bench-password-123']);
    const { token } = await api(base, '/api/v1/tokens', { method: 'POST', body: JSON.stringify({ email: 'bench@bench.id', password: 'bench-password-123' }) });

    const listed = (await api(base, '/api/v1/datasets?per_page=100')).data as Array<{ slug: string; title: string }>;
    const targets: Target[] = [];
    for (const d of listed) {
      const rows = await api(base, `/api/v1/datasets/${d.slug}/rows?limit=1`).catch(() => null);
      if (rows) targets.push({ slug: d.slug, rows: Number(rows.meta.total) });
    }
    if (!targets.length) throw new Error('no published dataset to read (the demo content did not load)');
    const words = [...new Set(listed.flatMap((d) => d.title.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 5)))].slice(0, 40);
    const corpus: Corpus = { targets, words: words.length ? words : ['data'] };
    // Warm-up: the first requests compile templates and fill caches.
    const warm = Date.now();
    await runMix(base, corpus, () => Date.now() - warm > 3000);

    const loadAtStart = loadAverage();
    for (let i = 0; i < PAIRS; i++) {
      const load1 = os.loadavg()[0];
      const baseline = async () => {
        const t = Date.now();
        return windowStats(await runMix(base, corpus, () => Date.now() - t > BASELINE_S * 1000));
      };
      const loaded = async () => {
        const { data: ds } = await api(base, '/api/v1/datasets', {
          method: 'POST', token, body: JSON.stringify({ organization: 'bench', title: `Bench load ${i} ${Date.now()}`, topic: 'ekonomi' }),
        });
        let finished = false;
        let version: { number: number; state: string; row_count: number | null } | null = null;
        const t0 = Date.now();
        let failure: unknown = null;
        const loading = (async () => {
          try {
            const up = await uploadVersion(base, ds.slug, token, file);
            if (up.status !== 201 && up.status !== 202) throw new Error(`upload → ${up.status} ${JSON.stringify(up.body)}`);
            let v: { number: number; state: string; row_count: number | null } = up.body.data;
            while (v.state === 'processing') {
              await new Promise((r) => setTimeout(r, 250));
              v = (await api(base, `/api/v1/datasets/${ds.slug}/versions/${v.number}`, { token })).data;
            }
            version = v;
          } catch (err) {
            failure = err;
          } finally {
            finished = true;
          }
        })();
        const mix = await runMix(base, corpus, () => finished);
        await loading;
        const v = version as { state: string; row_count: number | null } | null;
        // A load that did not end as a draft of all its rows is reported, not hidden: the reads' figures still stand.
        const problem = failure ? String((failure as Error).message ?? failure) : v?.state !== 'draft' || v.row_count !== ROWS ? `the load ended ${v?.state} with ${v?.row_count} rows` : null;
        return { ...windowStats(mix), load: { seconds: round((Date.now() - t0) / 1000, 1), state: v?.state ?? null, rows: v?.row_count ?? null, ...(problem ? { problem } : {}) } };
      };
      const baselineFirst = i % 2 === 0;
      const first = baselineFirst ? await baseline() : await loaded();
      await untilIndexed(url);
      const second = baselineFirst ? await loaded() : await baseline();
      await untilIndexed(url);
      const [b, l] = baselineFirst ? [first, second] : [second, first];
      const pair = {
        order: baselineFirst ? 'baseline, loaded' : 'loaded, baseline',
        baseline: b,
        loaded: l,
        ratio: { p50: round(l.p50_ms / b.p50_ms, 2), p99: round(l.p99_ms / b.p99_ms, 2), rps: round(l.rps / b.rps, 2) },
        load_1m: [round(load1, 2), round(os.loadavg()[0], 2)],
      };
      pairs.push(pair);
      process.stderr.write(`pair ${i + 1}/${PAIRS}: ${JSON.stringify({ order: pair.order, baseline: { ...b, kinds: undefined }, loaded: { ...l, kinds: undefined }, ratio: pair.ratio })}\n`);
    }
    const all = pairs as Array<{ ratio: { p50: number; p99: number; rps: number }; baseline: Stats; loaded: Stats }>;
    process.stdout.write(
      `${JSON.stringify({
        rows: ROWS,
        bytes,
        clients: CLIENTS,
        worker: args.worker ? 'separate process' : 'in the web process',
        datasets_read: targets.length,
        pairs,
        errors: { baseline: all.reduce((n, p) => n + p.baseline.errors, 0), loaded: all.reduce((n, p) => n + p.loaded.errors, 0) },
        median_ratio: { p50: median(all.map((p) => p.ratio.p50)), p99: median(all.map((p) => p.ratio.p99)), rps: median(all.map((p) => p.ratio.rps)) },
        load_average_start: loadAtStart,
        load_average: loadAverage(),
        database: db.server,
        cpus: os.cpus().length,
      })}\n`,
    );
  } finally {
    agent.destroy();
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await web?.stop();
    await db.stop();
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
