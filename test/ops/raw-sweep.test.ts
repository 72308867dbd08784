import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { perform } from '../../server/actions/action';
import { importDataList } from '../../server/actions/datalist';
import { JobQueue } from '../../server/jobs/queue';
import { ORPHAN_MIN_AGE_MS, sweepOrphanRaw } from '../../server/ops/raw-sweep';
import { makeDataset, uid, uploadContent } from '../support/factories';
import { testWorld } from '../support/world';

// A raw file is adopted just before the row naming it is written; a process that dies in between
// (or a transaction that fails after the adoption) leaves a file nothing names. The workers' sweep
// removes such files once a day old, and never a file a version, a pulled source's run or a data
// list import names, nor one adopted again while its row is being written.

const t = testWorld({ isolated: true });
const DAY_AND_HOUR = ORPHAN_MIN_AGE_MS + 3600_000;

/** Bytes received and adopted with no row written: what a process dying after `adopt` leaves. */
async function orphan(content = `kode,nilai\n18,${uid()}\n`): Promise<string> {
  const stored = await t.svc.storage.store(Readable.from([Buffer.from(content)]));
  return t.svc.storage.adopt(stored.key, stored.sha256);
}

/** Sets a stored file's time back, as if it had been adopted `ms` ago. */
function age(key: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  fs.utimesSync(path.join(t.svc.config.storageDir, key), then, then);
}

const exists = async (key: string) => (await t.svc.storage.stat(key)) !== null;

describe('the sweep of orphaned raw files', () => {
  it('removes a day-old file nothing names and keeps what a version, a source run or an import names', async () => {
    const { producer, opd, walidata } = t.w;
    const ds = await makeDataset(t.svc, producer, opd.slug);
    const version = await uploadContent(t.svc, producer.actor, ds.slug, `kode_provinsi,nilai\n18,${uid()}\n`);
    const imported = await perform(
      importDataList,
      walidata.actor,
      { year: 2087, file: await t.svc.storage.store(Readable.from([Buffer.from(`nama,opd,frekuensi\nData ${uid()},${opd.slug},tahunan\n`)])).then((s) => ({ key: s.key, sha256: s.sha256, filename: 'daftar.csv' })) },
      t.svc,
    );
    expect(imported.created).toBe(1);
    const importKey = (await t.svc.db('audit_events').where({ action: 'data_list.import' }).orderBy('id', 'desc').first()).details.raw_path as string;
    const answerKey = await orphan(`{"data":[{"kode":"${uid()}"}]}`);
    const [source] = await t.svc.db('dataset_sources').insert({ dataset_id: ds.id, kind: 'json_api', url: 'https://data.example.test/api', schedule: 'daily', owner_id: producer.actor.id }).returning('id');
    await t.svc.db('source_runs').insert({ source_id: source.id, trigger: 'manual', result: 'unchanged', response_key: answerKey });
    const left = await orphan();

    // Young, nothing goes: the row naming a file may not be committed yet.
    expect(await sweepOrphanRaw(t.svc)).toBe(0);
    expect(await exists(left)).toBe(true);

    // A day later only the file nothing names goes.
    expect(await sweepOrphanRaw(t.svc, { now: Date.now() + DAY_AND_HOUR })).toBe(1);
    expect(await exists(left)).toBe(false);
    for (const kept of [version.raw_path, importKey, answerKey]) expect(await exists(kept)).toBe(true);
    // The version's file is still its download.
    expect((await t.svc.storage.stat(version.raw_path))?.size).toBe(Number(version.raw_size));
  });

  it('keeps a day-old file that is adopted again while the row naming it is being written', async () => {
    const content = `kode,nilai\n18,${uid()}\n`;
    const key = await orphan(content);
    age(key, 2 * ORPHAN_MIN_AGE_MS);
    // The same bytes uploaded again: adopting them is the first step of a version being made.
    const again = await t.svc.storage.store(Readable.from([Buffer.from(content)]));
    expect(await t.svc.storage.adopt(again.key, again.sha256)).toBe(key);
    expect(await sweepOrphanRaw(t.svc)).toBe(0);
    expect(await exists(key)).toBe(true);
    // An already kept key handed in as it is counts as adopting it again too.
    age(key, 2 * ORPHAN_MIN_AGE_MS);
    await t.svc.storage.adopt(key, crypto.createHash('sha256').update(content).digest('hex'));
    expect(await sweepOrphanRaw(t.svc)).toBe(0);
    expect(await exists(key)).toBe(true);
  });

  it('runs in a worker’s sweep as it starts', async () => {
    const left = await orphan();
    age(left, 2 * ORPHAN_MIN_AGE_MS);
    const queue = await JobQueue.start(t.url);
    try {
      await queue.work(t.svc);
      // The orphan sweep goes on beside the worker's other work: wait for it, a few seconds at most.
      for (let i = 0; i < 100 && (await exists(left)); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await exists(left)).toBe(false);
    } finally {
      await queue.stop();
    }
  });
});
