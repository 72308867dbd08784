import { SaxesParser } from 'saxes';

/**
 * A sitemap's or sitemap index's root element, its namespace and its entries (`<url>` or
 * `<sitemap>`, with `<loc>` and `<lastmod>`), read with a real XML parser (which also refuses
 * malformed XML).
 */
export function parseSitemap(xml: string): { root: string; ns: string; urls: Array<{ loc: string; lastmod?: string }> } {
  const parser = new SaxesParser({ xmlns: true });
  const urls: Array<{ loc: string; lastmod?: string }> = [];
  let root = '';
  let ns = '';
  let field: 'loc' | 'lastmod' | null = null;
  parser.on('opentag', (tag) => {
    if (!root) {
      root = tag.local;
      ns = tag.uri;
    }
    if (tag.local === 'url' || tag.local === 'sitemap') urls.push({ loc: '' });
    if (tag.local === 'loc' || tag.local === 'lastmod') field = tag.local;
  });
  parser.on('text', (text) => {
    if (field && urls.length) urls[urls.length - 1][field] = (urls[urls.length - 1][field] ?? '') + text;
  });
  parser.on('closetag', () => (field = null));
  parser.write(xml).close();
  return { root, ns, urls };
}
