import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { NotFound } from '../errors';
import { findDataset } from './datasets';

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
  try {
    const [d, catalog] = await Promise.all([
      findDataset(db, null, slug),
      db('datasets').select(db.raw('max(updated_at) AS at'), db.raw('count(*)::int AS n')).first(),
    ]);
    const key = createHash('sha256').update(JSON.stringify([d, catalog])).digest('base64url');
    return { key, datasetId: d.id, live: Boolean(d.current_version_id && !d.retracted_at) };
  } catch (err) {
    if (err instanceof NotFound) return null;
    throw err;
  }
}
