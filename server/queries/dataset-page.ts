import type { Knex } from 'knex';
import type { ColumnRow, DatasetJoinedRow, VersionRow } from '../db/rows';
import { AppError } from '../errors';
import type { Actor } from '../policies/actor';
import { presentColumn } from '../presenters/version';
import { findDataset, listVersions, versionColumns } from './datasets';
import { queryRows, type RowParams } from './rows';

export const PREVIEW_ROWS = 20;

/** What the dataset page's table shows: the reader's page, sort, words and filters. */
export interface PreviewParams {
  page: number;
  sort?: string;
  q?: string;
  filter: Record<string, string | string[]>;
}

export interface DatasetPage {
  dataset: DatasetJoinedRow;
  columns: ColumnRow[];
  versions: Awaited<ReturnType<typeof listVersions>>;
  /** The current published version, when the dataset is live. */
  current: VersionRow | null;
  preview: { rows: Record<string, unknown>[]; total: number } | { error: AppError } | null;
}

/**
 * The page loader of `/dataset/:slug`: the dataset, its columns, the versions the reader may see
 * (the current one is taken from that list, not fetched again) and the table preview's rows.
 * A bad sort or filter is kept as the preview's error (a 400 shown on the page).
 */
export async function loadDatasetPage(db: Knex, actor: Actor | null, slug: string, p: PreviewParams): Promise<DatasetPage> {
  const dataset = await findDataset(db, actor, slug);
  const live = Boolean(dataset.current_version_id && !dataset.retracted_at);
  const [columns, versions] = await Promise.all([
    dataset.current_version_id ? versionColumns(db, dataset.current_version_id) : Promise.resolve([] as ColumnRow[]),
    listVersions(db, actor, dataset),
  ]);
  const current = live ? (versions.find((v) => v.id === dataset.current_version_id) ?? null) : null;
  let preview: DatasetPage['preview'] = null;
  if (current) {
    const params: RowParams = { limit: PREVIEW_ROWS, offset: (p.page - 1) * PREVIEW_ROWS, sort: p.sort, q: p.q, filter: p.filter };
    try {
      preview = await queryRows(db, current.table_name, columns.map(presentColumn), params, current.row_count);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      preview = { error: err };
    }
  }
  return { dataset, columns, versions, current, preview };
}
