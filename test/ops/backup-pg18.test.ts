import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { retractDataset } from '../../server/actions/datasets';
import { createApp } from '../../server/app';
import { withDatabase } from '../support/db-url';
import { makeWorld, publishedDataset, uploadContent } from '../support/factories';
import { dropDatabase } from '../support/isolated-db';
import { ownCluster, type OwnCluster } from '../support/own-cluster';
import { testServices, type TestServices } from '../support/services';
import { dbState, runCli } from './db-state';

// Issue 7: "The embedded server is PostgreSQL 18 and ships no pg_dump, while the machine's
// pg_dump is 15 and refuses newer servers: the backup must work on the embedded default too."
// A portal on the embedded binaries (PostgreSQL 18, a cluster of the test's own) is backed up the
// way an operator of the embedded default does it (`npm run cli -- backup` with only DATA_DIR),
// restored into the run's server (the machine's PostgreSQL 15 here) and back into the embedded
// default with --force; both copies hold the same rows and serve the same CSV.

const CSV =
  'kode_kabupaten_kota,nama_kabupaten_kota,jumlah,rasio,tahun\n' +
  '1801,LAMPUNG BARAT,313756,0.125,2024\n' +
  '1871,"BANDAR LAMPUNG, KOTA",1077664,12.5,2024\n' +
  '1872,"METRO ""Kota""",168676,,2024\n';

let cluster: OwnCluster;
let dataDir: string;
let work: string;
let dstName: string;
const server = () => process.env.SATUDATA_TEST_ADMIN_DB!;

beforeAll(async () => {
  cluster = await ownCluster();
  dataDir = path.join(cluster.dir, 'db');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-backup18-'));
}, 120_000);

afterAll(async () => {
  if (dstName) await dropDatabase(server(), dstName);
  await cluster?.destroy();
  fs.rmSync(work, { recursive: true, force: true });
});

it('backs up the embedded PostgreSQL 18 without pg_dump, restores into the run\'s server and back into the embedded default', async () => {
  // The portal as on the embedded default: the app's role, files under DATA_DIR/uploads.
  const svc: TestServices = testServices({ url: cluster.appUrl, env: { DATA_DIR: dataDir } });
  const w = await makeWorld(svc);
  const pub = await publishedDataset(svc, w, CSV);
  await uploadContent(svc, w.producer.actor, pub.ds.slug, CSV.replace('313756', '313757'));
  const gone = await publishedDataset(svc, w);
  await perform(retractDataset, w.walidata.actor, { slug: gone.ds.slug, reason: 'Ditarik untuk uji' }, svc);
  const app = createApp(svc);
  const paths = [`/dataset/${pub.ds.slug}/download.csv`, `/api/v1/datasets/${pub.ds.slug}/rows`, `/dataset/${pub.ds.slug}/versions/1/raw`];
  const served: string[] = [];
  for (const p of paths) {
    const res = await request(app).get(p);
    expect(res.status).toBe(200);
    served.push(res.text);
  }
  await svc.close();

  const before = await dbState(cluster.ownerUrl);
  expect(Number(before.serverVersion)).toBeGreaterThanOrEqual(180000);
  expect(before.tables['public.audit_events'].rows).toBeGreaterThan(5);

  const archive = path.join(work, 'embedded.tar.gz');
  const made = await runCli(['backup', '--file', archive], { DATABASE_URL: '', DATA_DIR: dataDir });
  expect(made.code).toBe(0);
  expect(JSON.parse(made.stdout).source.server_version).toMatch(/^18\./);

  // Into a new, empty database on the run's server.
  dstName = `${process.env.SATUDATA_TEST_DB_NAME}_p${crypto.randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(dstName)}`);
  await admin.end();
  const dst = withDatabase(server(), dstName);
  const dstDir = fs.mkdtempSync(path.join(work, 'dst-'));
  const into = await runCli(['restore', '--file', archive], { DATABASE_URL: dst, DATA_DIR: dstDir });
  expect(into.stderr).toBe('');
  expect(into.code).toBe(0);
  const there = await dbState(dst);
  expect(there.tables).toEqual(before.tables);
  expect(there.indexes).toEqual(before.indexes);
  expect(there.sequences).toEqual(before.sequences);

  const svc2 = testServices({ url: dst, env: { DATA_DIR: dstDir } });
  try {
    const app2 = createApp(svc2);
    for (const [i, p] of paths.entries()) expect({ p, text: (await request(app2).get(p)).text }).toEqual({ p, text: served[i] });
  } finally {
    await svc2.close();
  }

  // And back over the embedded default's own database: refused while it has content, then forced.
  const refused = await runCli(['restore', '--file', archive], { DATABASE_URL: '', DATA_DIR: dataDir });
  expect(refused.code).toBe(1);
  expect(JSON.parse(refused.stderr).error.message).toMatch(/not empty/);
  const back = await runCli(['restore', '--file', archive, '--force'], { DATABASE_URL: '', DATA_DIR: dataDir });
  expect(back.stderr).toBe('');
  expect(back.code).toBe(0);
  expect(JSON.parse(back.stdout).app_role).toEqual({ role: 'satudata_app', granted: true });
  const after = await dbState(cluster.ownerUrl);
  expect(after.tables).toEqual(before.tables);
  expect(after.indexes).toEqual(before.indexes);
  const svc3 = testServices({ url: cluster.appUrl, env: { DATA_DIR: dataDir } });
  try {
    const app3 = createApp(svc3);
    for (const [i, p] of paths.entries()) expect({ p, text: (await request(app3).get(p)).text }).toEqual({ p, text: served[i] });
  } finally {
    await svc3.close();
  }
}, 300_000);
