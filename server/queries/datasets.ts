import type { Knex } from 'knex';
import { datasetNotFound, versionNotFound } from '../errors';
import type { Actor } from '../policies/actor';
import { canViewDataset, canViewWork } from '../policies/dataset';
import { canViewVersion } from '../policies/version';
import type { ColumnRow, DatasetJoinedRow, VersionRow } from '../db/rows';
import { datasetStage, versionStage } from './stage';

/** The joined columns every dataset listing and page needs. */
export function datasetQuery(db: Knex): Knex.QueryBuilder {
  return db('datasets as d')
    .join('organizations as o', 'o.id', 'd.organization_id')
    .leftJoin('topics as t', 't.id', 'd.topic_id')
    .leftJoin('versions as cv', 'cv.id', 'd.current_version_id')
    .select(
      'd.*',
      'o.slug as org_slug',
      'o.uuid as org_uuid',
      'o.name as org_name',
      'o.short_name as org_short_name',
      'o.kind as org_kind',
      't.slug as topic_slug',
      't.uuid as topic_uuid',
      't.name_id as topic_name_id',
      't.name_en as topic_name_en',
      'cv.number as current_number',
      'cv.row_count as current_row_count',
      'cv.published_at as current_published_at',
      datasetStage(db, 'd'),
    );
}

/** A review decision in a version's history (the author only for those who see the work). */
export interface VersionDecision {
  stage: string;
  decision: string;
  at: Date | string;
  by: string | null;
}

/** A dataset the actor may see (its public face, or its work), else NotFound. */
export async function findDataset(db: Knex, actor: Actor | null, slug: string): Promise<DatasetJoinedRow> {
  const d: DatasetJoinedRow | undefined = await datasetQuery(db).where('d.slug', slug).first();
  if (!d || !(canViewDataset(actor, d) || canViewWork(actor, d))) {
    throw datasetNotFound();
  }
  return d;
}

/** A dataset whose work (unpublished versions, reports) the actor may see, else NotFound: the workspace pages. */
export async function findWork(db: Knex, actor: Actor | null, slug: string): Promise<DatasetJoinedRow> {
  const d: DatasetJoinedRow | undefined = await datasetQuery(db).where('d.slug', slug).first();
  if (!d || !canViewWork(actor, d)) throw datasetNotFound();
  return d;
}

/** Versions of a dataset the actor may see, newest first, with uploader names. */
export async function listVersions(db: Knex, actor: Actor | null, dataset: DatasetJoinedRow): Promise<Array<VersionRow & { decisions: VersionDecision[] }>> {
  const rows: VersionRow[] = await db('versions as v')
    .leftJoin('users as u', 'u.id', 'v.uploaded_by')
    .where('v.dataset_id', dataset.id)
    .orderBy('v.number', 'desc')
    .select('v.*', 'u.name as uploader_name', versionStage(db, 'v'));
  const visible = rows.filter((v) => canViewVersion(actor, dataset, v));
  // The decisions of each version (not comments): at which stage, what, when, by whom.
  const decisions = visible.length
    ? await db('reviews as r')
        .leftJoin('users as u', 'u.id', 'r.author_id')
        .whereIn('r.version_id', visible.map((v) => v.id))
        .whereNot('r.decision', 'comment')
        .orderBy('r.id')
        .select('r.version_id', 'r.stage', 'r.decision', 'r.created_at', 'u.name as author_name')
    : [];
  const work = canViewWork(actor, dataset);
  return visible.map((v) => ({
    ...v,
    decisions: decisions
      .filter((r) => r.version_id === v.id)
      .map((r) => ({ stage: r.stage, decision: r.decision, at: r.created_at, by: work ? r.author_name : null })),
  }));
}

/** One version (by number, or the current published one) the actor may see, else NotFound. */
export async function findVersion(
  db: Knex,
  actor: Actor | null,
  slug: string,
  number?: number,
): Promise<{ dataset: DatasetJoinedRow; version: VersionRow }> {
  const dataset = await findDataset(db, actor, slug);
  const q = db('versions as v').leftJoin('users as u', 'u.id', 'v.uploaded_by').select('v.*', 'u.name as uploader_name', versionStage(db, 'v'));
  const version: VersionRow | undefined =
    number === undefined
      ? dataset.current_version_id && !dataset.retracted_at
        ? await q.where('v.id', dataset.current_version_id).first()
        : undefined
      : await q.where({ 'v.dataset_id': dataset.id, 'v.number': number }).first();
  if (!version || !canViewVersion(actor, dataset, version)) {
    throw versionNotFound();
  }
  // A retracted dataset's data stays with its custodians only.
  if (dataset.retracted_at && !canViewWork(actor, dataset)) {
    throw versionNotFound();
  }
  return { dataset, version };
}

/** The column dictionary of a version, in file order. */
export function versionColumns(db: Knex, versionId: number): Promise<ColumnRow[]> {
  return db('version_columns').where({ version_id: versionId }).orderBy('position');
}
