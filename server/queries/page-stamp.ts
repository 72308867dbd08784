import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { preparedRows } from '../db/knex';
import { canViewDataset } from '../policies/dataset';
import { datasetStage } from './stage';

/**
 * The state of the catalog as public pages show it, in one short text: per table, its row count
 * and the sum of its rows' xmin. Every insert, update or delete of a row gives a new xmin, so
 * any change to any dataset (a retraction, an access level, a counter written, a coverage
 * refreshed), organization, topic or quality score changes it. The tables are small (the
 * catalog, not the data), so this costs a millisecond.
 */
const CATALOG_STAMP = ['datasets', 'organizations', 'topics', 'dataset_quality']
  .map((t) => `(SELECT count(*) || '/' || coalesce(sum(xmin::text::bigint), 0) FROM ${t})`)
  .join(` || ':' || `);

/** What a shared copy of a public page depends on, as one short key. */
export interface PageStamp {
  key: string;
}

/** A dataset page's stamp, with what the page counts a view for. */
export interface DatasetPageStamp extends PageStamp {
  datasetId: number;
  live: boolean;
}

const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('base64url');

/** The stamp of the public listings (search, topics): the catalog's state. */
export async function catalogStamp(db: Knex): Promise<PageStamp> {
  const [row] = await preparedRows<{ stamp: string }>(db, 'catalog-stamp', `SELECT ${CATALOG_STAMP} AS stamp`);
  return { key: digest(row.stamp) };
}

interface StampRow {
  id: number;
  access_level: string;
  current_version_id: number | null;
  retracted_at: Date | null;
  version_xmin: string | null;
  pembina_stage: boolean;
  catalog_stamp: string;
}

// Built once: the statement is prepared per connection (planning a join costs more than running it).
let pageStampSql: string | null = null;
function pageStampText(db: Knex): string {
  pageStampSql ??= db('datasets as d')
    .leftJoin('versions as cv', 'cv.id', 'd.current_version_id')
    .select('d.id', 'd.access_level', 'd.current_version_id', 'd.retracted_at', db.raw('cv.xmin::text AS version_xmin'), datasetStage(db, 'd'), db.raw(`${CATALOG_STAMP} AS catalog_stamp`))
    .where('d.slug', '$slug')
    .toSQL()
    .toNative().sql;
  return pageStampSql;
}

/**
 * The stamp of `/dataset/:slug` as the public sees it, or null when the public may not see it
 * (unknown, closed, retracted: such pages are never shared), in one round trip: the catalog's
 * state (which changes with any change of the dataset's own row, its organization, topic and
 * quality, and of the related datasets and links), its current version's row (xmin) and review
 * stage.
 */
export async function publicPageStamp(db: Knex, slug: string): Promise<DatasetPageStamp | null> {
  const [d] = await preparedRows<StampRow>(db, 'public-page-stamp', pageStampText(db), [slug]);
  if (!d || !canViewDataset(null, d as unknown as Parameters<typeof canViewDataset>[1])) return null;
  return { key: digest([d.id, d.version_xmin, d.pembina_stage, d.catalog_stamp]), datasetId: d.id, live: Boolean(d.current_version_id && !d.retracted_at) };
}
