import type { Knex } from 'knex';
import { visibleDatasetsScope } from '../policies/dataset';

/** An open dataset as the sitemap lists it. */
export interface SitemapDataset {
  slug: string;
  modified: Date | null;
}

/** A part of the sitemap's datasets: the open datasets whose ids fall in one block of `limit` ids. */
export interface SitemapBlock {
  block: number;
  modified: Date | null;
}

/** The topics and organizations that have open datasets, and how many open datasets there are. */
export interface SitemapListing {
  topics: string[];
  organizations: string[];
  datasetCount: number;
}

const open = (db: Knex) => db('datasets as d').modify(visibleDatasetsScope(null, { publicOnly: true }));
const modified = (db: Knex) => db.raw('greatest(d.updated_at, cv.published_at) AS modified');

/** The listing pages of the sitemap (topics and organizations with open datasets, by slug) and the count of open datasets. */
export async function sitemapListing(db: Knex): Promise<SitemapListing> {
  const [topics, organizations, count] = await Promise.all([
    db('topics as t').whereExists(open(db).whereRaw('d.topic_id = t.id').select(db.raw('1'))).orderBy('t.position').orderBy('t.id').select<Array<{ slug: string }>>('t.slug'),
    db('organizations as o').whereExists(open(db).whereRaw('d.organization_id = o.id').select(db.raw('1'))).orderBy('o.slug').select<Array<{ slug: string }>>('o.slug'),
    open(db).count<Array<{ n: string | number }>>({ n: '*' }),
  ]);
  return { topics: topics.map((t) => t.slug), organizations: organizations.map((o) => o.slug), datasetCount: Number(count[0].n) };
}

/**
 * The open datasets whose ids lie in block `block` (ids `(block-1)·limit + 1 … block·limit`), so
 * a block never holds more than `limit` datasets and a dataset stays in its block however many
 * are added or withdrawn elsewhere. `block` null: all of them (the whole catalog in one file).
 */
export async function sitemapDatasets(db: Knex, limit: number, block: number | null): Promise<SitemapDataset[]> {
  const q = open(db).join('versions as cv', 'cv.id', 'd.current_version_id').select('d.slug', modified(db)).orderBy(block === null ? 'd.slug' : 'd.id');
  if (block !== null) void q.where('d.id', '>', (block - 1) * limit).where('d.id', '<=', block * limit);
  else void q.limit(limit);
  return q as Promise<SitemapDataset[]>;
}

/** The blocks of `limit` dataset ids that hold any open dataset, each with its latest change. */
export async function sitemapBlocks(db: Knex, limit: number): Promise<SitemapBlock[]> {
  const rows = await open(db)
    .join('versions as cv', 'cv.id', 'd.current_version_id')
    .select(db.raw('(d.id - 1) / ?::bigint + 1 AS block', [limit]), db.raw('max(greatest(d.updated_at, cv.published_at)) AS modified'))
    .groupByRaw('1')
    .orderByRaw('1') as Array<{ block: string | number; modified: Date | null }>;
  return rows.map((r) => ({ block: Number(r.block), modified: r.modified }));
}
