import type { Knex } from 'knex';
import type { DatasetJoinedRow, OrganizationRow, TopicRow } from '../db/rows';
import type { Actor } from '../policies/actor';
import { canFileUnder, visibleDatasetsScope } from '../policies/dataset';
import { dueUpdate, type DueUpdate } from '../review/due';
import { coveredUntil } from './coverage';
import { datasetQuery, findWork } from './datasets';
import { loadSourcePanel } from './sources';

/** A dataset in the producer's workspace, with its latest version (any state). */
export type WorkDataset = DatasetJoinedRow & { latest: { number: number; state: string; created_at: string } | null };

/** The datasets the actor works on (their OPD's, or every one for the walidata), most recently changed first. */
export function workDatasets(db: Knex, actor: Actor | null): Promise<WorkDataset[]> {
  return datasetQuery(db)
    .modify(visibleDatasetsScope(actor, { work: true }))
    .select(
      db.raw(`(SELECT json_build_object('number', v.number, 'state', v.state, 'created_at', v.created_at)
                 FROM versions v WHERE v.dataset_id = d.id ORDER BY v.number DESC LIMIT 1) AS latest`),
    )
    .orderBy('d.updated_at', 'desc');
}

/** A dataset of the workspace list with its next due update (published datasets only). */
export type WorkListRow = WorkDataset & { due: DueUpdate | null };

/** The workspace list: the actor's datasets, each published one with its next due update. */
export async function loadWorkList(db: Knex, actor: Actor | null): Promise<WorkListRow[]> {
  const rows = await workDatasets(db, actor);
  return Promise.all(rows.map(async (d) => ({ ...d, due: d.current_version_id && !d.retracted_at ? await nextDue(db, d) : null })));
}

/** A version of a dataset as the workspace lists it. */
export type WorkVersion = { number: number; state: string; filename: string; row_count: number | null; created_at: Date; uploader: string | null };

/** What a dataset's workspace page shows: the dataset (404 unless the actor works on it), its versions, next due update and pulled source. */
export interface WorkPage {
  dataset: DatasetJoinedRow;
  versions: WorkVersion[];
  due: DueUpdate | null;
  source: Awaited<ReturnType<typeof loadSourcePanel>>;
}

export async function loadWorkPage(db: Knex, actor: Actor | null, slug: string): Promise<WorkPage> {
  const dataset = await findWork(db, actor, slug);
  const [versions, due, source] = await Promise.all([
    workVersions(db, dataset.id),
    dataset.current_version_id && !dataset.retracted_at ? nextDue(db, dataset) : null,
    loadSourcePanel(db, dataset.id),
  ]);
  return { dataset, versions, due, source };
}

/** The next due update of a published dataset, from its frequency and the period its data covers. */
export async function nextDue(db: Knex, d: DatasetJoinedRow): Promise<DueUpdate | null> {
  const v = await db('versions').where({ id: d.current_version_id }).first('table_name', 'published_at');
  const columns = await db('version_columns').where({ version_id: d.current_version_id }).orderBy('position');
  const covered = (v.table_name ? await coveredUntil(db, v.table_name, columns) : null) ?? new Date(v.published_at);
  return dueUpdate(d.frequency, covered);
}

/** What the dataset form offers: the OPDs the actor may file under and every topic. */
export async function datasetFormChoices(db: Knex, actor: Actor | null): Promise<{ organizations: OrganizationRow[]; topics: TopicRow[] }> {
  const [orgs, topics] = await Promise.all([db('organizations').where({ kind: 'opd' }).orderBy('name'), db('topics').orderBy('position')]);
  return { organizations: orgs.filter((o: OrganizationRow) => canFileUnder(actor, o)), topics };
}

/** Every version of a dataset in the workspace, newest first, with who uploaded it. */
export function workVersions(db: Knex, datasetId: number): Promise<WorkVersion[]> {
  return db('versions as v')
    .leftJoin('users as u', 'u.id', 'v.uploaded_by')
    .where('v.dataset_id', datasetId)
    .orderBy('v.number', 'desc')
    .select('v.number', 'v.state', 'v.filename', 'v.row_count', 'v.created_at', 'u.name as uploader');
}
