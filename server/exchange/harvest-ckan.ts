import type { Services } from '../services';
import { fetchJson, HarvestFailed } from './harvest-fetch';
import { frequencyOf, msIndFrom, pickTable, remoteTime, tableKind, type RemoteDataset, type RemoteListing, type RemoteResource } from './harvest-remote';

// A CKAN portal (2.9–2.11, or this portal's own CKAN API) through its action API:
// `package_search` paged with `rows`/`start` (on a re-harvest only what changed, by
// `fq=metadata_modified:[<since> TO *]`), and `package_list` for what it still publishes.

/** Rows asked per page; a portal may cap it lower (CKAN's `ckan.search.rows_max`), which paging allows for. */
export const CKAN_ROWS = 100;
/** No catalog of a kabupaten/kota has this many pages: a portal that keeps answering is cut off here. */
const MAX_PAGES = 500;

/** The portal's root and action API base from what the walidata entered (the portal, or its `/api/3/action`). */
export function ckanBase(url: string): { root: string; api: string } {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  const path = u.pathname.replace(/\/+$/, '');
  const at = path.search(/\/api(\/\d+)?\/action(\/|$)/);
  const rootPath = at >= 0 ? path.slice(0, at) : path;
  const root = `${u.origin}${rootPath}`;
  return { root, api: `${root}/api/3/action` };
}

interface CkanEnvelope {
  success?: boolean;
  result?: unknown;
  error?: { message?: string };
}

async function action(services: Services, api: string, name: string, params: Record<string, string>): Promise<unknown> {
  const url = `${api}/${name}?${new URLSearchParams(params).toString()}`;
  const body = (await fetchJson(services, url)) as CkanEnvelope;
  if (!body || typeof body !== 'object' || body.success !== true) {
    const why = body?.error?.message ?? 'success: false';
    throw new HarvestFailed(`CKAN ${name} gagal: ${why}`, `CKAN ${name} failed: ${why}`);
  }
  return body.result;
}

type Dict = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

/** A CKAN package dictionary as a remote dataset. */
export function fromPackage(pkg: Dict, root: string): RemoteDataset | null {
  const id = str(pkg.id) || str(pkg.name);
  if (!id || (pkg.state && pkg.state !== 'active') || pkg.private === true) return null;
  const extras: Record<string, string> = {};
  for (const e of Array.isArray(pkg.extras) ? (pkg.extras as Dict[]) : []) if (e && typeof e.key === 'string') extras[e.key] = str(e.value);
  const resources: RemoteResource[] = [];
  const kinds: Array<'csv' | 'xlsx' | null> = [];
  for (const r of Array.isArray(pkg.resources) ? (pkg.resources as Dict[]) : []) {
    const url = str(r.url);
    if (!/^https?:\/\//i.test(url) || (r.state && r.state !== 'active')) continue;
    // This portal lists each older published version as a resource too: the current one is the table.
    if (r.version_state === 'superseded') continue;
    resources.push({ url, name: str(r.name) || url, format: str(r.format) });
    kinds.push(tableKind(str(r.format), str(r.mimetype), url));
  }
  const { table, links } = pickTable(resources, kinds);
  const groups = Array.isArray(pkg.groups) ? (pkg.groups as Dict[]).map((g) => str(g.name)).filter(Boolean) : [];
  const tags = Array.isArray(pkg.tags) ? (pkg.tags as Dict[]).map((t) => str(t.name ?? t.display_name)).filter(Boolean) : [];
  const name = str(pkg.name) || null;
  return {
    id,
    name,
    title: str(pkg.title) || name || id,
    description: str(pkg.notes),
    title_en: extras.satudata_title_en || undefined,
    description_en: extras.satudata_description_en || undefined,
    tags,
    license: str(pkg.license_id) || null,
    frequency: frequencyOf(extras.satudata_frequency ?? extras.frequency ?? extras.update_frequency ?? extras.accrual_periodicity),
    topic: extras.satudata_topic || groups[0] || null,
    metadata: msIndFrom(extras),
    modified: remoteTime(pkg.metadata_modified),
    landing: name ? `${root}/dataset/${encodeURIComponent(name)}` : null,
    table,
    links,
  };
}

/** CKAN's date form for a range query (second precision, UTC). */
const solrTime = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** Reads a CKAN portal: what changed since `since` (everything without it), and the names it still lists. */
export async function ckanListing(services: Services, sourceUrl: string, since: Date | null): Promise<RemoteListing> {
  const { root, api } = ckanBase(sourceUrl);
  const notes: RemoteListing['notes'] = [];
  const seen = new Map<string, RemoteDataset>();
  let count = 0;
  let delivered = 0;
  const params: Record<string, string> = { rows: String(CKAN_ROWS), sort: 'name asc' };
  if (since) params.fq = `metadata_modified:[${solrTime(since)} TO *]`;
  for (let page = 0, start = 0; page < MAX_PAGES; page++) {
    const result = (await action(services, api, 'package_search', { ...params, start: String(start) })) as Dict;
    const results = Array.isArray(result?.results) ? (result.results as Dict[]) : [];
    count = Number(result?.count ?? 0);
    if (!results.length) break;
    delivered += results.length;
    // Next page from what was delivered, not from what was asked: a portal may cap `rows`.
    start += results.length;
    for (const pkg of results) {
      const d = fromPackage(pkg, root);
      if (d) seen.set(d.id, d);
    }
    if (start >= count) break;
  }
  const complete = delivered >= count;
  if (!complete) {
    notes.push({
      id: `package_search menyebut ${count} dataset, tetapi halamannya hanya memuat ${delivered}; yang hilang dari daftar tidak ditarik pada panen ini.`,
      en: `package_search reported ${count} datasets but its pages held only ${delivered}; nothing is retracted on this run.`,
    });
  }
  const present = await ckanNames(services, api).catch((err: unknown) => {
    const e = err instanceof HarvestFailed ? err : new HarvestFailed(String(err), String(err));
    notes.push({ id: `Daftar package_list tidak dapat dibaca (${e.id}); tidak ada yang ditarik pada panen ini.`, en: `package_list could not be read (${e.en}); nothing is retracted on this run.` });
    return null;
  });
  return { datasets: [...seen.values()], present: complete ? present : null, notes };
}

/** Every name `package_list` gives, paged by `limit`/`offset` (CKAN ≥ 2.9). */
async function ckanNames(services: Services, api: string): Promise<Set<string>> {
  const names = new Set<string>();
  const limit = 1000;
  for (let offset = 0, page = 0; page < MAX_PAGES; page++) {
    const list = await action(services, api, 'package_list', { limit: String(limit), offset: String(offset) });
    if (!Array.isArray(list)) throw new HarvestFailed('package_list tidak menjawab daftar.', 'package_list did not answer a list.');
    const before = names.size;
    for (const n of list) names.add(str(n));
    // A portal that ignores limit/offset answers the whole list every time: nothing new, done.
    if (list.length < limit || names.size === before) return names;
    offset += list.length;
  }
  return names;
}
