import type { Knex } from 'knex';
import type { OrganizationRow, TopicRow } from '../db/rows';
import { NotFound } from '../errors';
import { visibleDatasetsScope } from '../policies/dataset';

/** Count of public (live, open) datasets per organization id or topic id. */
function publicCounts(db: Knex, column: 'organization_id' | 'topic_id') {
  return db('datasets as d').modify(visibleDatasetsScope(null)).groupBy(`d.${column}`).select(`d.${column} as id`, db.raw('count(*)::int as n'));
}

/** Organizations with their number of public datasets, OPDs first. */
export async function listOrganizations(db: Knex): Promise<Array<OrganizationRow & { dataset_count: number }>> {
  return db('organizations as o')
    .leftJoin(publicCounts(db, 'organization_id').as('c'), 'c.id', 'o.id')
    .select('o.*', db.raw('coalesce(c.n, 0)::int as dataset_count'))
    .orderByRaw("CASE o.kind WHEN 'opd' THEN 0 ELSE 1 END")
    .orderBy('o.name');
}

/** Topics with their number of public datasets, in their set order. */
export async function listTopics(db: Knex): Promise<Array<TopicRow & { dataset_count: number }>> {
  return db('topics as t')
    .leftJoin(publicCounts(db, 'topic_id').as('c'), 'c.id', 't.id')
    .select('t.*', db.raw('coalesce(c.n, 0)::int as dataset_count'))
    .orderBy('t.position');
}

/** Headline figures for the home page. */
export async function catalogCounts(db: Knex): Promise<{ datasets: number; organizations: number; rows: number }> {
  const [row] = await db('datasets as d')
    .modify(visibleDatasetsScope(null))
    .join('versions as v', 'v.id', 'd.current_version_id')
    .select(db.raw('count(*)::int as datasets'), db.raw('count(DISTINCT d.organization_id)::int as organizations'), db.raw('coalesce(sum(v.row_count), 0)::bigint as rows'));
  return { datasets: row.datasets, organizations: row.organizations, rows: Number(row.rows) };
}

/** One organization by its slug, or NotFound. */
export async function findOrganization(db: Knex, slug: string): Promise<OrganizationRow> {
  const org = await db('organizations').where({ slug }).first();
  if (!org) throw new NotFound('Organisasi tidak ditemukan.', 'Organization not found.');
  return org;
}

/** One topic by its slug, or NotFound. */
export async function findTopic(db: Knex, slug: string): Promise<TopicRow> {
  const topic = await db('topics').where({ slug }).first();
  if (!topic) throw new NotFound('Topik tidak ditemukan.', 'Topic not found.');
  return topic;
}

/** The OPDs by name: the choices of forms and filters. */
export function listOpds(db: Knex): Promise<OrganizationRow[]> {
  return db('organizations').where({ kind: 'opd' }).orderBy('name') as Promise<OrganizationRow[]>;
}

/** One OPD by its slug, or null. */
export async function findOpd(db: Knex, slug: string): Promise<OrganizationRow | null> {
  return ((await db('organizations').where({ slug, kind: 'opd' }).first()) as OrganizationRow | undefined) ?? null;
}

/** The topics in their set order, without counts: the choices of forms and filters. */
export function topicsInOrder(db: Knex): Promise<TopicRow[]> {
  return db('topics').orderBy('position') as Promise<TopicRow[]>;
}
