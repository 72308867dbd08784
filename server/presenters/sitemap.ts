import type { SitemapBlock, SitemapDataset, SitemapListing } from '../queries/sitemap';

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const lastmod = (modified?: Date | null) => (modified ? `<lastmod>${new Date(modified).toISOString()}</lastmod>` : '');
const NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

/** The public pages every sitemap lists, besides datasets, topics and organizations. */
const PAGES = ['/', '/dataset', '/organization', '/topic', '/jadwal', '/daftar-data', '/opd', '/permintaan', '/api/docs'];

/** A URL of the sitemap: a path of this site and, for a dataset, its last change. */
export interface SitemapUrl {
  path: string;
  modified?: Date | null;
}

/** The pages that are not datasets: the fixed public pages, then topics and organizations with open datasets. */
export function listingUrls(l: SitemapListing): SitemapUrl[] {
  return [
    ...PAGES.map((path) => ({ path })),
    ...l.topics.map((slug) => ({ path: `/topic/${encodeURIComponent(slug)}` })),
    ...l.organizations.map((slug) => ({ path: `/organization/${encodeURIComponent(slug)}` })),
  ];
}

/** Datasets as sitemap URLs. */
export function datasetUrls(datasets: SitemapDataset[]): SitemapUrl[] {
  return datasets.map((d) => ({ path: `/dataset/${encodeURIComponent(d.slug)}`, modified: d.modified }));
}

/** Whether the whole catalog fits one sitemap file of `limit` URLs. */
export function fitsOneSitemap(l: SitemapListing, limit: number): boolean {
  return listingUrls(l).length + l.datasetCount <= limit;
}

/** How many files of `limit` URLs the listing pages take. */
export function listingParts(l: SitemapListing, limit: number): number {
  return Math.max(1, Math.ceil(listingUrls(l).length / limit));
}

/** sitemaps.org `<urlset>` of the given URLs. */
export function sitemapXml(base: string, urls: SitemapUrl[]): string {
  const lines = urls.map((u) => `  <url><loc>${xml(base + u.path)}</loc>${lastmod(u.modified)}</url>`);
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<urlset xmlns="${NS}">`, ...lines, '</urlset>', ''].join('\n');
}

/**
 * sitemaps.org `<sitemapindex>` of a catalog too large for one file: the listing pages in
 * `/sitemap-pages-N.xml`, the datasets in `/sitemap-N.xml`, one per block of dataset ids that holds any.
 */
export function sitemapIndexXml(base: string, pageParts: number, blocks: SitemapBlock[]): string {
  const entry = (path: string, modified?: Date | null) => `  <sitemap><loc>${xml(base + path)}</loc>${lastmod(modified)}</sitemap>`;
  const lines = [
    ...Array.from({ length: pageParts }, (_, i) => entry(`/sitemap-pages-${i + 1}.xml`)),
    ...blocks.map((b) => entry(`/sitemap-${b.block}.xml`, b.modified)),
  ];
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<sitemapindex xmlns="${NS}">`, ...lines, '</sitemapindex>', ''].join('\n');
}

/** The APIs, search results (endless combinations of facets), areas behind the sign-in, and what is heavy to fetch or not a page of its own (downloads, embeds, raw files). */
const DISALLOW = ['/api/', '/dataset?', '/dashboard', '/manage', '/review', '/admin', '/account', '/inbox', '/login', '/password', '/lang/', '/dataset/*/download.', '/dataset/*/embed', '/dataset/*/versions/'];

/** robots.txt: everything public may be crawled, the sign-in areas and downloads not; where the sitemap is. */
export function robotsTxt(base: string): string {
  return ['User-agent: *', 'Allow: /', 'Allow: /api/docs', ...DISALLOW.map((p) => `Disallow: ${p}`), '', `Sitemap: ${base}/sitemap.xml`, ''].join('\n');
}
