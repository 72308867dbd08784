import path from 'node:path';
import type { Knex } from 'knex';
import { recordAudit } from '../audit';
import { dropTable, tableNameFor } from '../db/datastore';
import { buildIndexes, loadFile, type LoadProgress, type LoadResult } from '../ingest';
import type { Wilayah } from '../ingest/finish/regions';
import { loadOptionsSchema } from '../ingest/options';
import { problem } from '../ingest/problems';
import { failure, problemCount } from '../ingest/report';
import { isDatabaseUnavailable } from '../errors';
import { log } from '../log';
import type { Services } from '../services';
import type { LocalFile } from '../storage';
import { IsolatedOutOfMemory, runIsolated } from './isolate';
import { reviewAutomatically } from '../review/auto-review';
import type { IsolatedLoad } from './load-isolated';

/** Loads that stall this many times end `failed` (the second attempt runs isolated). */
export const MAX_ATTEMPTS = 2;

/**
 * Loads one version in state `processing` (from the queue or inline after an upload). Claims it
 * first, so two workers never load the same version; beats a heartbeat while loading; ends it
 * `draft` (with its report) or `failed`, with a guarded update and one audit event.
 */
export async function loadVersion(services: Services, versionId: number): Promise<void> {
  const { db, storage } = services;
  const stall = services.config.loadStallSeconds;
  const [v] = await db('versions')
    .where({ id: versionId, state: 'processing' })
    .andWhere((q) => q.whereNull('heartbeat_at').orWhere('heartbeat_at', '<', db.raw('now() - make_interval(secs => ?)', [stall])))
    .update({ load_attempt: db.raw('load_attempt + 1'), heartbeat_at: db.fn.now(), updated_at: db.fn.now() })
    .returning('*');
  if (!v) return; // done already, or another worker holds it
  const attempt: number = v.load_attempt;
  const table = tableNameFor(v.id, attempt);
  let progress: LoadProgress = { phase: 'reading', bytes_done: 0, bytes_total: Number(v.raw_size), rows: 0 };
  const beat = setInterval(() => {
    db('versions')
      .where({ id: v.id, state: 'processing', load_attempt: attempt })
      .update({ heartbeat_at: db.fn.now(), progress: JSON.stringify(progress) })
      .catch((err) => log.warn({ err, versionId }, 'heartbeat failed'));
  }, 1000);
  beat.unref();

  let raw: LocalFile | null = null;
  try {
    // Tables of earlier, interrupted attempts are never visible (the version was processing): drop them.
    for (let a = 1; a < attempt; a++) await dropTable(db, tableNameFor(v.id, a));
    const wilayah: Wilayah[] = await db('wilayah').where({ active: true }).select('level', 'kode_bps', 'kode_kemendagri', 'nama');
    const options = loadOptionsSchema.parse(v.options ?? {});
    raw = await storage.localFile(v.raw_path);
    const input = {
      file: raw.path,
      filename: v.filename,
      table,
      options,
      parallelMinBytes: services.config.parallelLoadMinBytes,
      xlsxLimits: services.config.xlsxLimits,
    };
    const derived = `${v.raw_sha256}-${v.id}-${attempt}-`;
    // An earlier attempt was claimed and never finished: its process died (a restart, or this
    // very file). The retry is not made as-is: it runs in a thread with a capped heap.
    const result =
      attempt > 1
        ? await loadIsolated({ ...input, url: connectionString(db), derivedPrefix: storage.derivedPath(derived), wilayah }, (p) => (progress = p))
        : await loadFile({ ...input, db, derivedPath: (suffix) => storage.derivedPath(`${derived}${suffix}`), onProgress: (p) => (progress = p) }, wilayah);
    clearInterval(beat);
    let kept = false;
    await db.transaction(async (tx) => {
      const updated = await tx('versions')
        .where({ id: v.id, state: 'processing', load_attempt: attempt })
        .update({
          state: result.state,
          report: JSON.stringify(result.report),
          encoding: result.encoding,
          dialect: result.dialect ? JSON.stringify(result.dialect) : null,
          options: JSON.stringify(options),
          table_name: result.table,
          row_count: result.rows,
          sample: JSON.stringify(result.sample),
          progress: null,
          heartbeat_at: null,
          updated_at: tx.fn.now(),
        });
      if (updated === 0) {
        // Someone else finished or failed this version meanwhile: our table is not wanted.
        if (result.table) await dropTable(tx, result.table);
        return;
      }
      kept = result.table !== null;
      await tx('version_columns').where({ version_id: v.id }).delete();
      if (result.columns.length > 0) {
        await tx('version_columns').insert(
          result.columns.map((c, i) => ({
            version_id: v.id,
            position: i,
            name: c.name,
            label: c.label,
            type: c.type,
            unit: c.unit,
            role: c.role,
            description: c.description,
            ref_scheme: c.refScheme,
            stats: result.stats[c.name] ? JSON.stringify(result.stats[c.name]) : null,
          })),
        );
      }
      await recordAudit(tx, null, result.state === 'failed' ? 'version.load_failed' : 'version.loaded', {
        targetType: 'version',
        targetId: v.number,
        datasetId: v.dataset_id,
        versionId: v.id,
        details: {
          rows: result.rows,
          errors: problemCount(result.report, 'errors'),
          warnings: problemCount(result.report, 'warnings'),
          attempt,
          ...(attempt > 1 ? { isolated: true } : {}),
        },
      });
    });
    // The draft is out; its indexes follow (nothing in its report needs them). A failure here
    // leaves a correct table, only slower to filter: logged, not the version's failure.
    if (kept && result.table && result.rows !== null) {
      await buildIndexes(db, result.table, result.columns, result.rows).catch((err) => log.warn({ err, versionId }, 'building indexes failed'));
    }
    // The dataset's automation (auto_submit / auto_publish) takes a clean draft on from here.
    if (kept) await reviewAutomatically(services, v.id).catch((err) => log.warn({ err, versionId }, 'automatic review failed'));
  } catch (err) {
    clearInterval(beat);
    if (isDatabaseUnavailable(err)) {
      // Not the file's fault: the database went away (a restart, a failover). Nothing can be
      // written now; the version stays claimed with a stale heartbeat, and the stall sweep of
      // whichever worker sees the database again loads it once more (dropping this attempt's table).
      log.warn({ versionId, reason: (err as Error).message }, 'the database went away during a load; it will be picked up again');
      return;
    }
    log.error({ err, versionId }, 'loading failed');
    await dropTable(db, table).catch(() => undefined);
    await failVersion(db, v.id, attempt, failure(problem('internal_error')));
  } finally {
    await raw?.release().catch((err) => log.warn({ err, versionId }, 'removing the local copy failed'));
  }
}

async function failVersion(db: Knex, id: number, attempt: number | null, report: object): Promise<void> {
  await db.transaction(async (tx) => {
    const q = tx('versions').where({ id, state: 'processing' });
    if (attempt !== null) void q.andWhere({ load_attempt: attempt });
    const [v] = await q
      .update({ state: 'failed', report: JSON.stringify(report), progress: null, heartbeat_at: null, updated_at: tx.fn.now() })
      .returning(['id', 'number', 'dataset_id']);
    if (v) {
      await recordAudit(tx, null, 'version.load_failed', {
        targetType: 'version',
        targetId: v.number,
        datasetId: v.dataset_id,
        versionId: v.id,
        details: { reason: 'stalled' },
      });
    }
  });
}

/**
 * Finds loads whose worker went away (no heartbeat for LOAD_STALL_SECONDS, e.g. the server was
 * restarted mid-load): queues them again, or fails them after MAX_ATTEMPTS.
 */
export async function recoverStalledLoads(services: Services): Promise<number> {
  const { db, jobs } = services;
  const stall = services.config.loadStallSeconds;
  const stalled: Array<{ id: number; load_attempt: number }> = await db('versions')
    .where({ state: 'processing' })
    .andWhere((q) =>
      q
        .where('heartbeat_at', '<', db.raw('now() - make_interval(secs => ?)', [stall]))
        .orWhere((w) => w.whereNull('heartbeat_at').andWhere('updated_at', '<', db.raw('now() - make_interval(secs => ?)', [stall]))),
    )
    .select('id', 'load_attempt');
  for (const v of stalled) {
    if (v.load_attempt >= MAX_ATTEMPTS) {
      await failVersion(db, v.id, null, failure(problem('load_interrupted', { times: v.load_attempt })));
    } else {
      await jobs.enqueueLoad(v.id);
    }
  }
  return stalled.length;
}

const ISOLATED_HEAP_MB = 1024;

function connectionString(db: Knex): string {
  const c = db.client.config.connection as { connectionString?: string } | string;
  const url = typeof c === 'string' ? c : c.connectionString;
  if (!url) throw new Error('the database connection has no connection string');
  return url;
}

/** loadFile in a capped thread; running out of heap there ends the version `failed` with a reason. */
async function loadIsolated(job: IsolatedLoad, onProgress: (p: LoadProgress) => void): Promise<LoadResult> {
  try {
    return await runIsolated<LoadResult>(path.join(__dirname, 'load-isolated.ts'), 'loadInThread', [job], {
      maxHeapMb: ISOLATED_HEAP_MB,
      onProgress: (p) => onProgress(p as LoadProgress),
    });
  } catch (err) {
    if (!(err instanceof IsolatedOutOfMemory)) throw err;
    return {
      state: 'failed',
      report: failure(problem('load_out_of_memory')),
      encoding: null,
      dialect: null,
      columns: [],
      stats: {},
      table: null,
      rows: null,
      sample: [],
    };
  }
}
