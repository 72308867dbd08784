import { userMessage } from '../errors';
import type { DatasetPage, PreviewParams, RetractedPage } from '../queries/dataset-page';
import { PREVIEW_ROWS } from '../queries/dataset-page';
import { presentApiPanel } from './api-panel';
import { presentChartBuilder } from './chart-builder';
import { datasetMeta } from './page-meta';
import type { RelatedRow } from '../queries/related';
import { presentDataset, presentDatasetDetail } from './dataset';
import { pagination } from './pagination';
import type { ColumnView } from './version';
import { presentHarvestOrigin } from './harvest';

interface TableState {
  sort?: string;
  q?: string;
  filter: Record<string, string | string[]>;
}

const SMALL_WORDS = new Set(['dan', 'di', 'ke', 'dari', 'per', 'menurut', 'atau', 'yang', 'of', 'and', 'by', 'per']);
const ACRONYMS = new Set(['bps', 'pdrb', 'ipm', 'opd', 'rt', 'rw', 'km', 'kg', 'ha', 'id', 'nik', 'dtks', 'apbd']);

/**
 * The label a reader sees for a column: its dictionary label, or — when the label is only the
 * machine name (`nama_kabupaten_kota`) — the name in words ("Nama Kabupaten Kota").
 */
export function columnLabel(c: { name: string; label?: string | null }): string {
  const label = c.label?.trim();
  if (label && label !== c.name) return label;
  return c.name
    .split('_')
    .filter(Boolean)
    .map((w, i) => (ACRONYMS.has(w) ? w.toUpperCase() : i > 0 && SMALL_WORDS.has(w) ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

/** The query string of a table state (sort, words, filters), as the page and the downloads take it. */
export function stateQuery(s: TableState): string {
  const p = new URLSearchParams();
  if (s.sort) p.set('sort', s.sort);
  if (s.q) p.set('q', s.q);
  for (const [k, v] of Object.entries(s.filter)) {
    for (const one of Array.isArray(v) ? v : [v]) p.append(`filter[${k}]`, String(one));
  }
  return p.toString();
}

/** Link to the dataset page's table with the given sort, search and filters (back to page 1). */
function previewHref(slug: string, s: TableState): string {
  const qs = stateQuery(s);
  return `/dataset/${slug}${qs ? `?${qs}` : ''}#pratinjau`;
}

export const DOWNLOAD_FORMATS = [
  { key: 'csv', label: 'CSV', query: '' },
  { key: 'csv', label: 'CSV (Excel)', query: 'dialect=excel' },
  { key: 'xlsx', label: 'Excel (XLSX)', query: '' },
  { key: 'json', label: 'JSON', query: '' },
] as const;

/** Download links of one version (or the current one) in every format, with the reader's selection. */
function downloadLinks(slug: string, version: number | null, selection: string) {
  return DOWNLOAD_FORMATS.map((f) => {
    const qs = [version != null ? `version=${version}` : '', f.query, selection].filter(Boolean).join('&');
    return { label: f.label, format: f.key, href: `/dataset/${slug}/download.${f.key}${qs ? `?${qs}` : ''}` };
  });
}

/** The table preview: labelled headers with sort links, cells with filter links, chips with labels. */
function presentPreview(page: DatasetPage, slug: string, columns: ColumnView[], p: PreviewParams, lang: 'id' | 'en') {
  const state: TableState = { sort: p.sort, q: p.q, filter: p.filter };
  const loaded = page.preview;
  if (!loaded) return null;
  if ('error' in loaded) {
    return { header: [], rows: [], pager: pagination(1, 0, PREVIEW_ROWS), filters: [], pageQuery: {}, error: userMessage(loaded.error, lang), reset: `/dataset/${slug}#pratinjau` };
  }
  const label = (name: string) => columnLabel(columns.find((c) => c.name === name) ?? { name });
  return {
    header: columns.map((c) => {
      const dir = p.sort === c.name ? 'asc' : p.sort === `-${c.name}` ? 'desc' : null;
      return { name: c.name, label: columnLabel(c), dir, href: previewHref(slug, { ...state, sort: dir === 'asc' ? `-${c.name}` : c.name }) };
    }),
    rows: loaded.rows.map((row) =>
      columns.map((c) => ({
        value: row[c.name],
        type: c.type,
        href: c.role !== 'measure' && row[c.name] !== null ? previewHref(slug, { ...state, filter: { ...state.filter, [c.name]: String(row[c.name]) } }) : null,
      })),
    ),
    pager: pagination(p.page, loaded.total, PREVIEW_ROWS),
    filters: Object.entries(state.filter).map(([k, v]) => {
      const rest = { ...state.filter };
      delete rest[k];
      return { column: k, label: label(k), value: Array.isArray(v) ? v.join(', ') : String(v), href: previewHref(slug, { ...state, filter: rest }) };
    }),
    pageQuery: Object.fromEntries(new URLSearchParams(stateQuery(state))),
  };
}

/** What the dataset page's presenter needs besides the loaded page: the reader's language, words and query (the chart view). */
export interface DatasetPageOptions {
  base: string;
  lang: 'id' | 'en';
  canManage: boolean;
  t: (k: string, o?: Record<string, unknown>) => string;
  query: Record<string, unknown>;
}

/** The view-model of `/dataset/:slug`. */
export function presentDatasetPage(page: DatasetPage, p: PreviewParams, opts: DatasetPageOptions) {
  const dataset = presentDatasetDetail(page.dataset, page.columns, page.versions, opts);
  const live = Boolean(page.current);
  const selection = stateQuery({ sort: p.sort, q: p.q, filter: p.filter });
  const versions = dataset.versions.map((v) => ({
    ...v,
    downloads: v.download_url || (opts.canManage && v.has_table) ? downloadLinks(dataset.slug, v.number, '') : [],
  }));
  return {
    title: dataset.display.title,
    dataset: { ...dataset, versions },
    canManage: opts.canManage,
    live,
    preview: live ? presentPreview(page, dataset.slug, dataset.columns, p, opts.lang) : null,
    downloads: live ? downloadLinks(dataset.slug, null, selection) : [],
    selected: selection !== '',
    q: p.q ?? '',
    sort: p.sort ?? '',
    hiddenState: [
      ...(p.sort ? [{ name: 'sort', value: p.sort }] : []),
      ...Object.entries(p.filter).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => ({ name: `filter[${k}]`, value: String(one) }))),
    ],
    api: live ? presentApiPanel(dataset, opts.base) : null,
    related: page.related.map((r) => presentRelated(r, opts)),
    pageMeta: datasetMeta(dataset, { base: opts.base, lang: opts.lang, public: live && dataset.access_level === 'terbuka', fallback: opts.t('site.tagline') }),
    harvest: page.harvest ? presentHarvestOrigin(page.harvest) : null,
    builder:
      live && page.regions
        ? presentChartBuilder({ query: opts.query, lang: opts.lang, t: opts.t, base: opts.base }, { slug: dataset.slug, title: dataset.display.title, metadata: dataset.metadata }, dataset.columns, page.regions)
        : null,
  };
}

/** A related dataset's card: the dataset and what it shares with the page's (indicator, topic, OPD). */
function presentRelated(r: RelatedRow, opts: DatasetPageOptions) {
  const reasons = [r.same_indicator && 'indicator', r.same_topic && 'topic', r.same_org && 'organization'].filter((x): x is string => Boolean(x));
  return { ...presentDataset(r, opts), reasons: reasons.map((k) => opts.t(`portal.related.${k}`)) };
}

/** The view-model of a retracted dataset's notice (410). */
export function presentRetractedPage(page: RetractedPage, opts: { base: string; lang: 'id' | 'en' }) {
  return { title: page.retracted.title, dataset: presentDataset(page.retracted, opts) };
}
