import type { Knex } from 'knex';
import { visibleDatasetsScope } from '../policies/dataset';

/** The most URLs one sitemap file may hold (sitemaps.org). */
export const SITEMAP_MAX = 50_000;

/** What the sitemap lists: open published datasets (with their last change), and the topics and organizations that have any. */
export async function sitemapEntries(db: Knex) {
  const open = () => db('datasets as d').modify(visibleDatasetsScope(null, { publicOnly: true }));
  const [datasets, topics, organizations] = await Promise.all([
    open()
      .join('versions as cv', 'cv.id', 'd.current_version_id')
      .select('d.slug', db.raw('greatest(d.updated_at, cv.published_at) AS modified'))
      .orderBy('d.slug')
      .limit(SITEMAP_MAX - 100) as Promise<Array<{ slug: string; modified: Date | null }>>,
    db('topics as t').whereExists(open().whereRaw('d.topic_id = t.id').select(db.raw('1'))).orderBy('t.position').select('t.slug') as Promise<Array<{ slug: string }>>,
    db('organizations as o').whereExists(open().whereRaw('d.organization_id = o.id').select(db.raw('1'))).orderBy('o.slug').select('o.slug') as Promise<Array<{ slug: string }>>,
  ]);
  return { datasets, topics, organizations };
}
