import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type request from 'supertest';
import type { VersionRow } from '../../server/db/rows';
import { S3Storage } from '../../server/storage-s3';
import { makeWorld, uid, type World } from './factories';
import { tokenFor } from './http';
import { isolatedDatabase } from './isolated-db';
import { startPortal, type PortalProcess } from './own-cluster';
import { startS3, type TestBucket } from './s3';
import { testServices, type TestServices } from './services';
import { holdFirstAttempts } from './hold-load';

/**
 * Issue 7's scale-out set-up (SPEC §6): web processes and workers on one database of their own,
 * the stored files in an S3-compatible bucket (s3rver) and nothing shared on disk (each process
 * has a DATA_DIR of its own). Every load goes through the queue, so only workers load; the first
 * `holdAttempts` attempts of every load wait at row `holdRow` of their COPY for the advisory lock
 * `hold + attempt - 1`, which the test takes with `holder`.
 */
export interface ScaleOut {
  bucket: TestBucket;
  svc: TestServices;
  w: World;
  /** The bucket, read as the processes read it. */
  files: S3Storage;
  /** A connection of the test's own, for holding locks. */
  holder: pg.Client;
  hold: number;
  /** Starts a web process or a worker; `dir` reuses a stopped process's DATA_DIR (a restart). */
  start(kind: 'web' | 'worker', dir?: string): Promise<PortalProcess>;
  /** Each process's DATA_DIR. */
  dirOf: Map<PortalProcess, string>;
  /** API tokens of the world's people, made on the first web process. */
  bearer(who: 'producer' | 'producer2' | 'otherProducer' | 'walidata'): { Authorization: string };
  /** Every key in the bucket under `prefix`, sorted. */
  bucketKeys(prefix?: string): Promise<string[]>;
  versionRow(slug: string, n: number): Promise<VersionRow>;
  /** Waits for `fn`; fails at once, with their output, when one of `watch` (still alive when the wait began) exits. */
  until<T>(what: string, fn: () => Promise<T | undefined | null | false>, watch: PortalProcess[], ms?: number): Promise<T>;
  /** True while a load waits for the hold of attempt `attempt`. */
  holding(attempt?: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function scaleOut(opts: { hold: number; holdRow: number; holdAttempts?: number }): Promise<ScaleOut> {
  const dirs: string[] = [];
  const procs: PortalProcess[] = [];
  const dataDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-scale-'));
    dirs.push(d);
    return d;
  };
  const bucket = await startS3();
  const files = new S3Storage(bucket.settings, dataDir());
  // A database of its own: the worker sweeps the whole database for stalled loads.
  const isolated = await isolatedDatabase();
  const svc = testServices({ url: isolated.url });
  const w = await makeWorld(svc);
  await holdFirstAttempts((sql) => svc.db.raw(sql), opts.hold, opts.holdRow, opts.holdAttempts);
  const holder = new pg.Client({ connectionString: isolated.url });
  await holder.connect();
  const common = {
    ...bucket.env,
    DATABASE_URL: isolated.url,
    SESSION_SECRET: crypto.randomBytes(36).toString('base64'),
    RATE_LIMIT_NAMESPACE: `scale-${uid()}`,
    // Every load goes to the queue, so only the worker loads.
    INLINE_LOAD_MAX_MB: '0',
    LOAD_STALL_SECONDS: '10',
  };
  const dirOf = new Map<PortalProcess, string>();
  const tokens: Record<string, string> = {};
  const s: ScaleOut = {
    bucket,
    svc,
    w,
    files,
    holder,
    hold: opts.hold,
    dirOf,
    async start(kind, dir = dataDir()) {
      const p = await startPortal(kind, { ...common, DATA_DIR: dir, ...(kind === 'web' ? { RUN_WORKER: 'no' } : {}) });
      procs.push(p);
      dirOf.set(p, dir);
      if (kind === 'web' && !tokens.producer) {
        // Before any test uses up the sign-in limit (tokens are counted apart from the form, but alike).
        for (const who of ['producer', 'producer2', 'otherProducer', 'walidata'] as const) tokens[who] = await tokenFor(p.base, w[who].email, w[who].password);
      }
      return p;
    },
    bearer: (who) => ({ Authorization: `Bearer ${tokens[who]}` }),
    async bucketKeys(prefix = '') {
      const keys: string[] = [];
      for await (const f of files.list(prefix)) keys.push(f.key);
      return keys.sort();
    },
    versionRow: (slug, n) =>
      svc.db('versions').join('datasets', 'datasets.id', 'versions.dataset_id').where({ 'datasets.slug': slug, 'versions.number': n }).first('versions.*'),
    async until(what, fn, watch, ms = 240_000) {
      const alive = watch.filter((p) => p.alive());
      const out = () => alive.map((p, i) => `--- process ${i} (alive: ${p.alive()}):\n${p.output().slice(-3000)}`).join('\n');
      const end = Date.now() + ms;
      for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${out()}`);
        if (alive.some((p) => !p.alive())) throw new Error(`a process exited while waiting for ${what}:\n${out()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async holding(attempt = 1) {
      const { rows } = await svc.db.raw(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = ? AND NOT granted`, [opts.hold + attempt - 1]);
      return rows[0].n > 0;
    },
    async close() {
      await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
      await holder.end().catch(() => undefined);
      await svc.close();
      await isolated.drop();
      await bucket.close();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    },
  };
  return s;
}

/** A CSV of `rows` rows in the validating dialect (semicolons, Indonesian decimals); `pad` widens each row by a text column. */
export function scaleCsv(rows: number, pad = 0): Buffer {
  let s = `kode_kabupaten_kota;nama_kabupaten_kota;indikator;nilai;tahun${pad ? ';keterangan' : ''}\n`;
  const note = pad ? `;${'Catatan panjang '.repeat(Math.ceil(pad / 16)).slice(0, pad)}` : '';
  for (let i = 0; i < rows; i++) s += `1801;LAMPUNG BARAT;Indikator ${i % 7};${(i * 1.37).toFixed(2).replace('.', ',')};${2000 + (i % 25)}${note}\n`;
  return Buffer.from(s);
}

/** Reads a response body as bytes (supertest's parser option). */
export function binaryParser(res: request.Response, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

/** Files under a process's own data directory (uploads must not land there). */
export function localFiles(dir: string, sub: string): string[] {
  const root = path.join(dir, 'uploads', sub);
  return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(root, f)).isFile()) : [];
}
