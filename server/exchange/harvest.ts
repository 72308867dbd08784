import { perform } from '../actions/action';
import { retractDataset, updateDataset, type DatasetRow } from '../actions/datasets';
import { harvestDataset, publishHarvestedVersion, type HarvestSourceRow } from '../actions/harvest';
import { FREQUENCIES } from '../metadata';
import { submitVersion, uploadVersion, type VersionRow } from '../actions/versions';
import { AppError } from '../errors';
import { problemCount } from '../ingest/report';
import { log } from '../log';
import { harvesterActor } from '../policies/harvest';
import type { Services } from '../services';
import { ckanListing } from './harvest-ckan';
import { dcatListing } from './harvest-dcat';
import { fetchTable, HarvestFailed } from './harvest-fetch';
import type { RemoteDataset, RemoteListing } from './harvest-remote';
import { failedRunError, finishRun, type LoggedRun } from './runs';
import { sweepDue } from './sweep';

// A harvest run: read the remote catalog, file each remote dataset under the source's
// "harvested" organization (new → a dataset; changed → its metadata through dataset.update and
// its table as a new version; unchanged → nothing), retract here what the remote no longer
// publishes, and log the run with its counts. Every change goes through an action as the
// harvester (`sistem:panen`), so it is authorized and audited like a person's.

export interface HarvestRunRow extends LoggedRun {
  result: 'running' | 'ok' | 'partial' | 'failed';
  seen: number;
  created: number;
  updated: number;
  unchanged: number;
  retracted: number;
  failed: number;
  problems: Array<{ dataset: string | null; id: string; en: string }>;
}

/** The link of a harvested dataset to its origin. */
export interface DatasetHarvestRow {
  dataset_id: number;
  source_id: number;
  remote_id: string;
  remote_name: string | null;
  remote_url: string | null;
  remote_modified: Date | null;
  resource_url: string | null;
  resource_sha256: string | null;
  links: Array<{ url: string; name: string; format: string }>;
  harvested_at: Date;
  gone_at: Date | null;
}

/** A re-harvest asks for what changed since the last good run began, less this margin (clocks differ). */
const SINCE_MARGIN_MS = 60 * 60 * 1000;
/** How long a harvest waits for a table that went to the job queue to be loaded. */
const LOAD_WAIT_MS = 15 * 60 * 1000;

/** A run still `running` after this long is taken for one whose process died. */
const RUN_STALE_HOURS = 6;
const BUSY = { id: 'Panen sumber ini sedang berjalan; tunggu sampai selesai.', en: 'A harvest of this source is under way; wait until it is done.' };

type Outcome = 'created' | 'updated' | 'unchanged';

const sameTime = (a: Date | string | null, b: Date | null) => (a === null || b === null ? a === b : new Date(a).getTime() === b.getTime());

/** Our dataset fields from the remote's, within our limits. */
function fieldsOf(r: RemoteDataset, source: HarvestSourceRow) {
  const tags = [...new Set(r.tags.map((t) => t.trim().toLowerCase().slice(0, 60)).filter(Boolean))].slice(0, 30);
  const title = r.title.trim().slice(0, 200).padEnd(3, '.');
  return {
    title,
    description: r.description.slice(0, 10_000),
    ...(r.title_en ? { title_en: r.title_en.slice(0, 200) } : {}),
    ...(r.description_en ? { description_en: r.description_en.slice(0, 10_000) } : {}),
    tags,
    frequency: (r.frequency && (FREQUENCIES as readonly string[]).includes(r.frequency) ? r.frequency : 'ad_hoc') as (typeof FREQUENCIES)[number],
    license: (r.license || 'CC-BY-4.0').slice(0, 60),
    access_level: 'terbuka' as const,
    source: `Portal Satu Data ${source.name}${r.landing ? ` (${r.landing})` : ''}`.slice(0, 500),
    metadata: r.metadata,
  };
}

/** Waits until a version is no longer `processing` (a large table loads in the job queue). */
async function loaded(services: Services, versionId: number): Promise<VersionRow> {
  const until = Date.now() + LOAD_WAIT_MS;
  for (;;) {
    const v = (await services.db('versions').where({ id: versionId }).first()) as VersionRow;
    if (v.state !== 'processing' || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Brings one remote dataset in. Returns what happened; a problem that leaves the dataset as it is
 * (a table that does not load, a submission another version blocks) is thrown as HarvestFailed
 * after the bookkeeping, so the next run does not try the same bytes again.
 */
async function harvestOne(services: Services, source: HarvestSourceRow, r: RemoteDataset): Promise<Outcome> {
  const { db } = services;
  let link = (await db('dataset_harvests').where({ source_id: source.id, remote_id: r.id }).first()) as DatasetHarvestRow | undefined;
  if (link && !link.gone_at && r.modified && sameTime(link.remote_modified, r.modified)) return 'unchanged';
  const fields = fieldsOf(r, source);
  let ds: DatasetRow;
  let outcome: Outcome = 'unchanged';
  if (!link) {
    ds = await perform(harvestDataset, harvesterActor, { ...fields, topic: r.topic ?? undefined, source_id: source.id, remote_id: r.id, remote_name: r.name, remote_url: r.landing }, services);
    link = (await db('dataset_harvests').where({ dataset_id: ds.id }).first()) as DatasetHarvestRow;
    outcome = 'created';
  } else {
    ds = (await db('datasets').where({ id: link.dataset_id }).first()) as DatasetRow;
    const changes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
      const now = (ds as unknown as Record<string, unknown>)[k];
      if (JSON.stringify(now ?? null) !== JSON.stringify(v ?? null)) changes[k] = v;
    }
    if (Object.keys(changes).length) {
      ds = await perform(updateDataset, harvesterActor, { slug: ds.slug, ...changes }, services);
      outcome = 'updated';
    }
    if (link.gone_at && ds.retracted_at) {
      ds = await perform(retractDataset, harvesterActor, { slug: ds.slug, retract: false }, services);
      outcome = 'updated';
    }
  }
  let problem: HarvestFailed | null = null;
  let sha = link.resource_sha256;
  if (r.table) {
    const got = await fetchTable(services, r.table.url);
    sha = got.stored.sha256;
    if (sha === link.resource_sha256) {
      await services.storage.discard(got.stored.key);
    } else {
      const up = await perform(
        uploadVersion,
        harvesterActor,
        { slug: ds.slug, file: { ...got.stored, filename: got.filename, media_type: got.mediaType }, idempotency_key: `harvest-${source.id}-${sha}` },
        services,
      );
      if (!up.reused) {
        if (outcome === 'unchanged') outcome = 'updated';
        problem = await passOn(services, source, ds, await loaded(services, up.id));
      }
    }
  }
  await db('dataset_harvests')
    .where({ dataset_id: ds.id })
    .update({
      remote_name: r.name,
      remote_url: r.landing,
      remote_modified: r.modified,
      resource_url: r.table?.url ?? null,
      resource_sha256: sha,
      links: JSON.stringify(r.links),
      harvested_at: db.fn.now(),
      gone_at: null,
    });
  if (problem) throw problem;
  return outcome;
}

/** A loaded harvested version goes to the walidata's queue, or (a source without review) is published. */
async function passOn(services: Services, source: HarvestSourceRow, ds: DatasetRow, v: VersionRow): Promise<HarvestFailed | null> {
  if (v.state !== 'draft' || problemCount(v.report, 'errors') > 0) {
    const errors = problemCount(v.report, 'errors');
    return new HarvestFailed(
      `Tabel versi ${v.number} tidak dapat dimuat bersih (${v.state}, ${errors} galat); versi dibiarkan untuk diperiksa.`,
      `The table of version ${v.number} did not load cleanly (${v.state}, ${errors} errors); the version is left for a look.`,
    );
  }
  try {
    if (source.review) await perform(submitVersion, harvesterActor, { slug: ds.slug, number: v.number }, services);
    else await perform(publishHarvestedVersion, harvesterActor, { slug: ds.slug, number: v.number }, services);
    return null;
  } catch (err) {
    if (err instanceof AppError) return new HarvestFailed(`Versi ${v.number}: ${err.message}`, `Version ${v.number}: ${err.messageEn ?? err.message}`);
    throw err;
  }
}

/** Retracts here what the remote no longer publishes (only after a whole listing). */
async function retractGone(services: Services, source: HarvestSourceRow, listing: RemoteListing, counts: { retracted: number; failed: number }, problems: HarvestRunRow['problems']): Promise<void> {
  if (!listing.present) return;
  const { db } = services;
  const links = (await db('dataset_harvests as h').join('datasets as d', 'd.id', 'h.dataset_id').where('h.source_id', source.id).whereNull('h.gone_at').select('h.*', 'd.slug', 'd.current_version_id', 'd.retracted_at')) as Array<DatasetHarvestRow & { slug: string; current_version_id: number | null; retracted_at: Date | null }>;
  for (const l of links) {
    const key = source.kind === 'ckan' ? l.remote_name : l.remote_id;
    if (key && listing.present.has(key)) continue;
    try {
      if (l.current_version_id && !l.retracted_at) {
        await perform(retractDataset, harvesterActor, { slug: l.slug, reason: `Tidak lagi diterbitkan di Portal Satu Data ${source.name}. / No longer published by the ${source.name} portal.`.slice(0, 2000) }, services);
      }
      await db('dataset_harvests').where({ dataset_id: l.dataset_id }).update({ gone_at: db.fn.now() });
      counts.retracted++;
    } catch (err) {
      counts.failed++;
      problems.push({ dataset: l.slug, id: (err as Error).message, en: (err as Error).message });
    }
  }
}

/** Runs one harvest source now (whatever its schedule) and returns the logged run. */
export async function runHarvest(services: Services, sourceId: number, trigger: 'schedule' | 'manual'): Promise<HarvestRunRow> {
  const { db } = services;
  const started = Date.now();
  // One run of a source at a time (a manual run while the schedule's is under way): the source
  // row is locked while the check and the new run's row are made, so two cannot both pass.
  const { run, busy, source } = await db.transaction(async (tx) => {
    const src = (await tx('harvest_sources').where({ id: sourceId }).forUpdate().first()) as HarvestSourceRow;
    const running = await tx('harvest_runs').where({ source_id: sourceId, result: 'running' }).whereRaw('started_at > now() - make_interval(hours => ?)', [RUN_STALE_HOURS]).first('id');
    const [row] = await tx('harvest_runs').insert({ source_id: sourceId, trigger, ...(running ? { result: 'failed', error: BUSY.id, error_en: BUSY.en, finished_at: tx.fn.now(), duration_ms: 0 } : {}) }).returning('*');
    return { run: row as HarvestRunRow, busy: Boolean(running), source: src };
  });
  if (busy) return run;
  const counts = { seen: 0, created: 0, updated: 0, unchanged: 0, retracted: 0, failed: 0 };
  const problems: HarvestRunRow['problems'] = [];
  const finish = (fields: Partial<HarvestRunRow>) =>
    finishRun<HarvestRunRow>(db, 'harvest_runs', run.id, started, { ...counts, ...fields, problems: JSON.stringify(problems.slice(0, 100)) });
  try {
    // From the last run that brought everything: after a partial one, what failed is asked for again.
    const last = await db('harvest_runs').where({ source_id: sourceId, result: 'ok' }).orderBy('id', 'desc').first('started_at');
    const since = last ? new Date(new Date(last.started_at).getTime() - SINCE_MARGIN_MS) : null;
    const listing = source.kind === 'ckan' ? await ckanListing(services, source.url, since) : await dcatListing(services, source.url);
    for (const n of listing.notes) problems.push({ dataset: null, ...n });
    for (const r of listing.datasets) {
      counts.seen++;
      try {
        counts[await harvestOne(services, source, r)]++;
      } catch (err) {
        counts.failed++;
        const known = err instanceof HarvestFailed ? err : err instanceof AppError ? new HarvestFailed(err.message, err.messageEn ?? err.message) : null;
        if (!known) log.error({ err, sourceId, remote: r.id }, 'harvesting a dataset failed');
        problems.push({ dataset: r.landing ?? r.id, id: known?.id ?? (err as Error).message, en: known?.en ?? (err as Error).message });
      }
    }
    await retractGone(services, source, listing, counts, problems);
    await db('harvest_sources').where({ id: sourceId }).update({ failures: 0 });
    return await finish({ result: counts.failed || listing.notes.length ? 'partial' : 'ok' });
  } catch (err) {
    const known = err instanceof HarvestFailed ? err : null;
    if (!known) log.error({ err, sourceId }, 'harvest run failed');
    await db('harvest_sources').where({ id: sourceId }).increment('failures', 1);
    return finish({ result: 'failed', ...failedRunError(known, err) });
  }
}

/** Claims and runs every harvest source whose time has come (once, however many workers sweep). */
export function harvestDueSources(services: Services): Promise<number> {
  return sweepDue(services, 'harvest_sources', (id) => runHarvest(services, id, 'schedule'));
}
