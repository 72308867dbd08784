import type { Knex } from 'knex';
import type { ColumnRow, DatasetJoinedRow, VersionRow } from '../db/rows';
import { AppError, NotFound, datasetNotFound } from '../errors';
import type { Actor } from '../policies/actor';
import { presentColumn } from '../presenters/version';
import { datasetQuery, findDataset, findVersion, listVersions, versionColumns } from './datasets';
import { regionNames, type RegionNames } from './region-names';
import { harvestOriginOf } from './harvest';
import { relatedDatasets, type RelatedRow } from './related';
import { queryRows, type RowParams } from './rows';
import { versionCacheKey } from './version-cache';

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
  /** Region names for the chart builder's labels and map, when the dataset is live. */
  regions: RegionNames | null;
  /** Where a harvested dataset came from (its kabupaten/kota portal), else null. */
  harvest: Awaited<ReturnType<typeof harvestOriginOf>>;
  /** Datasets of the same indicator, topic or OPD the reader may see (when the dataset is live). */
  related: RelatedRow[];
}

/** A dataset taken off the public site, whose page says so (410) instead of pretending it never existed. */
export interface RetractedPage {
  retracted: DatasetJoinedRow;
}

/**
 * The page loader of `/dataset/:slug`: the dataset, its columns, the versions the reader may see
 * (the current one is taken from that list, not fetched again) and the table preview's rows.
 * A bad sort or filter is kept as the preview's error (a 400 shown on the page).
 */
export async function loadDatasetPage(db: Knex, actor: Actor | null, slug: string, p: PreviewParams): Promise<DatasetPage | RetractedPage> {
  let dataset: DatasetJoinedRow;
  try {
    dataset = await findDataset(db, actor, slug);
  } catch (err) {
    if (err instanceof NotFound) return { retracted: await findRetracted(db, slug) };
    throw err;
  }
  const live = Boolean(dataset.current_version_id && !dataset.retracted_at);
  const [columns, versions, related] = await Promise.all([
    dataset.current_version_id ? versionColumns(db, dataset.current_version_id) : Promise.resolve([] as ColumnRow[]),
    listVersions(db, actor, dataset),
    live ? relatedDatasets(db, actor, dataset) : Promise.resolve([] as RelatedRow[]),
  ]);
  const current = live ? (versions.find((v) => v.id === dataset.current_version_id) ?? null) : null;
  let preview: DatasetPage['preview'] = null;
  if (current) {
    const params: RowParams = { limit: PREVIEW_ROWS, offset: (p.page - 1) * PREVIEW_ROWS, sort: p.sort, q: p.q, filter: p.filter };
    try {
      preview = await queryRows(db, current.table_name, columns.map(presentColumn), params, current.row_count, versionCacheKey(current));
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      preview = { error: err };
    }
  }
  const [regions, harvest] = await Promise.all([current ? regionNames(db) : null, harvestOriginOf(db, dataset.id)]);
  return { dataset, columns, versions, current, preview, regions, harvest, related };
}

/** An open dataset that was published and then retracted; NotFound for anything else. */
async function findRetracted(db: Knex, slug: string): Promise<DatasetJoinedRow> {
  const d = await datasetQuery(db).where('d.slug', slug).where('d.access_level', 'terbuka').whereNotNull('d.retracted_at').whereNotNull('d.current_version_id').first();
  if (!d) throw datasetNotFound();
  return d;
}

/** The embed's loader: the current published version of an open dataset (whoever asks), its columns and the region names. */
export async function loadEmbed(db: Knex, slug: string) {
  // Public data only: a framed page never shows what a signed-in reader may see.
  const { dataset, version } = await findVersion(db, null, slug);
  const [columns, regions] = await Promise.all([versionColumns(db, version.id), regionNames(db)]);
  return { dataset, columns, regions };
}
