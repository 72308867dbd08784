/**
 * What the benchmarks share: a fresh database (on the given or the machine's PostgreSQL, else an
 * embedded one), the portal started as a child process, its CLI, JSON API calls, a streamed
 * upload, resident memory, load averages and medians.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { startEmbeddedPostgres } from '../server/db/embedded';

/** The machine's PostgreSQL as every machine of this project has it (trust auth on loopback). */
export const MACHINE_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The 1, 5 and 15-minute load averages, rounded. */
export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/** Rounds to `digits` decimals (3 by default). */
export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The median (of an even count, the mean of the middle two): not the best, so noise cannot flatter. */
export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The p-th percentile (0–100) by the nearest-rank method. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resident memory of a process in MB (0 once it is gone). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used so far, in ms (0 once it is gone). */
export function cpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks (100 a second).
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

/** Peak resident memory of a process in MB (VmHWM). */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

export function hasCommand(cmd: string, arg = '--version'): boolean {
  return spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
}

async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** A database of the benchmark's own, and how to remove it. */
export interface BenchDatabase {
  url: string;
  /** Where it runs: `DATABASE_URL`, the machine's PostgreSQL, or an embedded one. */
  server: 'DATABASE_URL' | 'machine' | 'embedded';
  stop(): Promise<void>;
}

/**
 * A fresh database: on `DATABASE_URL` when set, else on the machine's PostgreSQL when it answers,
 * else an embedded PostgreSQL under `work` (`embedded` forces the last).
 */
export async function freshDatabase(work: string, prefix: string, embedded = false): Promise<BenchDatabase> {
  let server: BenchDatabase['server'] = process.env.DATABASE_URL ? 'DATABASE_URL' : 'machine';
  const adminUrl = process.env.DATABASE_URL ?? MACHINE_POSTGRES;
  if (embedded || (server === 'machine' && !(await answers(adminUrl)))) {
    server = 'embedded';
    const e = await startEmbeddedPostgres(path.join(work, 'data'), 'satudata');
    return {
      url: e.url,
      server,
      stop: async () => {
        await e.stop();
        // Kept outside the scratch directory when running as root: remove it too.
        if (e.clusterDir.startsWith('/var/lib/satudata/clusters/')) fs.rmSync(e.clusterDir, { recursive: true, force: true });
      },
    };
  }
  return { ...(await createDatabase(adminUrl, `${prefix}_${Date.now()}`)), server };
}

/** Creates the empty database `name` on the server of `adminUrl` (as its owner); `stop` drops it. */
export async function createDatabase(adminUrl: string, name: string): Promise<Omit<BenchDatabase, 'server'>> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    stop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error('the portal exited during start-up');
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no answer from ${url}`);
}

/** The portal running as a child process on a free port. */
export interface Portal {
  base: string;
  child: ChildProcess;
  /** Runs `scripts/cli.ts` against the portal's database; resolves with its output. */
  cli(cmd: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `server/main.ts` on `url`'s database without demo data and waits for `/healthz`. */
export async function startPortal(url: string, work: string, opts: { verbose?: boolean; env?: Record<string, string> } = {}): Promise<Portal> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const root = path.join(__dirname, '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'main.ts')], {
    env: { ...process.env, DATABASE_URL: url, PORT: String(port), DATA_DIR: path.join(work, 'app'), LOAD_DEMO: 'no', LOG_LEVEL: opts.verbose ? 'info' : 'warn', MAX_UPLOAD_MB: '2000', ...opts.env },
    stdio: ['ignore', opts.verbose ? 'inherit' : 'ignore', 'inherit'],
  });
  await waitFor(`${base}/healthz`, child);
  return {
    base,
    child,
    // The portal's own database and stored files (DATA_DIR), as an operator's command sees them.
    cli: (cmd) => runCli(cmd, { DATABASE_URL: url, DATA_DIR: path.join(work, 'app') }),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Runs `npm run cli -- <cmd>` (the script itself) with `env` over this process's; resolves with its output, rejects with its errors. */
export function runCli(cmd: string[], env: Record<string, string>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'scripts', 'cli.ts'), ...cmd], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
  });
}

/** What `publishDataset` made: the dataset, its published version and its table, with timings. */
export interface Published {
  slug: string;
  number: number;
  /** The version's table, schema-qualified and quoted. */
  table: string;
  /** Upload until the draft with its report. */
  draft_s: number;
  /** The walidata's approval until published. */
  publish_s: number;
}

/**
 * Publishes `file` (`rows` data rows) the way people do: an OPD, a producer and a walidata made
 * with the CLI; the producer uploads it through the HTTP API and submits the draft; the walidata
 * approves. Waits for the indexes built after the draft and after the publication.
 */
export async function publishDataset(portal: Portal, url: string, file: string, rows: number, opts: { title: string; columns?: Record<string, unknown> }): Promise<Published> {
  const { base } = portal;
  await portal.cli(['org:create', '--slug', 'bench', '--name', 'Dinas Bench', '--kind', 'opd']);
  await portal.cli(['org:create', '--slug', 'walidata', '--name', 'Diskominfotik Bench', '--kind', 'walidata']);
  await portal.cli(['user:create', '--email', 'bench@bench.id', '--name', 'Bench', '--role', 'produsen', '--org', 'bench', '--password', 'bench-password']);
  await portal.cli(['user:create', '--email', 'walidata@bench.id', '--name', 'Walidata', '--role', 'walidata', '--org', 'walidata', '--password', 'bench-password']);
  const token = (await api(base, '/api/v1/tokens', { method: 'POST', body: JSON.stringify({ email: 'bench@bench.id', password: 'bench-password' }) })).token;
  const reviewer = (await api(base, '/api/v1/tokens', { method: 'POST', body: JSON.stringify({ email: 'walidata@bench.id', password: 'bench-password' }) })).token;
  const { data: ds } = await api(base, '/api/v1/datasets', {
    method: 'POST',
    token,
    body: JSON.stringify({ organization: 'bench', title: opts.title, description: 'Satu juta baris untuk mengukur kecepatan portal.', topic: 'ekonomi', tags: ['bench'] }),
  });
  const slug: string = ds.slug;
  const t0 = process.hrtime.bigint();
  const up = await uploadVersion(base, slug, token, file, opts.columns ? { columns: JSON.stringify(opts.columns) } : {});
  if (up.status !== 201 && up.status !== 202) throw new Error(`upload → ${up.status} ${JSON.stringify(up.body)}`);
  let v = up.body.data;
  while (v.state === 'processing') {
    await new Promise((r) => setTimeout(r, 50));
    v = (await api(base, `/api/v1/datasets/${slug}/versions/${v.number}`, { token })).data;
  }
  if (v.state !== 'draft' || v.row_count !== rows || v.report.errors.length) {
    throw new Error(`unexpected draft: ${v.state} rows=${v.row_count} errors=${JSON.stringify(v.report.errors.slice(0, 3))}`);
  }
  const draftS = Number(process.hrtime.bigint() - t0) / 1e9;
  await untilIndexed(url);
  await api(base, `/api/v1/datasets/${slug}/versions/${v.number}/submit`, { method: 'POST', token });
  const t1 = process.hrtime.bigint();
  const review = await api(base, `/api/v1/datasets/${slug}/versions/${v.number}/review`, { method: 'POST', token: reviewer, body: JSON.stringify({ decision: 'approve', comment: 'bench' }) });
  if (review.data.state !== 'published') throw new Error(`approval left the version ${review.data.state}`);
  const publishS = Number(process.hrtime.bigint() - t1) / 1e9;
  await untilIndexed(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tv } = await client.query('SELECT v.table_name FROM versions v JOIN datasets d ON d.id = v.dataset_id WHERE d.slug = $1 AND v.number = $2', [slug, v.number]);
    return { slug, number: v.number, table: `"datastore"."${tv[0].table_name}"`, draft_s: draftS, publish_s: publishS };
  } finally {
    await client.end();
  }
}

/** A JSON API call; throws with the answer on a status other than 2xx. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function api(base: string, pathname: string, init: RequestInit & { token?: string } = {}): Promise<any> {
  const res = await fetch(`${base}${pathname}`, {
    ...init,
    headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), ...(init.body && !(init.body instanceof FormData) ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${pathname} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Streams `file` as a multipart upload of a new version (text fields first), no whole-file buffering. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function uploadVersion(base: string, slug: string, token: string, file: string, fields: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const boundary = `----bench${crypto.randomBytes(8).toString('hex')}`;
  const text = Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join('');
  const head = Buffer.from(`${text}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = fs.statSync(file).size;
  async function* body() {
    yield head;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
    yield tail;
  }
  const res = await fetch(`${base}/api/v1/datasets/${slug}/versions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(head.length + size + tail.length) },
    body: body() as unknown as RequestInit['body'],
    duplex: 'half',
  } as RequestInit);
  // An answer that is not JSON (a proxy's or Node's own 408/413) is kept as text, with its status.
  const answer = await res.text();
  try {
    return { status: res.status, body: JSON.parse(answer) };
  } catch {
    return { status: res.status, body: { text: answer.slice(0, 500) } };
  }
}

/** Waits until no index build runs in the database of `url`. */
export async function untilIndexed(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (;;) {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE 'create index%'`,
      );
      if (rows[0].n === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await client.end();
  }
}

const OPEN_DATA_REGIONS: Array<[string, string]> = [
  ['1801', 'LAMPUNG BARAT'], ['1802', 'TANGGAMUS'], ['1803', 'LAMPUNG SELATAN'], ['1804', 'LAMPUNG TIMUR'],
  ['1805', 'LAMPUNG TENGAH'], ['1806', 'LAMPUNG UTARA'], ['1807', 'WAY KANAN'], ['1808', 'TULANG BAWANG'],
  ['1809', 'PESAWARAN'], ['1810', 'PRINGSEWU'], ['1811', 'MESUJI'], ['1812', 'TULANG BAWANG BARAT'],
  ['1813', 'PESISIR BARAT'], ['1871', 'BANDAR LAMPUNG'], ['1872', 'METRO'],
];
const OPEN_DATA_INDICATORS = ['Jumlah penduduk', 'Angka partisipasi sekolah', 'Prevalensi stunting', 'Produksi padi', 'Panjang jalan', 'Jumlah puskesmas'];
const OPEN_DATA_UNITS = ['Jiwa', 'Persen', 'Persen', 'Ton', 'Km', 'Unit'];

/** The header of the generated Open Data style CSV (nine columns, the last one empty). */
export const OPEN_DATA_HEADER = 'kode_kabupaten_kota,nama_kabupaten_kota,kode_indikator,indikator,nilai,satuan,tahun,sumber,catatan\n';

/** Writes an Open Data style CSV of `rows` rows (region, indicator, value, unit, year…); deterministic for a row count. Its size in bytes. */
export async function generateOpenDataCsv(file: string, rows: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const header = OPEN_DATA_HEADER;
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  async function* lines() {
    yield header;
    let chunk: string[] = [];
    for (let i = 0; i < rows; i++) {
      const [kode, nama] = OPEN_DATA_REGIONS[i % OPEN_DATA_REGIONS.length];
      const k = Math.floor(i / OPEN_DATA_REGIONS.length) % OPEN_DATA_INDICATORS.length;
      const year = 2000 + (Math.floor(i / (OPEN_DATA_REGIONS.length * OPEN_DATA_INDICATORS.length)) % 26);
      chunk.push(`${kode},${nama},IND${String(k + 1).padStart(3, '0')},${OPEN_DATA_INDICATORS[k]},${(rand() * 100000).toFixed(2)},${OPEN_DATA_UNITS[k]},${year},BPS,`);
      if (chunk.length === 5000) {
        yield `${chunk.join('\n')}\n`;
        chunk = [];
      }
    }
    if (chunk.length) yield `${chunk.join('\n')}\n`;
  }
  await pipeline(lines, out);
  return fs.statSync(file).size;
}
