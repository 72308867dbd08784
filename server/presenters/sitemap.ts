import type { sitemapEntries } from '../queries/sitemap';

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** The public pages every sitemap lists, besides datasets, topics and organizations. */
const PAGES = ['/', '/dataset', '/organization', '/topic', '/jadwal', '/daftar-data', '/opd', '/permintaan', '/api/docs'];

/** sitemaps.org XML of the open catalog (datasets with their last modification). */
export function sitemapXml(base: string, e: Awaited<ReturnType<typeof sitemapEntries>>): string {
  const url = (path: string, modified?: Date | null) =>
    `  <url><loc>${xml(base + path)}</loc>${modified ? `<lastmod>${new Date(modified).toISOString()}</lastmod>` : ''}</url>`;
  const lines = [
    ...PAGES.map((p) => url(p)),
    ...e.topics.map((t) => url(`/topic/${encodeURIComponent(t.slug)}`)),
    ...e.organizations.map((o) => url(`/organization/${encodeURIComponent(o.slug)}`)),
    ...e.datasets.map((d) => url(`/dataset/${encodeURIComponent(d.slug)}`, d.modified)),
  ];
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', ...lines, '</urlset>', ''].join('\n');
}

/** The APIs, search results (endless combinations of facets), areas behind the sign-in, and what is heavy to fetch or not a page of its own (downloads, embeds, raw files). */
const DISALLOW = ['/api/', '/dataset?', '/dashboard', '/manage', '/review', '/admin', '/account', '/inbox', '/login', '/password', '/lang/', '/dataset/*/download.', '/dataset/*/embed', '/dataset/*/versions/'];

/** robots.txt: everything public may be crawled, the sign-in areas and downloads not; where the sitemap is. */
export function robotsTxt(base: string): string {
  return ['User-agent: *', 'Allow: /', 'Allow: /api/docs', ...DISALLOW.map((p) => `Disallow: ${p}`), '', `Sitemap: ${base}/sitemap.xml`, ''].join('\n');
}
