import { builderConfig, defaultView, parseView, regionName, viewCaption, viewQuery } from './chart-view';
import { inDateOrder } from './periods';
import type { RegionNames } from '../queries/region-names';
import type { ColumnView } from './version';

/** The words the builder's script writes itself (captions, legends, tooltips, messages). */
const CLIENT_WORDS = ['caption', 'captionCount', 'andBy', 'rows', 'noData', 'empty', 'loading', 'error', 'copied', 'all', 'mapNeedsRegion', 'value', 'tooMany', 'legend'] as const;

type Translate = (k: string, o?: Record<string, unknown>) => string;

/**
 * The chart builder's view-model for a dataset page or its embed: the reader's view from the
 * query string (checked against the columns), its caption in words, the script's JSON and the
 * embed link. Null when the table has nothing to chart.
 */
export function presentChartBuilder(
  input: { query: Record<string, unknown>; lang: 'id' | 'en'; t: Translate; base: string; embed?: boolean },
  d: { slug: string; title?: string; metadata?: Record<string, unknown> | null },
  columns: ColumnView[],
  regions: RegionNames,
) {
  const { t, base } = input;
  const fallback = defaultView(columns);
  const view = parseView(input.query, columns);
  if (!fallback || !view) return null;
  const satuan = typeof d.metadata?.satuan === 'string' ? d.metadata.satuan : null;
  const config = builderConfig({ slug: d.slug, lang: input.lang, datasetUnit: satuan, embed: input.embed }, columns, view, fallback, regions);
  const words = Object.fromEntries(CLIENT_WORDS.map((k) => [k, t(`builder.${k}`)]));
  const fnWords = Object.fromEntries(['sum', 'avg', 'min', 'max', 'count'].map((k) => [k, t(`builder.fn.${k}`)]));
  const embedBase = `${base}/dataset/${encodeURIComponent(d.slug)}/embed`;
  const json = JSON.stringify({ ...config, embedBase, title: d.title ?? d.slug, words: { ...words, fn: fnWords } });
  const query = viewQuery(view);
  const nameOf = (g: { role: string; scheme: string | null }, value: string) => (g.role === 'region' ? (regionName(regions, g.scheme, value) ?? value) : value);
  // The filter menus as the server can draw them (the most common values); the script fills in the rest.
  const filters = config.groups.map((g) => {
    const current = view.where[g.name];
    const values = [...new Set([...(current !== undefined ? [current] : []), ...g.top])];
    // Periods by their dates, not as text (Maret 2023 after September 2022); other values most common first.
    const ordered = g.role === 'time' ? inDateOrder(values) : values;
    return {
      name: g.name,
      label: g.label,
      options: ordered.map((value) => ({ value, label: nameOf(g, value), selected: value === current })),
    };
  });
  const embedUrl = `${embedBase}?${query}`;
  return {
    config,
    view,
    caption: viewCaption(view, columns, regions, t),
    filters,
    /** How many filters the view applies (the filter box opens when there are any). */
    filtered: Object.keys(view.where).length,
    json,
    query,
    embedUrl,
    pageUrl: `${base}/dataset/${encodeURIComponent(d.slug)}?${query}`,
    iframe: iframeSnippet(embedUrl, d.title ?? d.slug),
    hasMap: columns.some((c) => c.role === 'region' && c.ref_scheme),
  };
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The `<iframe>` code a reader copies onto another site (the page escapes it once more when showing it). */
export function iframeSnippet(src: string, title: string): string {
  return `<iframe src="${attr(src)}" width="100%" height="480" style="border:0" loading="lazy" title="${attr(title)}"></iframe>`;
}
