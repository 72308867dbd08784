import type { Knex } from 'knex';
import type { OrganizationRow, TopicRow } from '../db/rows';
import { visibleDatasetsScope } from '../policies/dataset';

// Records named the way other catalogs name them: by slug or by their stable public UUID.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `s` has the form of a UUID. */
export const isUuid = (s: string): boolean => UUID.test(s);

/** A version by its public identifier (CKAN resource id), with its dataset's slug; or undefined. */
export async function versionByUuid(db: Knex, uuid: string): Promise<{ slug: string; number: number } | undefined> {
  if (!isUuid(uuid)) return undefined;
  return db('versions as v').join('datasets as d', 'd.id', 'v.dataset_id').where('v.uuid', uuid.toLowerCase()).first('d.slug', 'v.number');
}

/** The slug of a dataset named by its slug or its public identifier; or undefined. */
export async function datasetSlugFor(db: Knex, idOrName: string): Promise<string | undefined> {
  const row = await db('datasets').where(isUuid(idOrName) ? { uuid: idOrName.toLowerCase() } : { slug: idOrName }).first('slug');
  return row?.slug;
}

/** An organization by slug or UUID, with its number of public datasets; or undefined. */
export async function organizationFor(db: Knex, idOrName: string): Promise<(OrganizationRow & { dataset_count: number }) | undefined> {
  const o: OrganizationRow | undefined = await db('organizations').where(isUuid(idOrName) ? { uuid: idOrName.toLowerCase() } : { slug: idOrName }).first();
  if (!o) return undefined;
  const [{ n }] = await db('datasets as d').modify(visibleDatasetsScope(null)).where('d.organization_id', o.id).count<{ n: number }[]>({ n: '*' });
  return { ...o, dataset_count: Number(n) };
}

/** A topic by slug or UUID, with its number of public datasets; or undefined. */
export async function topicFor(db: Knex, idOrName: string): Promise<(TopicRow & { dataset_count: number }) | undefined> {
  const t: TopicRow | undefined = await db('topics').where(isUuid(idOrName) ? { uuid: idOrName.toLowerCase() } : { slug: idOrName }).first();
  if (!t) return undefined;
  const [{ n }] = await db('datasets as d').modify(visibleDatasetsScope(null)).where('d.topic_id', t.id).count<{ n: number }[]>({ n: '*' });
  return { ...t, dataset_count: Number(n) };
}
