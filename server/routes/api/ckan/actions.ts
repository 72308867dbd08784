import { stringify } from 'csv-stringify/sync';
import type { Request } from 'express';
import type { z } from 'zod';
import { NotFound } from '../../../errors';
import { ckanGroup, ckanOrganization, ckanPackage, ckanResource, ckanTag } from '../../../presenters/ckan';
import { presentColumn } from '../../../presenters/version';
import { listOrganizations, listTopics } from '../../../queries/catalog';
import { findDataset, findVersion, versionColumns } from '../../../queries/datasets';
import { publicDatasetNames, publicTags, searchPackages, type Expr } from '../../../queries/package-search';
import { datasetSlugFor, organizationFor, topicFor, versionByUuid } from '../../../queries/public-ids';
import { publishedVersions } from '../../../queries/resources';
import { queryRows } from '../../../queries/rows';
import { versionCacheKey } from '../../../queries/version-cache';
import type { Services } from '../../../services';
import { baseUrl } from '../../base-url';
import { parseInput } from '../../parse';
import { CkanError } from './errors';
import { DEFAULT_SORT, parseQ, parseSolr, parseSort } from './fq';
import * as S from './schema';

/** One CKAN action: parse its input, answer its result (errors are thrown, typed). */
export type CkanAction = (input: Record<string, unknown>, req: Request, services: Services) => Promise<unknown>;

const notFound = (what: string, whatEn: string) => new CkanError('Not Found Error', 404, `${what} tidak ditemukan.`, `${whatEn} not found`);
const ctxOf = (req: Request, services: Services) => ({ base: baseUrl(services, req) });

/** Packages in CKAN form for datasets the caller may see. */
async function packagesOf(req: Request, services: Services, rows: Awaited<ReturnType<typeof searchPackages>>['rows']) {
  const versions = await publishedVersions(services.db, rows.map((d) => d.id));
  return rows.map((d) => ckanPackage(d, versions.get(d.id) ?? [], ctxOf(req, services)));
}

/** The dataset named by `id` (slug or UUID) as the caller may see it, else a Not Found Error. */
async function visiblePackage(req: Request, services: Services, id: string) {
  const slug = await datasetSlugFor(services.db, id);
  if (!slug) throw notFound('Dataset', 'Dataset');
  try {
    const d = await findDataset(services.db, req.actor, slug);
    // CKAN's catalog holds what has a public face: a dataset with no live version is work, not a package.
    if (!d.current_version_id || d.retracted_at) throw notFound('Dataset', 'Dataset');
    if (d.access_level !== 'terbuka' && !req.actor) throw notFound('Dataset', 'Dataset');
    return d;
  } catch (err) {
    if (err instanceof NotFound) throw notFound('Dataset', 'Dataset');
    throw err;
  }
}

function groupSort(sort: string | undefined): { by: 'name' | 'title' | 'package_count'; dir: 'asc' | 'desc' } {
  const [field = 'title', dir = 'asc'] = (sort ?? 'title asc').trim().split(/\s+/);
  const by = field === 'packages' ? 'package_count' : field;
  if (!['name', 'title', 'package_count'].includes(by) || !['asc', 'desc'].includes(dir)) {
    throw new CkanError('Validation Error', 409, `Urutan tidak dikenal: ${sort}`, `Cannot sort by ${sort}`, { sort: ['Cannot sort by field'] });
  }
  return { by: by as 'name' | 'title' | 'package_count', dir: dir as 'asc' | 'desc' };
}

function sortPage<T extends { name: string; title: string; package_count?: number }>(items: T[], p: z.output<typeof S.groupListInput>, allFieldsMax: number): T[] {
  const { by, dir } = groupSort(p.sort);
  const sorted = [...items].sort((a, b) => {
    const c = by === 'package_count' ? (a.package_count ?? 0) - (b.package_count ?? 0) : String(a[by]).localeCompare(String(b[by]), 'id');
    return dir === 'asc' ? c : -c;
  });
  const limit = p.limit ?? (p.all_fields ? allFieldsMax : 1000);
  return sorted.slice(p.offset, p.offset + limit);
}

const DATASTORE_TYPES: Record<string, string> = { integer: 'int', year: 'int', number: 'numeric', text: 'text', date: 'date', boolean: 'bool' };

/** `col desc, col2` (CKAN) into `-col,col2` (our rows query). */
function datastoreSort(sort: string | undefined): string | undefined {
  if (!sort) return undefined;
  return sort
    .split(',')
    .map((part) => {
      const [col, dir = 'asc'] = part.trim().replace(/"/g, '').split(/\s+/);
      if (!['asc', 'desc'].includes(dir.toLowerCase())) throw new CkanError('Validation Error', 409, `Urutan tidak valid: ${part}`, `Invalid sort: ${part}`, { sort: [`invalid sort direction ${dir}`] });
      return dir.toLowerCase() === 'desc' ? `-${col}` : col;
    })
    .join(',');
}

export const ACTIONS: Record<string, CkanAction> = {
  async status_show(_input, req, services) {
    return {
      site_title: 'Satu Data Provinsi Lampung',
      site_description: 'Portal Satu Data Indonesia Provinsi Lampung (Perpres 39/2019)',
      site_url: baseUrl(services, req),
      ckan_version: '2.10.0',
      error_emails_to: null,
      locale_default: 'id',
      extensions: ['datastore', 'dcat', 'satudata'],
    };
  },

  async package_list(input, _req, services) {
    const p = parseInput(S.packageListInput, input);
    return publicDatasetNames(services.db, p.limit ?? null, p.offset);
  },

  async package_search(input, req, services) {
    const p = parseInput(S.packageSearchInput, input);
    const q = parseQ(p.q);
    const fqs = [p.fq, ...(p.fq_list ?? [])].filter((s): s is string => Boolean(s?.trim()));
    const filters: Expr[] = fqs.map((s) => parseSolr(s));
    if (p.modified_since) filters.push({ kind: 'range', field: 'metadata_modified', from: p.modified_since, to: null });
    const fq: Expr | null = filters.length ? { kind: 'and', items: filters } : null;
    const sortText = p.sort?.trim() || DEFAULT_SORT;
    const out = await searchPackages(services.db, req.actor, {
      q,
      fq,
      sort: parseSort(sortText),
      rows: p.rows,
      start: p.start,
      facetFields: p.facet ? p['facet.field'] : [],
      facetLimit: p['facet.limit'],
      facetMinCount: p['facet.mincount'],
      includePrivate: p.include_private && req.actor !== null,
    });
    const facets: Record<string, Record<string, number>> = {};
    const searchFacets: Record<string, { title: string; items: Array<{ name: string; display_name: string; count: number }> }> = {};
    for (const [field, items] of Object.entries(out.facets)) {
      facets[field] = Object.fromEntries(items.map((i) => [i.name, i.count]));
      searchFacets[field] = { title: field, items };
    }
    return { count: out.total, sort: sortText, facets, search_facets: searchFacets, results: await packagesOf(req, services, out.rows) };
  },

  async package_show(input, req, services) {
    const { id } = parseInput(S.idInput, input);
    const d = await visiblePackage(req, services, id);
    const [pkg] = await packagesOf(req, services, [d]);
    return pkg;
  },

  async resource_show(input, req, services) {
    const { id } = parseInput(S.idInput, input);
    const ref = await versionByUuid(services.db, id);
    if (!ref) throw notFound('Sumber daya', 'Resource');
    const d = await visiblePackage(req, services, ref.slug);
    const versions = (await publishedVersions(services.db, [d.id])).get(d.id) ?? [];
    const ordered = [...versions].sort((a, b) => (a.id === d.current_version_id ? -1 : b.id === d.current_version_id ? 1 : Number(b.number) - Number(a.number)));
    const i = ordered.findIndex((v) => Number(v.number) === Number(ref.number));
    if (i < 0) throw notFound('Sumber daya', 'Resource');
    return ckanResource(d, ordered[i], i, ctxOf(req, services));
  },

  async organization_list(input, _req, services) {
    const p = parseInput(S.groupListInput, input);
    let orgs = (await listOrganizations(services.db)).map((o) => ckanOrganization(o, { package_count: o.dataset_count }));
    if (p.organizations?.length) orgs = orgs.filter((o) => p.organizations!.includes(o.name));
    const page = sortPage(orgs, p, 25);
    return p.all_fields ? page : page.map((o) => o.name);
  },

  async group_list(input, _req, services) {
    const p = parseInput(S.groupListInput, input);
    let groups = (await listTopics(services.db)).map((t) => ckanGroup(t, { package_count: t.dataset_count }));
    if (p.groups?.length) groups = groups.filter((g) => p.groups!.includes(g.name));
    const page = sortPage(groups, p, 25);
    return p.all_fields ? page : page.map((g) => g.name);
  },

  async organization_show(input, req, services) {
    const p = parseInput(S.showOrgInput, input);
    const o = await organizationFor(services.db, p.id);
    if (!o) throw notFound('Organisasi', 'Organization');
    const base = { ...ckanOrganization(o, { package_count: o.dataset_count }), users: [], extras: [], tags: [], groups: [] };
    if (!p.include_datasets) return base;
    const found = await searchPackages(services.db, null, { q: null, fq: { kind: 'term', field: 'organization', value: o.slug }, sort: parseSort('name asc'), rows: 1000, start: 0, facetFields: [], facetLimit: 0, facetMinCount: 1, includePrivate: false });
    return { ...base, packages: await packagesOf(req, services, found.rows) };
  },

  async group_show(input, req, services) {
    const p = parseInput(S.showOrgInput, input);
    const t = await topicFor(services.db, p.id);
    if (!t) throw notFound('Grup', 'Group');
    const base = { ...ckanGroup(t, { package_count: t.dataset_count }), users: [], extras: [], tags: [], groups: [] };
    if (!p.include_datasets) return base;
    const found = await searchPackages(services.db, null, { q: null, fq: { kind: 'term', field: 'groups', value: t.slug }, sort: parseSort('name asc'), rows: 1000, start: 0, facetFields: [], facetLimit: 0, facetMinCount: 1, includePrivate: false });
    return { ...base, packages: await packagesOf(req, services, found.rows) };
  },

  async tag_list(input, _req, services) {
    const p = parseInput(S.tagListInput, input);
    const tags = await publicTags(services.db, p.query);
    return p.all_fields ? tags.map(ckanTag) : tags;
  },

  async tag_show(input, _req, services) {
    const { id } = parseInput(S.idInput, input);
    const tags = await publicTags(services.db);
    const name = tags.find((t) => t === id.toLowerCase());
    if (!name) throw notFound('Tag', 'Tag');
    return ckanTag(name);
  },

  async datastore_search(input, req, services) {
    const p = parseInput(S.datastoreSearchInput, input);
    const ref = await versionByUuid(services.db, p.resource_id);
    if (!ref) throw notFound('Sumber daya', 'Resource');
    await visiblePackage(req, services, ref.slug);
    const { version } = await findVersion(services.db, req.actor, ref.slug, ref.number).catch((err: unknown) => {
      throw err instanceof NotFound ? notFound('Sumber daya', 'Resource') : err;
    });
    const columns = (await versionColumns(services.db, version.id)).map(presentColumn);
    const filter: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(p.filters ?? {})) {
      filter[k] = Array.isArray(v) ? v.map((x) => (x === null ? '' : String(x))) : v === null ? '' : String(v);
    }
    const { rows, total } = await queryRows(services.db, version.table_name, columns, { limit: p.limit, offset: p.offset, sort: datastoreSort(p.sort), filter, q: p.q }, version.row_count, versionCacheKey(version));
    const all = [{ id: '_id', type: 'int' }, ...columns.map((c) => ({ id: c.name, type: DATASTORE_TYPES[c.type] ?? 'text', info: { label: c.label, notes: c.description ?? '', unit: c.unit ?? '' } }))];
    const wanted = p.fields?.length ? p.fields : all.map((f) => f.id);
    const unknown = wanted.filter((f) => !all.some((c) => c.id === f));
    if (unknown.length) throw new CkanError('Validation Error', 409, `Kolom tidak ada: ${unknown.join(', ')}`, `Unknown fields: ${unknown.join(', ')}`, { fields: [`field "${unknown[0]}" not in resource`] });
    const fields = wanted.map((f) => all.find((c) => c.id === f)!);
    const names = fields.map((f) => f.id);
    let records: unknown;
    if (p.records_format === 'objects') records = rows.map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null])));
    else if (p.records_format === 'lists') records = rows.map((r) => names.map((n) => r[n] ?? null));
    else records = stringify(rows.map((r) => names.map((n) => r[n] ?? null)), { delimiter: p.records_format === 'tsv' ? '\t' : ',', cast: { boolean: (b) => (b ? 'true' : 'false') } });
    const link = (offset?: number) => {
      const qs = new URLSearchParams();
      if (offset) qs.set('offset', String(offset));
      if (p.limit !== 100) qs.set('limit', String(p.limit));
      qs.set('resource_id', p.resource_id);
      return `/api/3/action/datastore_search?${qs.toString()}`;
    };
    return {
      include_total: p.include_total,
      resource_id: p.resource_id,
      fields,
      records_format: p.records_format,
      records,
      limit: p.limit,
      offset: p.offset,
      _links: { start: link(), next: link(p.offset + p.limit) },
      ...(p.include_total ? { total, total_was_estimated: false } : {}),
    };
  },

  async datastore_search_sql() {
    throw new CkanError(
      'Authorization Error',
      403,
      'datastore_search_sql tidak tersedia: SQL dari luar tidak dijalankan. Gunakan datastore_search, atau /api/v1/datasets/<slug>/aggregate untuk angka agregat.',
      'datastore_search_sql is not offered: SQL from outside is never run. Use datastore_search, or /api/v1/datasets/<slug>/aggregate for grouped figures.',
    );
  },

  async help_show(input) {
    const { name } = parseInput(S.helpInput, input);
    const doc = HELP[name];
    if (!doc) throw notFound('Aksi', 'Action');
    return doc;
  },
};

const HELP: Record<string, string> = {
  status_show: 'Return the site title, URL, CKAN API version it answers as, and extensions.',
  package_list: 'Return the names of the public datasets, by name. :param limit: :param offset:',
  package_search: 'Search public datasets. :param q: text or Solr-style fields :param fq: filters (organization:, groups:, tags:, res_format:, license_id:, metadata_modified:[a TO b]) :param rows: default 10, max 1000 :param start: :param sort: e.g. "metadata_modified desc" :param facet.field: JSON list :param facet.limit: default 50 :param include_private: :param modified_since: ISO 8601 time, only datasets changed since',
  package_show: 'Return one dataset by name or id, with its resources (one per published version).',
  resource_show: 'Return one resource (a published version) by id.',
  organization_list: 'Return organization names, or dictionaries with all_fields. :param sort: "title asc" :param limit: :param offset:',
  organization_show: 'Return one organization by name or id. :param include_datasets:',
  group_list: 'Return topic (group) names, or dictionaries with all_fields.',
  group_show: 'Return one topic (group) by name or id. :param include_datasets:',
  tag_list: 'Return the tags of public datasets. :param query: :param all_fields:',
  tag_show: 'Return one tag.',
  datastore_search: 'Read the rows of a resource. :param resource_id: :param filters: JSON object :param q: :param limit: default 100 :param offset: :param sort: :param fields: :param include_total: :param records_format: objects, lists, csv or tsv',
  datastore_search_sql: 'Not offered here: use datastore_search or the aggregate API.',
  help_show: 'Return the help text of an action.',
};
