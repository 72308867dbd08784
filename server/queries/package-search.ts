import type { Knex } from 'knex';
import type { DatasetJoinedRow } from '../db/rows';
import type { Actor } from '../policies/actor';
import { visibleDatasetsScope } from '../policies/dataset';
import { datasetQuery } from './datasets';

// The catalog search behind CKAN's package_search (and the DCAT catalog's modified_since): a
// filter expression over the fields CKAN harvesters filter on, sorts, paging and facets — always
// inside the catalog scope of policies/dataset.ts.

/** A parsed query/filter (see routes/api/ckan/fq.ts for the Solr-like syntax). */
export type Expr =
  | { kind: 'all' }
  | { kind: 'and' | 'or'; items: Expr[] }
  | { kind: 'not'; item: Expr }
  | { kind: 'term'; field: SearchField; value: string }
  | { kind: 'range'; field: 'metadata_modified' | 'metadata_created'; from: Date | null; to: Date | null }
  | { kind: 'text'; value: string };

/** The fields a filter may name. */
export const SEARCH_FIELDS = [
  'organization', 'owner_org', 'groups', 'tags', 'res_format', 'license_id', 'name', 'id', 'type', 'dataset_type',
  'capacity', 'state', 'metadata_modified', 'metadata_created', 'frequency', 'access_level',
] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** Fields that can be counted as facets. */
export const FACET_FIELDS = ['organization', 'groups', 'tags', 'res_format', 'license_id'] as const;
export type FacetField = (typeof FACET_FIELDS)[number];

export const SORT_FIELDS = ['score', 'metadata_modified', 'metadata_created', 'title_string', 'name'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface PackageSearch {
  q: Expr | null;
  fq: Expr | null;
  sort: Array<{ field: SortField; dir: 'asc' | 'desc' }>;
  rows: number;
  start: number;
  facetFields: FacetField[];
  /** At most this many items per facet; -1 for all. */
  facetLimit: number;
  facetMinCount: number;
  /** The caller's own non-public datasets too (only what policies let them read). */
  includePrivate: boolean;
}

export interface FacetItem {
  name: string;
  display_name: string;
  count: number;
}

const MODIFIED = 'd.updated_at';

function textTerms(e: Expr | null): string[] {
  if (!e) return [];
  if (e.kind === 'text') return [e.value];
  if (e.kind === 'and' || e.kind === 'or') return e.items.flatMap(textTerms);
  return [];
}

function applyTerm(db: Knex, qb: Knex.QueryBuilder, field: SearchField, value: string): void {
  const any = value === '*';
  switch (field) {
    case 'organization':
      if (any) return void qb.whereRaw('true');
      return void qb.whereIn('d.organization_id', db('organizations').select('id').where('slug', value));
    case 'owner_org':
      if (any) return void qb.whereRaw('true');
      return void qb.whereIn('d.organization_id', db('organizations').select('id').whereRaw('uuid::text = ? OR slug = ?', [value.toLowerCase(), value]));
    case 'groups':
      if (any) return void qb.whereNotNull('d.topic_id');
      return void qb.whereIn('d.topic_id', db('topics').select('id').where('slug', value));
    case 'tags':
      if (any) return void qb.whereRaw('cardinality(d.tags) > 0');
      return void qb.whereRaw('? = ANY(d.tags)', [value.toLowerCase()]);
    case 'res_format':
      // Every resource is a version's CSV download.
      return void qb.whereRaw(any || value.toUpperCase() === 'CSV' ? 'true' : 'false');
    case 'license_id':
      if (any) return void qb.whereRaw('true');
      return void qb.whereRaw('lower(d.license) = lower(?)', [value]);
    case 'name':
      if (any) return void qb.whereRaw('true');
      return void qb.where('d.slug', value);
    case 'id':
      if (any) return void qb.whereRaw('true');
      return void qb.whereRaw('d.uuid::text = ?', [value.toLowerCase()]);
    case 'type':
    case 'dataset_type':
      return void qb.whereRaw(any || value === 'dataset' ? 'true' : 'false');
    case 'capacity':
      if (any) return void qb.whereRaw('true');
      if (value === 'public') return void qb.where('d.access_level', 'terbuka');
      if (value === 'private') return void qb.whereNot('d.access_level', 'terbuka');
      return void qb.whereRaw('false');
    case 'state':
      return void qb.whereRaw(any || value === 'active' ? 'true' : 'false');
    case 'frequency':
      if (any) return void qb.whereRaw('true');
      return void qb.where('d.frequency', value);
    case 'access_level':
      if (any) return void qb.whereRaw('true');
      return void qb.where('d.access_level', value);
    case 'metadata_modified':
    case 'metadata_created': {
      if (any) return void qb.whereRaw('true');
      const at = new Date(value);
      if (Number.isNaN(at.getTime())) return void qb.whereRaw('false');
      return void qb.where(field === 'metadata_modified' ? MODIFIED : 'd.created_at', at);
    }
  }
}

/** Adds `e` to `qb` as a WHERE condition (texts match the full-text index or the title). */
export function applyExpr(db: Knex, qb: Knex.QueryBuilder, e: Expr): void {
  switch (e.kind) {
    case 'all':
      return;
    case 'and':
      for (const item of e.items) qb.where((w) => applyExpr(db, w, item));
      return;
    case 'or':
      qb.where((w) => {
        for (const item of e.items) w.orWhere((o) => applyExpr(db, o, item));
      });
      return;
    case 'not':
      qb.whereNot((w) => applyExpr(db, w, e.item));
      return;
    case 'term':
      applyTerm(db, qb, e.field, e.value);
      return;
    case 'range': {
      const col = e.field === 'metadata_modified' ? MODIFIED : 'd.created_at';
      if (e.from) qb.where(col, '>=', e.from);
      if (e.to) qb.where(col, '<=', e.to);
      if (!e.from && !e.to) qb.whereRaw('true');
      return;
    }
    case 'text': {
      const like = `%${e.value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.where((w) =>
        w
          .whereRaw("d.search @@ websearch_to_tsquery('simple', ?)", [e.value])
          .orWhereRaw('d.title ILIKE ?', [like])
          .orWhereRaw("coalesce(d.title_en, '') ILIKE ?", [like])
          .orWhereRaw('? = ANY(d.tags)', [e.value.toLowerCase()]),
      );
    }
  }
}

/** Datasets matching a CKAN-style search inside the caller's catalog scope, with facet counts. */
export async function searchPackages(
  db: Knex,
  actor: Actor | null,
  p: PackageSearch,
): Promise<{ rows: DatasetJoinedRow[]; total: number; facets: Partial<Record<FacetField, FacetItem[]>> }> {
  const scoped = (qb: Knex.QueryBuilder) => {
    qb.modify(visibleDatasetsScope(p.includePrivate ? actor : null, { publicOnly: !p.includePrivate }));
    if (p.q) applyExpr(db, qb, p.q);
    if (p.fq) applyExpr(db, qb, p.fq);
  };
  const list = datasetQuery(db).modify(scoped);
  const text = textTerms(p.q).join(' ');
  for (const s of p.sort) {
    if (s.field === 'score') {
      if (text) list.orderByRaw(`ts_rank(d.search, websearch_to_tsquery('simple', ?)) ${s.dir}`, [text]);
    } else if (s.field === 'metadata_modified') list.orderBy(MODIFIED, s.dir);
    else if (s.field === 'metadata_created') list.orderBy('d.created_at', s.dir);
    else if (s.field === 'title_string') list.orderByRaw(`lower(d.title) ${s.dir}`);
    else list.orderBy('d.slug', s.dir);
  }
  list.orderBy('d.id', 'desc').limit(p.rows).offset(p.start);
  const base = () => db('datasets as d').modify(scoped);
  const facetQuery = (field: FacetField): Promise<FacetItem[]> | null => {
    let q: Knex.QueryBuilder;
    if (field === 'organization') {
      q = base().join('organizations as o', 'o.id', 'd.organization_id').groupBy('o.slug', 'o.name').select('o.slug as name', 'o.name as display_name', db.raw('count(*)::int as count'));
    } else if (field === 'groups') {
      q = base().join('topics as t', 't.id', 'd.topic_id').groupBy('t.slug', 't.name_id').select('t.slug as name', 't.name_id as display_name', db.raw('count(*)::int as count'));
    } else if (field === 'tags') {
      q = db.from(base().select(db.raw('unnest(d.tags) as tag')).as('x')).groupBy('tag').select('tag as name', 'tag as display_name', db.raw('count(*)::int as count'));
    } else if (field === 'license_id') {
      q = base().groupBy('d.license').select('d.license as name', 'd.license as display_name', db.raw('count(*)::int as count'));
    } else {
      q = base().select(db.raw("'CSV' as name"), db.raw("'CSV' as display_name"), db.raw('count(*)::int as count'));
    }
    q = db.from(q.as('f')).where('count', '>=', Math.max(p.facetMinCount, 1)).orderBy([{ column: 'count', order: 'desc' }, { column: 'name' }]);
    if (p.facetLimit >= 0) q.limit(p.facetLimit);
    return q as unknown as Promise<FacetItem[]>;
  };
  const [rows, [{ total }], ...facetLists] = await Promise.all([
    list as unknown as Promise<DatasetJoinedRow[]>,
    base().count<{ total: number }[]>({ total: '*' }),
    ...p.facetFields.map((f) => facetQuery(f)),
  ]);
  const facets: Partial<Record<FacetField, FacetItem[]>> = {};
  p.facetFields.forEach((f, i) => {
    facets[f] = (facetLists[i] ?? []).map((x) => ({ ...x, count: Number(x.count) }));
  });
  return { rows, total: Number(total), facets };
}

/** Names (slugs) of the public catalog's datasets, by name, paged. */
export async function publicDatasetNames(db: Knex, limit: number | null, offset: number): Promise<string[]> {
  const q = db('datasets as d').modify(visibleDatasetsScope(null)).orderBy('d.slug').offset(offset);
  if (limit !== null) q.limit(limit);
  return q.pluck('d.slug');
}

/** Tags used by the public catalog's datasets (optionally containing `query`), by name. */
export async function publicTags(db: Knex, query?: string): Promise<string[]> {
  const q = db
    .from(db('datasets as d').modify(visibleDatasetsScope(null)).select(db.raw('unnest(d.tags) as tag')).as('x'))
    .distinct('tag')
    .orderBy('tag');
  if (query) q.whereRaw('tag ILIKE ?', [`%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  return q.pluck('tag');
}
