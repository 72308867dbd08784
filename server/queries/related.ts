import type { Knex } from 'knex';
import type { DatasetJoinedRow } from '../db/rows';
import type { Actor } from '../policies/actor';
import { visibleDatasetsScope } from '../policies/dataset';
import { datasetQuery } from './datasets';

export const RELATED_LIMIT = 6;

/** A dataset related to another, with what makes it so. */
export type RelatedRow = DatasetJoinedRow & { same_indicator: boolean; same_topic: boolean; same_org: boolean };

const INDICATOR = "lower(btrim(d.metadata->>'nama_indikator'))";

/**
 * Datasets related to `d` that the actor may see (published, not retracted, within their
 * access): the same indicator (MS-Ind nama_indikator) first, then the same topic, then the same
 * OPD; among equals the most downloaded, then the newest.
 */
export async function relatedDatasets(db: Knex, actor: Actor | null, d: DatasetJoinedRow, limit = RELATED_LIMIT): Promise<RelatedRow[]> {
  const raw = (d.metadata as Record<string, unknown> | null)?.nama_indikator;
  const indicator = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  const sameIndicator = indicator ? db.raw(`coalesce(${INDICATOR} = ?, false)`, [indicator]) : db.raw('false');
  const sameTopic = d.topic_id ? db.raw('coalesce(d.topic_id = ?, false)', [d.topic_id]) : db.raw('false');
  const rows = await datasetQuery(db)
    .modify(visibleDatasetsScope(actor))
    .whereNot('d.id', d.id)
    .where((w) => {
      void w.where('d.organization_id', d.organization_id);
      if (d.topic_id) void w.orWhere('d.topic_id', d.topic_id);
      if (indicator) void w.orWhereRaw(`${INDICATOR} = ?`, [indicator]);
    })
    .select(
      db.raw('? AS same_indicator', [sameIndicator]),
      db.raw('? AS same_topic', [sameTopic]),
      db.raw('(d.organization_id = ?) AS same_org', [d.organization_id]),
    )
    .orderByRaw('(CASE WHEN ? THEN 4 ELSE 0 END + CASE WHEN ? THEN 2 ELSE 0 END + CASE WHEN d.organization_id = ? THEN 1 ELSE 0 END) DESC', [sameIndicator, sameTopic, d.organization_id])
    .orderBy([{ column: 'd.download_count', order: 'desc' }, { column: 'd.updated_at', order: 'desc' }, { column: 'd.id', order: 'asc' }])
    .limit(limit);
  return rows as RelatedRow[];
}
