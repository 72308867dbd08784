/**
 * What the benchmarks share: the generated Open Data style CSV, a database of their own (the
 * embedded PostgreSQL, or a fresh database on DATABASE_URL's server), the portal's HTTP API,
 * a streamed upload, and the machine's load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { startEmbeddedPostgres } from '../server/db/embedded';

export const REGIONS: Array<[string, string]> = [
  ['1801', 'LAMPUNG BARAT'], ['1802', 'TANGGAMUS'], ['1803', 'LAMPUNG SELATAN'], ['1804', 'LAMPUNG TIMUR'],
  ['1805', 'LAMPUNG TENGAH'], ['1806', 'LAMPUNG UTARA'], ['1807', 'WAY KANAN'], ['1808', 'TULANG BAWANG'],
  ['1809', 'PESAWARAN'], ['1810', 'PRINGSEWU'], ['1811', 'MESUJI'], ['1812', 'TULANG BAWANG BARAT'],
  ['1813', 'PESISIR BARAT'], ['1871', 'BANDAR LAMPUNG'], ['1872', 'METRO'],
];
export const INDICATORS = ['Jumlah penduduk', 'Angka partisipasi sekolah', 'Prevalensi stunting', 'Produksi padi', 'Panjang jalan', 'Jumlah puskesmas'];
export const UNITS = ['Jiwa', 'Persen', 'Persen', 'Ton', 'Km', 'Unit'];

export const HEADER = 'kode_kabupaten_kota,nama_kabupaten_kota,kode_indikator,indikator,nilai,satuan,tahun,sumber,catatan\n';

/** Writes the benchmark file; deterministic for a given row count. */
export async function generate(file: string, rows: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const header = HEADER;
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  async function* lines() {
    yield header;
    let chunk: string[] = [];
    for (let i = 0; i < rows; i++) {
      const [kode, nama] = REGIONS[i % REGIONS.length];
      const k = Math.floor(i / REGIONS.length) % INDICATORS.length;
      const year = 2000 + (Math.floor(i / (REGIONS.length * INDICATORS.length)) % 26);
      chunk.push(`${kode},${nama},IND${String(k + 1).padStart(3, '0')},${INDICATORS[k]},${(rand() * 100000).toFixed(2)},${UNITS[k]},${year},BPS,`);
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

/** Waits until no index build runs in the benchmark's database. */
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

/** The 1, 5 and 15-minute load averages, rounded. */
export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
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

export interface BenchVersion {
  number: number;
  state: string;
  row_count: number | null;
  report: { errors: unknown[] };
}

/** Streams the file as a multipart upload (no whole-file buffering in this script either). */
export async function upload(base: string, slug: string, token: string, file: string): Promise<{ status: number; body: { data: BenchVersion } }> {
  const boundary = `----bench${crypto.randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n`);
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
    body: body() as unknown as RequestInit["body"],
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as { data: BenchVersion } };
}

/** A database of the benchmark's own under `work` (embedded), or a fresh one on DATABASE_URL's server; `stop` removes it. */
export async function benchDatabase(work: string): Promise<{ url: string; stop: () => Promise<void> }> {
  let url = process.env.DATABASE_URL;
  let stopDb: () => Promise<void>;
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
  return { url, stop: stopDb };
}

/** Runs an operator command (`npm run cli`) against `url`; its stdout. */
export function cli(url: string, cmd: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'cli.ts'), ...cmd], { env: { ...process.env, DATABASE_URL: url } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
  });
}

/** The median (of an even count, the mean of the middle two). */
export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
