import { createHash } from 'node:crypto';
import type { DatasetJoinedRow, OrganizationRow, TopicRow } from '../db/rows';
import { MS_IND_FIELDS } from '../metadata';
import type { PublishedVersion } from '../queries/resources';
import { licenseInfo } from './license';

// CKAN's dictionaries (ckan/logic/action/get.py, model_dictize) built from our records, so that
// CKAN clients and harvesters read the catalog unchanged.

/** CKAN's timestamp form: UTC, no zone designator, microseconds (`2024-01-31T08:15:00.123000`). */
export function ckanTime(t: Date | string | null | undefined): string | null {
  if (!t) return null;
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) return null;
  return `${d.toISOString().slice(0, 23)}000`;
}

/** A stable UUID (v5 layout) for something that has only a name, e.g. a tag. */
export function nameUuid(kind: string, name: string): string {
  const h = createHash('sha1').update(`satudata:${kind}:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface CkanContext {
  base: string;
}

/** A CKAN organization dictionary (without its datasets). */
export function ckanOrganization(o: Pick<OrganizationRow, 'slug' | 'name'> & Partial<OrganizationRow>, extra: { package_count?: number } = {}) {
  return {
    id: o.uuid ?? null,
    name: o.slug,
    title: o.name,
    display_name: o.name,
    type: 'organization',
    description: o.description ?? '',
    image_url: '',
    image_display_url: '',
    created: ckanTime(o.created_at ?? null),
    is_organization: true,
    approval_status: 'approved',
    state: 'active',
    ...(extra.package_count !== undefined ? { package_count: extra.package_count } : {}),
  };
}

/** A CKAN group dictionary for a topic (Indonesian title; the English name in `title_en`). */
export function ckanGroup(t: Pick<TopicRow, 'slug' | 'name_id' | 'name_en'> & Partial<TopicRow>, extra: { package_count?: number } = {}) {
  return {
    id: t.uuid ?? null,
    name: t.slug,
    title: t.name_id,
    display_name: t.name_id,
    title_en: t.name_en,
    type: 'group',
    description: t.description_id ?? '',
    image_url: '',
    image_display_url: '',
    is_organization: false,
    approval_status: 'approved',
    state: 'active',
    ...(extra.package_count !== undefined ? { package_count: extra.package_count } : {}),
  };
}

/** A CKAN tag dictionary. */
export function ckanTag(name: string) {
  return { id: nameUuid('tag', name), name, display_name: name, state: 'active', vocabulary_id: null };
}

/** One published version as a CKAN resource: its CSV download, in the DataStore. */
export function ckanResource(d: Pick<DatasetJoinedRow, 'uuid' | 'slug' | 'title' | 'current_version_id'>, v: PublishedVersion, position: number, ctx: CkanContext) {
  const current = v.id === d.current_version_id;
  const published = ckanTime(v.published_at);
  return {
    id: v.uuid,
    package_id: d.uuid,
    name: current ? `${d.title} (CSV)` : `${d.title} — versi ${v.number} (CSV)`,
    description: current
      ? `Versi ${v.number}, versi terbit terkini. Current published version.`
      : `Versi ${v.number} (lama, telah digantikan). Older version, superseded.`,
    format: 'CSV',
    mimetype: 'text/csv',
    mimetype_inner: null,
    url: `${ctx.base}/dataset/${d.slug}/download.csv?version=${v.number}`,
    url_type: null,
    resource_type: null,
    datastore_active: true,
    size: v.digest?.bytes ?? null,
    hash: v.digest?.sha256 ?? '',
    hash_algorithm: v.digest ? 'sha256' : null,
    created: ckanTime(v.created_at),
    last_modified: published,
    metadata_modified: published,
    cache_url: null,
    cache_last_updated: null,
    position,
    state: 'active',
    /** Satu Data: the version number, and whether it is the current one (older ones are `superseded`). */
    version_number: Number(v.number),
    version_state: current ? 'published' : 'superseded',
    row_count: v.row_count == null ? null : Number(v.row_count),
  };
}

type Extra = { key: string; value: string };

/** Satu Data's own metadata as CKAN `extras`, under stable keys, sorted by key. */
function extrasOf(d: DatasetJoinedRow): Extra[] {
  const out: Extra[] = [];
  const put = (key: string, value: unknown) => {
    if (value === null || value === undefined || value === '') return;
    out.push({ key, value: String(value) });
  };
  put('satudata_frequency', d.frequency);
  put('satudata_access_level', d.access_level);
  put('satudata_prioritas', d.prioritas ? 'true' : 'false');
  put('satudata_source', d.source);
  put('satudata_methodology_note', d.methodology_note);
  put('satudata_title_en', d.title_en);
  put('satudata_description_en', d.description_en);
  put('satudata_topic', d.topic_slug);
  const row = d as unknown as Record<string, unknown>;
  put('satudata_statistics_class', row.statistics_class);
  for (const f of MS_IND_FIELDS) put(`ms_ind_${f}`, d.metadata?.[f]);
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** A CKAN package dictionary (package_show / package_search results). */
export function ckanPackage(d: DatasetJoinedRow, versions: PublishedVersion[], ctx: CkanContext) {
  const lic = licenseInfo(d.license);
  const ordered = [...versions].sort((a, b) => (a.id === d.current_version_id ? -1 : b.id === d.current_version_id ? 1 : Number(b.number) - Number(a.number)));
  const resources = ordered.map((v, i) => ckanResource(d, v, i, ctx));
  const tags = (d.tags ?? []).map(ckanTag);
  return {
    id: d.uuid,
    name: d.slug,
    title: d.title,
    notes: d.description,
    url: `${ctx.base}/dataset/${d.slug}`,
    type: 'dataset',
    state: 'active',
    private: d.access_level !== 'terbuka',
    version: d.current_number != null ? String(d.current_number) : null,
    author: d.org_name,
    author_email: null,
    maintainer: d.contact_name ?? null,
    maintainer_email: d.contact_email ?? null,
    license_id: lic.id,
    license_title: lic.title,
    license_url: lic.url,
    isopen: lic.open,
    metadata_created: ckanTime(d.created_at),
    metadata_modified: ckanTime(d.updated_at),
    creator_user_id: null,
    owner_org: d.org_uuid,
    organization: ckanOrganization({ uuid: d.org_uuid, slug: d.org_slug, name: d.org_name }),
    groups: d.topic_slug ? [ckanGroup({ uuid: d.topic_uuid ?? undefined, slug: d.topic_slug, name_id: d.topic_name_id ?? '', name_en: d.topic_name_en ?? '' })] : [],
    tags,
    num_tags: tags.length,
    extras: extrasOf(d),
    resources,
    num_resources: resources.length,
    relationships_as_object: [],
    relationships_as_subject: [],
  };
}
export type CkanPackage = ReturnType<typeof ckanPackage>;
