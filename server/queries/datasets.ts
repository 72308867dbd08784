import type { Knex } from 'knex';
import { datasetNotFound, versionNotFound } from '../errors';
import type { Actor } from '../policies/actor';
import { canViewDataset, canViewWork, visibleDatasetsScope } from '../policies/dataset';
import { canViewVersion } from '../policies/version';
import type { ColumnRow, DatasetJoinedRow, VersionRow } from '../db/rows';
import { datasetStage, versionStage } from './stage';

/** The joined columns every dataset listing and page needs. */
export function datasetQuery(db: Knex): Knex.QueryBuilder {
  return db('datasets as d')
    .join('organizations as o', 'o.id', 'd.organization_id')
    .leftJoin('topics as t', 't.id', 'd.topic_id')
    .leftJoin('versions as cv', 'cv.id', 'd.current_version_id')
    .select(
      'd.*',
      'o.slug as org_slug',
      'o.uuid as org_uuid',
      'o.name as org_name',
      'o.short_name as org_short_name',
      'o.kind as org_kind',
      't.slug as topic_slug',
      't.uuid as topic_uuid',
      't.name_id as topic_name_id',
      't.name_en as topic_name_en',
      'cv.number as current_number',
      'cv.row_count as current_row_count',
      'cv.published_at as current_published_at',
      datasetStage(db, 'd'),
    );
}

export interface SearchParams {
  q?: string;
  organization?: string;
  topic?: string;
  tag?: string;
  frequency?: string;
  sort?: 'relevance' | 'newest' | 'title' | 'downloads';
  page: number;
  per_page: number;
}

/** A review decision in a version's history (the author only for those who see the work). */
export interface VersionDecision {
  stage: string;
  decision: string;
  at: Date | string;
  by: string | null;
}

export interface Facet {
  key: string;
  label: string;
  count: number;
}

/** Datasets the actor may see, filtered, sorted and paged, with facet counts over the result. */
export async function searchDatasets(
  db: Knex,
  actor: Actor | null,
  p: SearchParams,
  opts: { publicOnly?: boolean; lang?: string } = {},
): Promise<{ rows: DatasetJoinedRow[]; total: number; facets: Record<'organization' | 'topic' | 'tag' | 'frequency', Facet[]> }> {
  const filtered = (qb: Knex.QueryBuilder) => {
    qb.modify(visibleDatasetsScope(actor, opts));
    const q = p.q?.trim();
    if (q) {
      qb.where((w) =>
        w
          .whereRaw("d.search @@ websearch_to_tsquery('simple', ?)", [q])
          .orWhereRaw('d.title ILIKE ?', [`%${escapeLike(q)}%`])
          .orWhereRaw('? = ANY(d.tags)', [q.toLowerCase()]),
      );
    }
    if (p.organization) qb.whereIn('d.organization_id', db('organizations').select('id').where('slug', p.organization));
    if (p.topic) qb.whereIn('d.topic_id', db('topics').select('id').where('slug', p.topic));
    if (p.tag) qb.whereRaw('? = ANY(d.tags)', [p.tag.toLowerCase()]);
    if (p.frequency) qb.where('d.frequency', p.frequency);
  };

  const list = datasetQuery(db).modify(filtered);
  const sort = p.sort ?? (p.q ? 'relevance' : 'newest');
  if (sort === 'relevance' && p.q) {
    list.orderByRaw("ts_rank(d.search, websearch_to_tsquery('simple', ?)) DESC", [p.q]);
  } else if (sort === 'title') list.orderBy('d.title', 'asc');
  else if (sort === 'downloads') list.orderBy('d.download_count', 'desc');
  list.orderByRaw('coalesce(cv.published_at, d.updated_at) DESC').orderBy('d.id', 'desc');
  list.limit(p.per_page).offset((p.page - 1) * p.per_page);

  const base = () => db('datasets as d').modify(filtered);
  const lang = opts.lang ?? 'id';
  const [rows, [{ total }], orgs, topics, tags, freqs] = await Promise.all([
    list,
    base().count<{ total: number }[]>({ total: '*' }),
    base()
      .join('organizations as o', 'o.id', 'd.organization_id')
      .groupBy('o.slug', 'o.name', 'o.short_name')
      .select('o.slug as key', db.raw('coalesce(o.short_name, o.name) as label'), db.raw('count(*)::int as count'))
      .orderBy('count', 'desc')
      .orderBy('label'),
    base()
      .join('topics as t', 't.id', 'd.topic_id')
      .groupBy('t.slug', 't.name_id', 't.name_en')
      .select('t.slug as key', `t.${lang === 'en' ? 'name_en' : 'name_id'} as label`, db.raw('count(*)::int as count'))
      .orderBy('count', 'desc')
      .orderBy('label'),
    db
      .from(base().select(db.raw('unnest(d.tags) as tag')).as('x'))
      .groupBy('tag')
      .select('tag as key', 'tag as label', db.raw('count(*)::int as count'))
      .orderBy('count', 'desc')
      .orderBy('tag')
      .limit(30),
    base()
      .groupBy('d.frequency')
      .select('d.frequency as key', 'd.frequency as label', db.raw('count(*)::int as count'))
      .orderBy('count', 'desc'),
  ]);
  return { rows, total: Number(total), facets: { organization: orgs, topic: topics, tag: tags, frequency: freqs } };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A dataset the actor may see (its public face, or its work), else NotFound. */
export async function findDataset(db: Knex, actor: Actor | null, slug: string): Promise<DatasetJoinedRow> {
  const d: DatasetJoinedRow | undefined = await datasetQuery(db).where('d.slug', slug).first();
  if (!d || !(canViewDataset(actor, d) || canViewWork(actor, d))) {
    throw datasetNotFound();
  }
  return d;
}

/** A dataset whose work (unpublished versions, reports) the actor may see, else NotFound: the workspace pages. */
export async function findWork(db: Knex, actor: Actor | null, slug: string): Promise<DatasetJoinedRow> {
  const d: DatasetJoinedRow | undefined = await datasetQuery(db).where('d.slug', slug).first();
  if (!d || !canViewWork(actor, d)) throw datasetNotFound();
  return d;
}

/** Versions of a dataset the actor may see, newest first, with uploader names. */
export async function listVersions(db: Knex, actor: Actor | null, dataset: DatasetJoinedRow): Promise<Array<VersionRow & { decisions: VersionDecision[] }>> {
  const rows: VersionRow[] = await db('versions as v')
    .leftJoin('users as u', 'u.id', 'v.uploaded_by')
    .where('v.dataset_id', dataset.id)
    .orderBy('v.number', 'desc')
    .select('v.*', 'u.name as uploader_name', versionStage(db, 'v'));
  const visible = rows.filter((v) => canViewVersion(actor, dataset, v));
  // The decisions of each version (not comments): at which stage, what, when, by whom.
  const decisions = visible.length
    ? await db('reviews as r')
        .leftJoin('users as u', 'u.id', 'r.author_id')
        .whereIn('r.version_id', visible.map((v) => v.id))
        .whereNot('r.decision', 'comment')
        .orderBy('r.id')
        .select('r.version_id', 'r.stage', 'r.decision', 'r.created_at', 'u.name as author_name')
    : [];
  const work = canViewWork(actor, dataset);
  return visible.map((v) => ({
    ...v,
    decisions: decisions
      .filter((r) => r.version_id === v.id)
      .map((r) => ({ stage: r.stage, decision: r.decision, at: r.created_at, by: work ? r.author_name : null })),
  }));
}

/** One version (by number, or the current published one) the actor may see, else NotFound. */
export async function findVersion(
  db: Knex,
  actor: Actor | null,
  slug: string,
  number?: number,
): Promise<{ dataset: DatasetJoinedRow; version: VersionRow }> {
  const dataset = await findDataset(db, actor, slug);
  const q = db('versions as v').leftJoin('users as u', 'u.id', 'v.uploaded_by').select('v.*', 'u.name as uploader_name', versionStage(db, 'v'));
  const version: VersionRow | undefined =
    number === undefined
      ? dataset.current_version_id && !dataset.retracted_at
        ? await q.where('v.id', dataset.current_version_id).first()
        : undefined
      : await q.where({ 'v.dataset_id': dataset.id, 'v.number': number }).first();
  if (!version || !canViewVersion(actor, dataset, version)) {
    throw versionNotFound();
  }
  // A retracted dataset's data stays with its custodians only.
  if (dataset.retracted_at && !canViewWork(actor, dataset)) {
    throw versionNotFound();
  }
  return { dataset, version };
}

/** The column dictionary of a version, in file order. */
export function versionColumns(db: Knex, versionId: number): Promise<ColumnRow[]> {
  return db('version_columns').where({ version_id: versionId }).orderBy('position');
}
