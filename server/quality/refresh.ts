import type { Knex } from 'knex';
import { log } from '../log';
import { coveredUntil } from '../queries/coverage';
import { dataList } from '../queries/datalist';
import { dueUpdate } from '../review/due';
import { qualityScore, type Quality, type QualityInput } from './score';

// Gathers the facts of a dataset for the (pure) quality score, and keeps the computed score in
// `dataset_quality` for sorting and facets. The table is derived: it can be rebuilt at any time.

/**
 * The facts of dataset `datasetId`, scored on version `versionId` (default: its current one);
 * deliveries are judged by the days of `timeZone` (the portal's).
 */
export async function qualityInput(db: Knex, timeZone: string, datasetId: number, versionId?: number | null): Promise<QualityInput | null> {
  const ds = await db('datasets').where({ id: datasetId }).first();
  if (!ds) return null;
  const vid = versionId ?? ds.current_version_id;
  const v = vid ? await db('versions').where({ id: vid }).first() : null;
  const columns = v?.table_name ? await db('version_columns').where({ version_id: v.id }).orderBy('position') : [];
  const published = Boolean(v && (v.state === 'published' || v.state === 'superseded'));
  let due: QualityInput['due'] = null;
  if (v?.table_name && published) {
    const covered = (await coveredUntil(db, v.table_name, columns)) ?? new Date(v.published_at);
    due = dueUpdate(ds.frequency, covered)?.status ?? null;
  }
  const years: number[] = await db('data_list_items').where({ dataset_id: datasetId }).distinct('year').pluck('year');
  let deliveries: QualityInput['deliveries'] = null;
  if (years.length) {
    deliveries = { on_time: 0, late_delivered: 0, late_open: 0 };
    for (const year of years) {
      const ids: number[] = await db('data_list_items').where({ dataset_id: datasetId, year }).pluck('id');
      for (const e of await dataList(db, null, { year, timeZone, ids })) {
        for (const p of e.periods) {
          if (p.status === 'terbit') deliveries.on_time++;
          else if (p.status === 'terbit_terlambat') deliveries.late_delivered++;
          else if (p.status === 'terlambat') deliveries.late_open++;
        }
      }
    }
  }
  return {
    dataset: {
      description: ds.description,
      source: ds.source,
      license: ds.license,
      access_level: ds.access_level,
      contact_name: ds.contact_name,
      contact_email: ds.contact_email,
      metadata: ds.metadata ?? {},
    },
    version: v?.table_name
      ? { published, columns, errors: v.report?.counts?.errors ?? {}, warnings: v.report?.counts?.warnings ?? {} }
      : null,
    due,
    deliveries,
  };
}

/** The quality of a dataset now (on its current version, or on `versionId`). */
export async function computeQuality(db: Knex, timeZone: string, datasetId: number, versionId?: number | null): Promise<Quality | null> {
  const input = await qualityInput(db, timeZone, datasetId, versionId);
  return input ? qualityScore(input) : null;
}

/** Recomputes and keeps the score of a dataset's current version (none kept while it has none). */
export async function refreshQuality(db: Knex, timeZone: string, datasetId: number): Promise<void> {
  const ds = await db('datasets').where({ id: datasetId }).first('current_version_id');
  if (!ds?.current_version_id) {
    await db('dataset_quality').where({ dataset_id: datasetId }).delete();
    return;
  }
  const q = await computeQuality(db, timeZone, datasetId);
  if (!q) return;
  await db('dataset_quality')
    .insert({ dataset_id: datasetId, score: q.score, parts: JSON.stringify(q.parts), computed_at: db.fn.now() })
    .onConflict('dataset_id')
    .merge();
}

/** A refresh after an action has committed: a failure is logged, never the action's. */
export function refreshSoon(db: Knex, timeZone: string, datasetIds: Array<number | null | undefined>): () => Promise<void> {
  return async () => {
    for (const id of new Set(datasetIds.filter((x): x is number => typeof x === 'number'))) {
      await refreshQuality(db, timeZone, id).catch((err) => log.error({ err, datasetId: id }, 'quality refresh failed'));
    }
  };
}

/** Recomputes every published dataset's score (timeliness changes with the calendar). */
export async function refreshAllQuality(db: Knex, timeZone: string): Promise<number> {
  const ids: number[] = await db('datasets').whereNotNull('current_version_id').pluck('id');
  await refreshSoon(db, timeZone, ids)();
  return ids.length;
}
