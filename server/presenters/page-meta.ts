import { columnLabel } from './dataset-page';
import { licenseInfo } from './license';
import type { DatasetDetailView } from './dataset';
import type { ColumnView } from './version';

const SITE_NAME = 'Satu Data Lampung';
const DESCRIPTION_MAX = 200;

/** What a page says about itself in its head: description, Open Graph, canonical URL, JSON-LD. */
export interface PageMeta {
  description: string;
  /** Empty for a page that is not to be indexed. */
  canonical: string;
  og?: { type: 'website' | 'article'; title: string; description: string; url: string; site_name: string; locale: string; locale_alternate: string };
  /** The schema.org JSON-LD, already serialized for a `<script type="application/ld+json">` block. */
  jsonLd?: string;
  /** Kept out of search engines (a page only its producers or signed-in readers see). */
  noindex?: boolean;
}

/**
 * JSON for an HTML `<script>` data block: `<`, `>` and `&` as \u escapes (so no `</script>` or
 * `<!--` can end or change the block, whatever the metadata holds), and the line separators
 * U+2028/2029 likewise. The result is still exactly the same JSON value.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A description for a head: one line, at most 200 characters, cut at a word. */
export function shortDescription(text: string | null | undefined, fallback: string): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim() || fallback;
  if (flat.length <= DESCRIPTION_MAX) return flat;
  const cut = flat.slice(0, DESCRIPTION_MAX - 1);
  const at = cut.lastIndexOf(' ');
  return `${(at > DESCRIPTION_MAX / 2 ? cut.slice(0, at) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

const locale = (lang: 'id' | 'en') => (lang === 'en' ? 'en_US' : 'id_ID');

/** The head of a listing page (home, topic, organization, search). */
export function listingMeta(o: { title: string; description: string | null | undefined; fallback: string; url: string; lang: 'id' | 'en' }): PageMeta {
  const description = shortDescription(o.description, o.fallback);
  return {
    description,
    canonical: o.url,
    og: { type: 'website', title: o.title, description, url: o.url, site_name: SITE_NAME, locale: locale(o.lang), locale_alternate: locale(o.lang === 'en' ? 'id' : 'en') },
  };
}

/** The years or dates a table's time column covers, as schema.org's temporalCoverage (`2020/2024`). */
function temporalCoverage(columns: ColumnView[]): string | null {
  for (const c of columns) {
    if (c.role !== 'time') continue;
    const s = (c.stats ?? {}) as { min?: unknown; max?: unknown };
    if (s.min == null || s.max == null) continue;
    const ok = (v: unknown) => (c.type === 'date' ? /^\d{4}-\d{2}-\d{2}$/.test(String(v)) : /^(19|20)\d{2}$/.test(String(v)));
    if ((c.type === 'year' || c.type === 'integer' || c.type === 'date') && ok(s.min) && ok(s.max)) {
      return String(s.min) === String(s.max) ? String(s.min) : `${s.min}/${s.max}`;
    }
  }
  return null;
}

const FORMATS = [
  { ext: 'csv', type: 'text/csv' },
  { ext: 'xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  { ext: 'json', type: 'application/json' },
] as const;

/**
 * schema.org `Dataset` of an open, published dataset (what search engines index: Google Dataset
 * Search reads name, description, license, creator, distribution, temporal and spatial coverage).
 */
export function schemaDataset(d: DatasetDetailView, base: string, lang: 'id' | 'en') {
  const url = `${base}/dataset/${d.slug}`;
  const license = licenseInfo(d.license);
  const creator = {
    '@type': 'GovernmentOrganization',
    name: d.organization.name,
    url: `${base}/organization/${d.organization.slug}`,
  };
  const coverage = temporalCoverage(d.columns);
  const keywords = [...new Set([...(d.topic ? [d.topic.name] : []), ...d.tags])];
  return {
    '@context': 'https://schema.org',
    '@type': 'Dataset',
    '@id': url,
    name: d.display.title,
    // Google asks for 50 characters at least: a short description is completed by the title and who publishes it.
    description: longEnough(d, lang),
    url,
    identifier: d.slug,
    ...(keywords.length ? { keywords } : {}),
    license: license.url ?? license.id,
    isAccessibleForFree: true,
    inLanguage: 'id',
    creator,
    publisher: creator,
    ...(d.contact.email ? { contactPoint: { '@type': 'ContactPoint', contactType: 'data', email: d.contact.email, ...(d.contact.name ? { name: d.contact.name } : {}) } } : {}),
    includedInDataCatalog: { '@type': 'DataCatalog', name: SITE_NAME, url: `${base}/dataset` },
    spatialCoverage: { '@type': 'Place', name: 'Provinsi Lampung, Indonesia' },
    ...(coverage ? { temporalCoverage: coverage } : {}),
    ...(d.current_version ? { version: String(d.current_version.number), datePublished: toIso(d.current_version.published_at) } : {}),
    dateModified: toIso(d.updated_at),
    variableMeasured: d.columns.map((c) => ({ '@type': 'PropertyValue', name: columnLabel(c), identifier: c.name, ...(c.unit ? { unitText: c.unit } : {}) })),
    distribution: FORMATS.map((f) => ({ '@type': 'DataDownload', encodingFormat: f.type, contentUrl: `${url}/download.${f.ext}` })),
  };
}

/** The description, or — when it is under 50 characters — a sentence made of it, the title and the publisher. */
function longEnough(d: DatasetDetailView, lang: 'id' | 'en'): string {
  const own = (d.display.description ?? '').trim();
  if (own.length >= 50) return own;
  const sentence = (x: string) => (x && !/[.!?]$/.test(x) ? `${x}.` : x);
  const by = lang === 'en' ? `Sectoral statistics of Lampung Province from ${d.organization.name}.` : `Data sektoral Provinsi Lampung dari ${d.organization.name}.`;
  return [sentence(d.display.title), sentence(own), by].filter(Boolean).join(' ');
}

function toIso(v: unknown): string | undefined {
  if (v == null) return undefined;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * The head of a dataset page. Open Graph, the canonical link and JSON-LD only for an open,
 * published dataset; any other page (a draft its producers look at, restricted data) is noindex.
 */
export function datasetMeta(d: DatasetDetailView, o: { base: string; lang: 'id' | 'en'; public: boolean; fallback: string }): PageMeta {
  const url = `${o.base}/dataset/${d.slug}`;
  const meta = listingMeta({ title: d.display.title, description: d.display.description, fallback: o.fallback, url, lang: o.lang });
  // Only the description (the reader sees it on the page anyway): no card, no canonical, no JSON-LD.
  if (!o.public) return { description: meta.description, canonical: '', noindex: true };
  return { ...meta, og: { ...meta.og!, type: 'article' }, jsonLd: scriptJson(schemaDataset(d, o.base, o.lang)) };
}
