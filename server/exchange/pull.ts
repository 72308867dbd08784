import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { perform } from '../actions/action';
import { notify, producersOf, usersWithRole } from '../actions/notify';
import type { SourceRow } from '../actions/sources';
import { uploadVersion } from '../actions/versions';
import { actorForUser } from '../auth/actors';
import { AppError } from '../errors';
import { log } from '../log';
import type { Services } from '../services';
import { StreamTooLarge, type StoredFile } from '../storage';
import { failedRunError, finishRun, type LoggedRun } from './runs';
import { sweepDue } from './sweep';
import { FetchRefused, safeFetch } from './safe-fetch';
import { BadRecords, recordsToCsv } from './records';
import { unseal } from './seal';

// A pulled source's run: fetch (safely), keep the raw answer, turn a JSON API's records into a
// table, and make a version through the same upload action a person uses — only when the
// content changed since the source's last good run. Every run is logged in `source_runs`; three
// failures in a row tell the dataset's OPD and the walidata.

/** After this many failed runs in a row the OPD and the walidata are told (once per streak). */
export const FAILURES_BEFORE_NOTICE = 3;
const FETCH_TIMEOUT_MS = 60_000;

export interface SourceRunRow extends LoggedRun {
  bytes: number | null;
  http_status: number | null;
  result: 'running' | 'new_version' | 'unchanged' | 'failed';
  sha256: string | null;
  response_key: string | null;
  version_id: number | null;
}

/** A failure worth telling people, in both languages. */
class RunFailed extends Error {
  constructor(readonly id: string, readonly en: string, readonly status: number | null = null) {
    super(en);
  }
}

const EXT_BY_TYPE: Array<[RegExp, string]> = [
  [/spreadsheetml|ms-excel/i, '.xlsx'],
  [/csv|text\/plain/i, '.csv'],
];

/** A file name for the fetched file: the URL's own when it names a table, else by content type. */
export function fileNameOf(url: string, contentType: string | undefined): string {
  const base = decodeURIComponent(path.posix.basename(new URL(url).pathname || '')).replace(/[^\w.\- ]+/g, '_');
  if (/\.(csv|xlsx|tsv|txt)$/i.test(base)) return base;
  const ext = EXT_BY_TYPE.find(([re]) => re.test(contentType ?? ''))?.[1] ?? '.csv';
  return `sumber${ext}`;
}

async function fetchInto(services: Services, source: SourceRow): Promise<{ stored: StoredFile; status: number; url: string; contentType?: string }> {
  let headers: Record<string, string> = {};
  if (source.headers_sealed) {
    try {
      headers = unseal<Record<string, string>>(source.headers_sealed, services.config.sessionSecret);
    } catch {
      throw new RunFailed(
        'Header rahasia sumber ini tidak dapat dibuka (SESSION_SECRET berubah?); isi ulang kunci API-nya.',
        "This source's secret headers cannot be opened (did SESSION_SECRET change?); enter its API key again.",
      );
    }
  }
  let res;
  try {
    res = await safeFetch(source.url, { headers, allowHosts: services.config.fetchAllowHosts, timeoutMs: FETCH_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof FetchRefused) throw new RunFailed(err.id, err.en);
    throw err;
  }
  if (res.status < 200 || res.status >= 300) {
    res.body.resume();
    throw new RunFailed(`Sumber menjawab HTTP ${res.status}.`, `The source answered HTTP ${res.status}.`, res.status);
  }
  try {
    const stored = await services.storage.store(res.body, services.config.maxUploadBytes);
    return { stored, status: res.status, url: res.url, contentType: res.headers['content-type'] };
  } catch (err) {
    if (err instanceof StreamTooLarge) {
      const mb = Math.round(services.config.maxUploadBytes / 1048576);
      throw new RunFailed(`Jawaban sumber melebihi ${mb} MB.`, `The source's answer exceeds ${mb} MB.`, res.status);
    }
    if (err instanceof FetchRefused) throw new RunFailed(err.id, err.en, res.status);
    throw err;
  }
}

/** The sha256 of the source's last good run: the same content again makes no version. */
async function lastGoodSha(services: Services, sourceId: number): Promise<string | null> {
  const row = await services.db('source_runs').where({ source_id: sourceId }).whereIn('result', ['new_version', 'unchanged']).orderBy('id', 'desc').first('sha256');
  return row?.sha256 ?? null;
}

/** Runs one source now (whatever its schedule) and returns the logged run. */
export async function runSource(services: Services, sourceId: number, trigger: 'schedule' | 'manual'): Promise<SourceRunRow> {
  const { db } = services;
  const started = Date.now();
  const [run] = await db('source_runs').insert({ source_id: sourceId, trigger }).returning('*');
  const source = (await db('dataset_sources').where({ id: sourceId }).first()) as SourceRow;
  const ds = await db('datasets').where({ id: source.dataset_id }).first();
  const finish = (fields: Partial<SourceRunRow>) => finishRun<SourceRunRow>(db, 'source_runs', run.id, started, fields);
  let fetched: Awaited<ReturnType<typeof fetchInto>> | null = null;
  let toLoad: StoredFile | null = null;
  try {
    const owner = await actorForUser(db, source.owner_id);
    if (!owner) throw new RunFailed('Pemilik sumber ini tidak aktif lagi; atur ulang sumbernya.', "This source's owner is no longer active; set the source again.");
    fetched = await fetchInto(services, source);
    let filename = fileNameOf(fetched.url, fetched.contentType);
    toLoad = fetched.stored;
    let responseKey: string | null = null;
    if (source.kind === 'json_api') {
      // The raw answer is kept as it came; the table loaded is its records as CSV.
      responseKey = await services.storage.adopt(fetched.stored.key, fetched.stored.sha256);
      let answer: unknown;
      try {
        answer = JSON.parse(await text(await services.storage.open(responseKey)));
      } catch {
        throw new RunFailed('Jawaban sumber bukan JSON yang sah.', "The source's answer is not valid JSON.", fetched.status);
      }
      const { csv } = recordsToCsv(answer, source.records_path, source.fields);
      toLoad = await services.storage.store(Readable.from([Buffer.from(csv, 'utf8')]));
      filename = 'sumber.csv';
    }
    const sha = toLoad.sha256;
    const common = { bytes: fetched.stored.size, http_status: fetched.status, sha256: sha, response_key: responseKey };
    if (sha === (await lastGoodSha(services, source.id))) {
      await services.storage.discard(toLoad.key);
      await db('dataset_sources').where({ id: source.id }).update({ failures: 0 });
      return await finish({ ...common, result: 'unchanged' });
    }
    const v = await perform(
      uploadVersion,
      owner,
      { slug: ds.slug, file: { ...toLoad, filename, media_type: source.kind === 'json_api' ? 'text/csv' : fetched.contentType?.slice(0, 200) }, idempotency_key: `source-${source.id}-${sha}` },
      services,
    );
    await db('dataset_sources').where({ id: source.id }).update({ failures: 0 });
    return await finish({ ...common, result: v.reused ? 'unchanged' : 'new_version', version_id: v.id });
  } catch (err) {
    if (toLoad) await services.storage.discard(toLoad.key).catch(() => undefined);
    const known = err instanceof RunFailed ? err : err instanceof BadRecords ? new RunFailed(err.id, err.message) : err instanceof AppError ? new RunFailed(err.message, err.messageEn ?? err.message) : null;
    if (!known) log.error({ err, sourceId }, 'pulled source run failed');
    const done = await finish({ result: 'failed', ...failedRunError(known, err), http_status: known?.status ?? fetched?.status ?? null, bytes: fetched?.stored.size ?? null });
    await countFailure(services, source, ds);
    return done;
  }
}

async function countFailure(services: Services, source: SourceRow, ds: { id: number; organization_id: number; slug: string; title: string }): Promise<void> {
  await services.db.transaction(async (tx) => {
    const [{ failures }] = await tx('dataset_sources').where({ id: source.id }).increment('failures', 1).returning('failures');
    if (failures !== FAILURES_BEFORE_NOTICE) return;
    const recipients = [...(await producersOf(tx, ds.organization_id)), ...(await usersWithRole(tx, ['walidata']))];
    await notify(tx, { kind: 'source_failed', recipients, actorId: null, datasetId: ds.id, details: { title: ds.title, failures, url: source.url } });
  });
}

/** Claims and runs every pulled source whose time has come (once, however many workers sweep). */
export function pullDueSources(services: Services): Promise<number> {
  return sweepDue(services, 'dataset_sources', (id) => runSource(services, id, 'schedule'));
}
