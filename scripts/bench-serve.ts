/**
 * Serving benchmark: `npm run bench:serve -- --rows N`.
 *
 * Generates an Open Data style CSV of N rows (region, indicator, value with two decimals, unit,
 * year), starts the portal on a fresh database (on `DATABASE_URL`, else the machine's PostgreSQL,
 * else an embedded one; `--embedded` forces the last), and publishes the file the way a user
 * does: a producer uploads it through the HTTP API, submits the draft, the walidata approves.
 * The portal runs as deployed (`NODE_ENV=production`).
 * Then, each against a baseline measured in the same run, baseline and measurement alternating
 * (`--pairs` times), every pair reported with the median ratio:
 *   - `page`, `search`, `rows` (a region filter and a value sort, the region and the page
 *     changing from request to request), `aggregate` (group by region and year): the 95th
 *     percentile of `--requests` sequential requests, against `/healthz` of the same server;
 *     the first request of each (before any warm-up) is reported apart as `cold_ms`, and
 *     `rows_uncached` asks only what was never asked before (a region and a year, each once);
 *   - `page_throughput`: requests per second of the dataset page under `--connections`
 *     connections for `--seconds` seconds, against `/healthz` under the same load (wrk when it
 *     is on the PATH, else autocannon; the JSON says which); beside it the CPU time per request
 *     of the server and of its database connections, which a busy machine changes far less;
 *   - `csv`: the whole CSV download against psql's `\copy (select … order by _id) to stdout` of
 *     the same table, with the server's resident memory before, at its highest during, and after.
 * Pairs go to stderr as they end; stdout gets one JSON line. Load averages are in it: figures
 * from a busy machine are noise, whatever they say.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cpuMs, freshDatabase, hasCommand, loadAverage, median, peakRssMb, percentile, publishDataset, round, rssMb, startPortal } from './bench-lib';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    pairs: { type: 'string', default: '5' },
    requests: { type: 'string', default: '100' },
    connections: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '5' },
    embedded: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const PAIRS = Number(args.pairs);
const REQUESTS = Number(args.requests);
const CONNECTIONS = Number(args.connections);
const SECONDS = Number(args.seconds);

const REGIONS = ['1801', '1802', '1803', '1804', '1805', '1806', '1807', '1808', '1809', '1810', '1811', '1812', '1813', '1871', '1872'];
const INDICATORS = ['Jumlah penduduk', 'Angka partisipasi sekolah', 'Prevalensi stunting', 'Produksi padi', 'Panjang jalan', 'Jumlah puskesmas'];
const UNITS = ['Jiwa', 'Persen', 'Persen', 'Ton', 'Km', 'Unit'];
const COLUMNS = ['region', 'indicator', 'value', 'unit', 'year'];

/** Writes the benchmark file; deterministic for a given row count. */
async function generate(file: string, rows: number): Promise<number> {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  async function* lines() {
    yield `${COLUMNS.join(',')}\n`;
    let chunk: string[] = [];
    for (let i = 0; i < rows; i++) {
      const k = Math.floor(i / REGIONS.length) % INDICATORS.length;
      const year = 2000 + (Math.floor(i / (REGIONS.length * INDICATORS.length)) % 26);
      chunk.push(`${REGIONS[i % REGIONS.length]},${INDICATORS[k]},${(rand() * 100000).toFixed(2)},${UNITS[k]},${year}`);
      if (chunk.length === 5000) {
        yield `${chunk.join('\n')}\n`;
        chunk = [];
      }
    }
    if (chunk.length) yield `${chunk.join('\n')}\n`;
  }
  await pipeline(lines, fs.createWriteStream(file));
  return fs.statSync(file).size;
}

/** One timed GET read to its end; throws on a status other than 200. */
async function timedGet(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = process.hrtime.bigint();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status} ${Buffer.from(body).toString('utf8', 0, 300)}`);
  return { ms, bytes: body.byteLength };
}

/** The 95th percentile (ms) of `n` sequential requests, the i-th to `url(i)`. */
async function p95(url: (i: number) => string, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push((await timedGet(url(i))).ms);
  return round(percentile(times, 95), 2);
}

/** Requests per second under `connections` connections for `seconds` seconds, and how many were answered. */
async function throughput(url: string, tool: 'wrk' | 'autocannon'): Promise<{ rps: number; requests: number }> {
  if (tool === 'wrk') {
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn('wrk', ['-t', '2', '-c', String(CONNECTIONS), '-d', `${SECONDS}s`, url]);
      let s = '';
      p.stdout.on('data', (d) => (s += d));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`wrk exited ${code}`))));
    });
    const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
    const n = /(\d+) requests in/.exec(out);
    if (!m || !n || /Non-2xx/.test(out)) throw new Error(`wrk: ${out}`);
    return { rps: round(Number(m[1]), 1), requests: Number(n[1]) };
  }
  // autocannon has no types of its own; this is the part of its result used here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as (o: Record<string, unknown>) => Promise<{ requests: { total: number }; duration: number; non2xx: number; errors: number }>;
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
  if (r.non2xx || r.errors) throw new Error(`autocannon: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return { rps: round(r.requests.total / r.duration, 1), requests: r.requests.total };
}

/**
 * CPU time the server and its database connections spend on `run`'s requests, in ms per request:
 * what a busy machine changes least (requests per second move with whatever else runs). The
 * database's backends are this database's connections (PostgreSQL on this machine: the machine's
 * or the embedded one), those before and those opened meanwhile.
 */
async function cpuPerRequest(client: pg.Client, serverPid: number, run: () => Promise<{ requests: number }>): Promise<{ server_ms: number; postgres_ms: number }> {
  const backends = async () => (await client.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((r) => r.pid as number);
  const before = new Map((await backends()).map((p) => [p, cpuMs(p)]));
  const server0 = cpuMs(serverPid);
  const { requests } = await run();
  const server = cpuMs(serverPid) - server0;
  const postgres = (await backends()).reduce((sum, p) => sum + cpuMs(p) - (before.get(p) ?? 0), 0);
  return { server_ms: round(server / requests, 3), postgres_ms: round(postgres / requests, 3) };
}

/** psql's `\copy (sql) to stdout` into /dev/null, timed from psql's start to its exit (s). */
function psqlCopy(url: string, sql: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const devNull = fs.openSync('/dev/null', 'w');
    const t0 = process.hrtime.bigint();
    const p = spawn('psql', ['--no-psqlrc', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', `\\copy (${sql}) to stdout with (format csv, header)`], { stdio: ['ignore', devNull, 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => {
      fs.closeSync(devNull);
      if (code === 0) resolve(Number(process.hrtime.bigint() - t0) / 1e9);
      else reject(new Error(`psql: ${err}`));
    });
  });
}

/** The CSV download read to its end as a plain client does (no compression asked), timed (s). */
function download(url: string): Promise<{ s: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    http
      .get(url, { agent: false }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url} → ${res.statusCode}`));
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ s: Number(process.hrtime.bigint() - t0) / 1e9, bytes }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

interface LatencyPair {
  baseline_p95_ms: number;
  p95_ms: number;
  ratio: number;
  load_1m: number;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-bench-serve-'));
  const file = path.join(work, 'bench.csv');
  const bytes = await generate(file, ROWS);
  const db = await freshDatabase(work, 'satudata_bench_serve', args.embedded);
  // As deployed: production mode (templates compiled once, not per request).
  const portal = await startPortal(db.url, work, { verbose: args.verbose, env: { NODE_ENV: 'production', SESSION_SECRET: crypto.randomBytes(36).toString('base64') } });
  const { base, child } = portal;
  const loadAtStart = loadAverage();
  const pid = child.pid!;
  try {
    // Publish the table the way a user does: upload → draft → submit → approve.
    const published = await publishDataset(portal, db.url, file, ROWS, { title: 'Indikator kabupaten/kota (bench)', columns: { region: { type: 'text', role: 'region', ref_scheme: 'bps' } } });
    const { slug, table, draft_s: draftS, publish_s: publishS } = published;

    // The table as the server reads it, for psql's baseline and the sanity checks.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows: counts } = await client.query(`SELECT region, count(*)::int AS n FROM ${table} GROUP BY region`);
    const regionCount = new Map(counts.map((r) => [r.region as string, r.n as number]));
    await client.end();

    const pathOf = {
      page: () => `/dataset/${slug}`,
      search: () => `/dataset?q=indikator`,
      rows: (i: number) => `/api/v1/datasets/${slug}/rows?filter[region]=${REGIONS[i % REGIONS.length]}&sort=-value&limit=100&offset=${(Math.floor(i / REGIONS.length) % 5) * 100}`,
      aggregate: () => `/api/v1/datasets/${slug}/aggregate?group=region,year&measure=value&fn=sum`,
      // Never asked before (nothing kept can answer it): a region and a year, by value up or down.
      rows_uncached: (i: number) => {
        const c = i % (REGIONS.length * 26 * 2);
        return `/api/v1/datasets/${slug}/rows?filter[region]=${REGIONS[c % REGIONS.length]}&filter[year]=${2000 + (Math.floor(c / REGIONS.length) % 26)}&sort=${c < REGIONS.length * 26 ? '-' : ''}value&limit=100`;
      },
    };
    type Target = keyof typeof pathOf;
    const targets = Object.keys(pathOf) as Target[];
    const warmed = targets.filter((t) => t !== 'rows_uncached');

    // Before any warm-up: the first answer of each (for `rows`, of its first region and page).
    const cold: Record<string, number> = {};
    for (const t of warmed) cold[t] = round((await timedGet(base + pathOf[t](0))).ms, 2);

    // Answers are right before they are fast: the rows API's total is the region's exact count,
    // its rows are that region's sorted by value, and the aggregate has a group per region and year.
    for (let i = 0; i < REGIONS.length; i++) {
      const res = (await (await fetch(base + pathOf.rows(i))).json()) as { meta: { total: number }; data: Array<{ region: string; value: number }> };
      if (res.meta.total !== regionCount.get(REGIONS[i % REGIONS.length])) throw new Error(`rows total ${res.meta.total} for ${REGIONS[i]}, expected ${regionCount.get(REGIONS[i])}`);
      const values = res.data.map((r) => r.value);
      if (res.data.some((r) => r.region !== REGIONS[i]) || values.some((x, j) => j > 0 && x > values[j - 1])) throw new Error('rows not filtered or not sorted');
    }
    const agg = (await (await fetch(base + pathOf.aggregate())).json()) as { data: unknown[] };
    const years = Math.min(26, Math.ceil(ROWS / (REGIONS.length * INDICATORS.length)));
    if (agg.data.length !== REGIONS.length * years) throw new Error(`aggregate has ${agg.data.length} groups, expected ${REGIONS.length * years}`);

    // Warm-up: every target, the server's code paths compiled, the database's pages in memory.
    for (const t of warmed) for (let i = 0; i < 20; i++) await timedGet(base + pathOf[t](i));

    const latency: Record<string, LatencyPair[]> = Object.fromEntries(targets.map((t) => [t, []]));
    const offset: Record<string, number> = Object.fromEntries(targets.map((t) => [t, 0]));
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const t of targets) {
        const load = os.loadavg()[0];
        const baseline = await p95(() => `${base}/healthz`, REQUESTS);
        const start = offset[t];
        const measured = await p95((i) => base + pathOf[t](start + i), REQUESTS);
        offset[t] += REQUESTS;
        const p: LatencyPair = { baseline_p95_ms: baseline, p95_ms: measured, ratio: round(measured / baseline, 2), load_1m: round(load, 2) };
        latency[t].push(p);
        process.stderr.write(`${t} ${pair + 1}/${PAIRS}: ${JSON.stringify(p)}\n`);
      }
    }

    const tool = hasCommand('wrk', '-v') ? 'wrk' : 'autocannon';
    type Cpu = { server_ms: number; postgres_ms: number };
    const tput: Array<{ healthz_rps: number; page_rps: number; ratio: number; healthz_cpu_per_request: Cpu; page_cpu_per_request: Cpu; cpu_ratio: number; load_1m: number }> = [];
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    for (let pair = 0; pair < PAIRS; pair++) {
      const load = os.loadavg()[0];
      let healthz = 0;
      let page = 0;
      const healthzCpu = await cpuPerRequest(watcher, pid, async () => {
        const r = await throughput(`${base}/healthz`, tool);
        healthz = r.rps;
        return r;
      });
      const pageCpu = await cpuPerRequest(watcher, pid, async () => {
        const r = await throughput(base + pathOf.page(), tool);
        page = r.rps;
        return r;
      });
      const total = (c: Cpu) => c.server_ms + c.postgres_ms;
      const p = { healthz_rps: healthz, page_rps: page, ratio: round(page / healthz, 3), healthz_cpu_per_request: healthzCpu, page_cpu_per_request: pageCpu, cpu_ratio: round(total(healthzCpu) / total(pageCpu), 3), load_1m: round(load, 2) };
      tput.push(p);
      process.stderr.write(`page_throughput ${pair + 1}/${PAIRS}: ${JSON.stringify(p)}\n`);
    }

    await watcher.end();

    const select = `select ${COLUMNS.map((c) => `"${c}"`).join(', ')} from ${table} order by "_id"`;
    const csv: Array<{ psql_s: number; download_s: number; ratio: number; bytes: number; rss_before_mb: number; rss_peak_mb: number; rss_after_mb: number; load_1m: number }> = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      const load = os.loadavg()[0];
      const psqlS = await psqlCopy(db.url, select);
      const before = rssMb(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
      const d = await download(`${base}/dataset/${slug}/download.csv`);
      clearInterval(sampler);
      const p = { psql_s: round(psqlS), download_s: round(d.s), ratio: round(d.s / psqlS), bytes: d.bytes, rss_before_mb: before, rss_peak_mb: peak, rss_after_mb: rssMb(pid), load_1m: round(load, 2) };
      csv.push(p);
      process.stderr.write(`csv ${pair + 1}/${PAIRS}: ${JSON.stringify(p)}\n`);
    }

    const summary = (pairs: LatencyPair[]) => ({
      pairs,
      median_p95_ms: round(median(pairs.map((p) => p.p95_ms)), 2),
      median_baseline_p95_ms: round(median(pairs.map((p) => p.baseline_p95_ms)), 2),
      median_ratio: round(median(pairs.map((p) => p.ratio)), 2),
    });
    process.stdout.write(
      `${JSON.stringify({
        rows: ROWS,
        bytes,
        database: db.server,
        server_env: 'production',
        requests_per_side: REQUESTS,
        setup: { draft_s: round(draftS), publish_s: round(publishS) },
        cold_ms: cold,
        latency_baseline: '/healthz of the same server, p95 of the same number of sequential requests',
        page: summary(latency.page),
        search: summary(latency.search),
        rows_api: summary(latency.rows),
        rows_api_uncached: summary(latency.rows_uncached),
        aggregate: summary(latency.aggregate),
        page_throughput: {
          tool,
          connections: CONNECTIONS,
          seconds: SECONDS,
          pairs: tput,
          median_ratio: round(median(tput.map((p) => p.ratio)), 3),
          cpu_ratio_note: "the server's and its database connections' CPU per /healthz request over the same per page request: the throughput ratio a CPU-bound server reaches, whatever else the machine runs",
          median_cpu_ratio: round(median(tput.map((p) => p.cpu_ratio)), 3),
        },
        csv: {
          baseline: 'psql \\copy (select … order by _id) to stdout',
          pairs: csv,
          median_ratio: round(median(csv.map((p) => p.ratio)), 3),
          rss_growth_mb: Math.max(...csv.map((p) => p.rss_peak_mb - p.rss_before_mb)),
        },
        peak_rss_mb: peakRssMb(pid),
        load_average_start: loadAtStart,
        load_average: loadAverage(),
        cpus: os.cpus().length,
      })}\n`,
    );
  } finally {
    await portal.stop();
    await db.stop();
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
