import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import type { Express } from 'express';
import { perform } from '../../server/actions/action';
import { retractDataset } from '../../server/actions/datasets';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { createApp } from '../../server/app';
import { prepareAppRole, urlAs } from '../../server/db/roles';
import { ArchiveWriter, DamagedArchive, readArchive } from '../../server/ops/archive';
import { MANIFEST_ENTRY, type Manifest } from '../../server/ops/manifest';
import { backup } from '../../server/ops/backup';
import { restore, RestoreRefused, verifyArchive } from '../../server/ops/restore';
import { S3Storage } from '../../server/storage-s3';
import { LocalStorage } from '../../server/storage-local';
import { withDatabase } from '../support/db-url';
import { makeDataset, makeWorld, publishedDataset, uploadContent, type World } from '../support/factories';
import { tokenFor } from '../support/http';
import { dropDatabase, isolatedDatabase } from '../support/isolated-db';
import { startS3 } from '../support/s3';
import { testServices, type TestServices } from '../support/services';
import { dbState, runCli, type DbState } from './db-state';

// Issue 7, "Backups": a backup made with `npm run cli -- backup` of a portal populated through
// its real actions, restored with `npm run cli -- restore` into an empty database, holds every
// dataset, version, row, raw file, index and audit event; the restored portal serves the same
// CSV; a changed byte makes the archive refused.

const server = () => process.env.SATUDATA_TEST_ADMIN_DB!;
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** A CSV the way OPDs write it, with what COPY's text format must escape: quotes, commas, backslashes, a line break, tabs, non-ASCII. */
const TRICKY_CSV =
  'kode_kabupaten_kota,nama_kabupaten_kota,jumlah,tahun,keterangan\n' +
  '1801,LAMPUNG BARAT,313756,2025,"catatan, dengan koma"\n' +
  '1871,BANDAR LAMPUNG,1077664,2025,"kutip ""ganda"" dan \\ garis miring"\n' +
  '1872,METRO,168676,2025,"baris\nbaru é ü 中\tdengan tab"\n';

/** A table big enough for the loader to index its region and time columns. */
function bigCsv(rows: number): string {
  const lines = ['kode_kabupaten_kota,tahun,jumlah'];
  const codes = ['1801', '1802', '1803', '1804', '1871', '1872'];
  for (let i = 0; i < rows; i++) lines.push(`${codes[i % codes.length]},${2000 + (i % 25)},${i * 7}`);
  return `${lines.join('\n')}\n`;
}

let src: Awaited<ReturnType<typeof isolatedDatabase>>;
let role: string;
let rolePassword: string;
let svc: TestServices;
let app: Express;
let w: World;
let work: string;
let archive: string;
let before: DbState;
const slugs: Record<string, string> = {};
const dbs: string[] = [];

/** A new, empty database (no schema at all) on the run's server. */
async function emptyDatabase(): Promise<string> {
  const name = `${process.env.SATUDATA_TEST_DB_NAME}_r${crypto.randomBytes(3).toString('hex')}`;
  const c = new pg.Client({ connectionString: server() });
  await c.connect();
  await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`);
  await c.end();
  dbs.push(name);
  return withDatabase(server(), name);
}

beforeAll(async () => {
  src = await isolatedDatabase();
  // The portal runs as an app role of its own, as on the embedded default (the data tables are that role's).
  role = `satudata_app_b${crypto.randomBytes(4).toString('hex')}`;
  rolePassword = crypto.randomBytes(12).toString('hex');
  const { url } = await prepareAppRole(src.url, role, rolePassword);
  svc = testServices({ url });
  app = createApp(svc);
  w = await makeWorld(svc);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-backup-'));

  const pub = await publishedDataset(svc, w, TRICKY_CSV);
  slugs.published = pub.ds.slug;
  // Its next version, a draft beside the published one.
  await uploadContent(svc, w.producer.actor, pub.ds.slug, TRICKY_CSV.replace('313756', '313757'));
  const retracted = await publishedDataset(svc, w);
  await perform(retractDataset, w.walidata.actor, { slug: retracted.ds.slug, reason: 'Angka salah hitung' }, svc);
  slugs.retracted = retracted.ds.slug;
  const reviewed = await makeDataset(svc, w.producer, w.opd.slug, { access_level: 'tertutup', prioritas: true });
  const rv = await uploadContent(svc, w.producer.actor, reviewed.slug, bigCsv(12_000));
  await perform(submitVersion, w.producer.actor, { slug: reviewed.slug, number: rv.number }, svc);
  await perform(reviewVersion, w.walidata.actor, { slug: reviewed.slug, number: rv.number, decision: 'request_changes', comment: 'Mohon periksa satuan — "jiwa" atau "KK"?' }, svc);
  slugs.reviewed = reviewed.slug;
  await tokenFor(app, w.producer.email, w.producer.password);

  before = await dbState(src.url);
  archive = path.join(work, 'portal.tar.gz');
  const out = await runCli(['backup', '--file', archive], { DATABASE_URL: src.url, DATA_DIR: svc.dataDir });
  expect(out.stderr).not.toMatch(/error/i);
  expect(out.code).toBe(0);
  const made = JSON.parse(out.stdout) as { file: string; counts: Record<string, number>; missing_files: string[] };
  expect(made.file).toBe(archive);
  expect(made.missing_files).toEqual([]);
  expect(made.counts.audit_events).toBe(before.tables['public.audit_events'].rows);
}, 240_000);

afterAll(async () => {
  await svc?.close();
  for (const name of dbs) await dropDatabase(server(), name);
  await src?.drop();
  const c = new pg.Client({ connectionString: server() });
  await c.connect();
  await c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(role)}`).catch(() => undefined);
  await c.end();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('backup and restore into an empty database', () => {
  let dst: string;
  let dstDir: string;
  let restored: DbState;
  let svc2: TestServices;
  let app2: Express;

  beforeAll(async () => {
    dst = await emptyDatabase();
    dstDir = fs.mkdtempSync(path.join(work, 'dst-'));
    const out = await runCli(['restore', '--file', archive, '--app-role', role], { DATABASE_URL: dst, DATA_DIR: dstDir });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).app_role).toEqual({ role, granted: true });
    restored = await dbState(dst);
  }, 240_000);

  afterAll(() => svc2?.close());

  it('finds every row of every table again: datasets, versions, reviews, tokens, audit events and each data table', () => {
    expect(Object.keys(restored.tables)).toEqual(Object.keys(before.tables));
    for (const [name, t] of Object.entries(before.tables)) expect({ name, ...restored.tables[name] }).toEqual({ name, ...t });
    // What the test made is in there, not only "the same as before".
    expect(before.tables['public.audit_events'].rows).toBeGreaterThan(10);
    expect(Object.keys(before.tables).filter((n) => n.startsWith('datastore.')).length).toBeGreaterThanOrEqual(4);
  });

  it('keeps each dataset and version with its state, and the audit events in order with their content', async () => {
    const read = async (url: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const ds = (await c.query("SELECT slug, access_level, prioritas, retracted_at, retracted_reason FROM datasets WHERE slug = ANY($1) ORDER BY slug", [Object.values(slugs)])).rows;
      const vs = (await c.query('SELECT d.slug, v.number, v.state, v.table_name, v.row_count FROM versions v JOIN datasets d ON d.id = v.dataset_id WHERE d.slug = ANY($1) ORDER BY 1, 2', [Object.values(slugs)])).rows;
      const audit = (await c.query("SELECT id, at, actor_id, action, target_type, target_id, details FROM audit_events ORDER BY id")).rows;
      await c.end();
      return { ds, vs, audit };
    };
    const [a, b] = [await read(src.url), await read(dst)];
    expect(b).toEqual(a);
    expect(a.vs.map((v) => v.state).sort()).toEqual(['changes_requested', 'draft', 'published', 'published']);
    expect(a.ds.find((d) => d.slug === slugs.retracted)?.retracted_reason).toBe('Angka salah hitung');
    expect(a.audit.map((e) => e.action)).toEqual(expect.arrayContaining(['dataset.create', 'version.upload', 'version.review', 'dataset.retract']));
  });

  it('recreates the data tables\' indexes as the loader made them, and the sequences where they were', () => {
    expect(restored.indexes).toEqual(before.indexes);
    expect(before.indexes.filter((d) => d.includes('datastore.')).length).toBeGreaterThan(0);
    expect(restored.sequences).toEqual(before.sequences);
  });

  it('restores every raw file byte for byte', async () => {
    const c = new pg.Client({ connectionString: dst });
    await c.connect();
    const { rows } = await c.query<{ raw_path: string; raw_sha256: string }>('SELECT raw_path, raw_sha256 FROM versions');
    await c.end();
    expect(rows.length).toBe(before.tables['public.versions'].rows);
    for (const r of rows) {
      const bytes = fs.readFileSync(path.join(dstDir, 'uploads', r.raw_path));
      expect(sha256(bytes)).toBe(r.raw_sha256);
      expect(bytes.equals(fs.readFileSync(path.join(svc.config.storageDir, r.raw_path)))).toBe(true);
    }
  });

  it('refuses to restore over a database that has content, unless forced', async () => {
    const files = new LocalStorage(path.join(dstDir, 'uploads'));
    await expect(restore({ url: dst, files, file: archive, appRole: role })).rejects.toThrow(RestoreRefused);
    await expect(restore({ url: dst, files, file: archive, appRole: role })).rejects.toThrow(/not empty.*--force/);
    const again = await restore({ url: dst, files, file: archive, appRole: role, force: true });
    expect(again.files_present).toBe(again.counts.files);
    expect((await dbState(dst)).tables).toEqual(before.tables);
  }, 120_000);

  it('gives the app role its grants again: it serves the same CSV and rows, and still cannot rewrite history', async () => {
    const appUrl = urlAs(dst, role, rolePassword);
    svc2 = testServices({ url: appUrl, env: { DATA_DIR: dstDir } });
    app2 = createApp(svc2);
    for (const p of [`/dataset/${slugs.published}/download.csv`, `/api/v1/datasets/${slugs.published}/rows`, `/dataset/${slugs.published}/versions/1/raw`]) {
      const [a, b] = [await request(app).get(p), await request(app2).get(p)];
      expect(a.status).toBe(200);
      expect({ p, status: b.status, body: b.text }).toEqual({ p, status: 200, body: a.text });
    }
    // The passwords came along: the producer signs in on the restored portal.
    expect(await tokenFor(app2, w.producer.email, w.producer.password)).toMatch(/\S{20,}/);
    const c = new pg.Client({ connectionString: appUrl });
    await c.connect();
    try {
      await expect(c.query('DELETE FROM audit_events')).rejects.toThrow();
      await expect(c.query('ALTER TABLE audit_events DISABLE TRIGGER USER')).rejects.toThrow();
      const { rows } = await c.query<{ tableowner: string }>("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'datastore'");
      expect(rows).toEqual([{ tableowner: role }]);
    } finally {
      await c.end();
    }
  }, 120_000);
});

describe('with the files in an S3 bucket', () => {
  it('restores the raw files into the bucket, and backs them up from it again', async () => {
    const bucket = await startS3();
    try {
      const s3 = new S3Storage(bucket.settings, fs.mkdtempSync(path.join(work, 's3-scratch-')));
      await s3.check();
      const dst = await emptyDatabase();
      const out = await restore({ url: dst, files: s3, file: archive, appRole: role });
      const { manifest } = await verifyArchive(archive);
      expect(out.files_written).toBe(manifest.files.length);
      const inBucket: Array<{ key: string; sha256: string }> = [];
      for await (const f of s3.list('')) {
        const chunks: Buffer[] = [];
        for await (const c of await s3.open(f.key)) chunks.push(c as Buffer);
        inBucket.push({ key: f.key, sha256: sha256(Buffer.concat(chunks)) });
      }
      const saved = manifest.files.map((f) => ({ key: f.key, sha256: f.sha256 }));
      expect(inBucket).toEqual(saved);
      expect(saved.length).toBe(before.tables['public.versions'].rows);

      const second = path.join(work, 'from-bucket.tar.gz');
      const m2 = await backup({ url: dst, files: s3, file: second });
      expect(m2.files.map((f) => ({ key: f.key, sha256: f.sha256 }))).toEqual(saved);
      expect(m2.missing_files).toEqual([]);
      expect((await verifyArchive(second)).manifest.counts).toEqual(manifest.counts);
    } finally {
      await bucket.close();
    }
  }, 120_000);
});

describe('a changed archive', () => {
  it('is refused before the database is touched, whichever byte changed', async () => {
    const dst = await emptyDatabase();
    const files = new LocalStorage(fs.mkdtempSync(path.join(work, 'tampered-')));
    const bytes = fs.readFileSync(archive);
    // The gzip header (its time and OS bytes are outside gzip's checksum), the compressed data
    // throughout, the checksum and length at the end.
    const offsets = [1, 5, 9, 64, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2), bytes.length - 12, bytes.length - 6, bytes.length - 1];
    for (const at of offsets) {
      const changed = Buffer.from(bytes);
      changed[at] ^= 0x01;
      const file = path.join(work, `tampered-${at}.tar.gz`);
      fs.writeFileSync(file, changed);
      await expect(restore({ url: dst, files, file })).rejects.toThrow(DamagedArchive);
    }
    const longer = path.join(work, 'longer.tar.gz');
    fs.writeFileSync(longer, Buffer.concat([bytes, Buffer.from([0])]));
    await expect(restore({ url: dst, files, file: longer })).rejects.toThrow(/after its end/);
    const c = new pg.Client({ connectionString: dst });
    await c.connect();
    const { rows } = await c.query("SELECT to_regclass('public.knex_migrations') AS t");
    await c.end();
    expect(rows[0].t).toBeNull();
  }, 120_000);

  it('makes the CLI exit non-zero with the reason', async () => {
    const bytes = fs.readFileSync(archive);
    bytes[Math.floor(bytes.length / 2)] ^= 0x40;
    const file = path.join(work, 'tampered-cli.tar.gz');
    fs.writeFileSync(file, bytes);
    const out = await runCli(['restore', '--file', file], { DATABASE_URL: await emptyDatabase(), DATA_DIR: fs.mkdtempSync(path.join(work, 'cli-')) });
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stderr).error.message).toMatch(/damaged|does not match/);
  }, 60_000);
});

/** A copy of `file` whose manifest `change` edited (with the parts' digests made to fit): what a crafted archive looks like. */
async function crafted(file: string, change: (m: Manifest) => void): Promise<string> {
  const entries: Array<{ name: string; content: Buffer }> = [];
  await readArchive(file, async (e) => {
    const chunks: Buffer[] = [];
    for await (const c of e.content) chunks.push(c);
    entries.push({ name: e.name, content: Buffer.concat(chunks) });
  });
  const out = path.join(work, `crafted-${crypto.randomBytes(3).toString('hex')}.tar.gz`);
  const writer = new ArchiveWriter(out);
  for (const e of entries) if (e.name !== MANIFEST_ENTRY) await writer.addBuffer(e.name, e.content);
  const manifest = JSON.parse(entries.find((e) => e.name === MANIFEST_ENTRY)!.content.toString()) as Manifest;
  change(manifest);
  await writer.addBuffer(MANIFEST_ENTRY, Buffer.from(JSON.stringify(manifest)));
  await writer.close();
  return out;
}

describe('a crafted archive', () => {
  it('is refused when it comes from a newer portal, or its names would reach SQL unchecked', async () => {
    const dst = await emptyDatabase();
    const files = new LocalStorage(fs.mkdtempSync(path.join(work, 'crafted-files-')));
    // The rewriting itself keeps an archive valid.
    await expect(verifyArchive(await crafted(archive, () => undefined))).resolves.toBeTruthy();
    const newer = await crafted(archive, (m) => m.migrations.push('29991231000000_from_the_future.ts'));
    await expect(restore({ url: dst, files, file: newer })).rejects.toThrow(/newer portal/);
    const dataTable = (m: Manifest) => m.tables.find((t) => t.schema === 'datastore')!;
    const hostile: Array<(m: Manifest) => void> = [
      (m) => (dataTable(m).name = 'v1_0"; DROP TABLE users; --'),
      (m) => (dataTable(m).definition!.columns[0].type = 'text); DROP TABLE users; --'),
      (m) => (dataTable(m).definition!.indexes.push({ name: 'ix', columns: ['_id") WITH (fillfactor=10'], unique: false, method: 'btree' })),
      (m) => (m.files[0].key = '../../etc/passwd'),
      (m) => (m.files[0].key = `raw/00/${'0'.repeat(64)}`),
    ];
    for (const change of hostile) await expect(restore({ url: dst, files, file: await crafted(archive, change) })).rejects.toThrow(DamagedArchive);
    const c = new pg.Client({ connectionString: dst });
    await c.connect();
    const { rows } = await c.query("SELECT to_regclass('public.knex_migrations') AS t");
    await c.end();
    expect(rows[0].t).toBeNull();
  }, 120_000);
});
