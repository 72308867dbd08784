import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { DatasetJoinedRow } from '../db/rows';
import { canViewDataset } from '../policies/dataset';
import { datasetQuery } from './datasets';

/** What a shared copy of a public dataset page depends on, as one short key; and whether the page is live. */
export interface PageStamp {
  key: string;
  datasetId: number;
  live: boolean;
}

/**
 * The stamp of `/dataset/:slug` as the public sees it, or null when the public may not see it
 * (unknown, closed, retracted: such pages are never shared). The key changes with anything of
 * the dataset (its row joined with its organization, topic, quality, current version, access
 * level, retraction and counts) and with any change to any dataset of the catalog (related
 * datasets, links), so a shared copy of the page can only be reused while all of that holds.
 */
export async function publicPageStamp(db: Knex, slug: string): Promise<PageStamp | null> {
  // One round trip: the dataset as findDataset reads it, and the catalog's last change beside it.
  const d: (DatasetJoinedRow & { catalog_at: unknown; catalog_n: number }) | undefined = await datasetQuery(db)
    .where('d.slug', slug)
    .select(db.raw('(SELECT max(updated_at) FROM datasets) AS catalog_at'), db.raw('(SELECT count(*) FROM datasets)::int AS catalog_n'))
    .first();
  if (!d || !canViewDataset(null, d)) return null;
  const key = createHash('sha256').update(JSON.stringify(d)).digest('base64url');
  return { key, datasetId: d.id, live: Boolean(d.current_version_id && !d.retracted_at) };
}
