import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { DatasetJoinedRow } from '../db/rows';
import { canViewDataset } from '../policies/dataset';
import { datasetQuery } from './datasets';

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
  const { rows } = await db.raw(`SELECT ${CATALOG_STAMP} AS stamp`);
  return { key: digest(rows[0].stamp) };
}

/**
 * The stamp of `/dataset/:slug` as the public sees it, or null when the public may not see it
 * (unknown, closed, retracted: such pages are never shared): the dataset's row joined with its
 * organization, topic, quality and current version, and the catalog's state (related datasets,
 * links), read in one round trip.
 */
export async function publicPageStamp(db: Knex, slug: string): Promise<DatasetPageStamp | null> {
  const d: (DatasetJoinedRow & { catalog_stamp: string }) | undefined = await datasetQuery(db)
    .where('d.slug', slug)
    .select(db.raw(`${CATALOG_STAMP} AS catalog_stamp`))
    .first();
  if (!d || !canViewDataset(null, d)) return null;
  return { key: digest(d), datasetId: d.id, live: Boolean(d.current_version_id && !d.retracted_at) };
}
