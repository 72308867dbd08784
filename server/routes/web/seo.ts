import express, { type Router } from 'express';
import { z } from 'zod';
import { NotFound } from '../../errors';
import { datasetUrls, fitsOneSitemap, listingParts, listingUrls, robotsTxt, sitemapIndexXml, sitemapXml } from '../../presenters/sitemap';
import { sitemapBlocks, sitemapDatasets, sitemapListing } from '../../queries/sitemap';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';

/** `/sitemap-pages-N.xml` (the listing pages, N-th file) or `/sitemap-N.xml` (the datasets of the N-th block of ids). */
const partParam = z.string().regex(/^(pages-)?[1-9]\d{0,8}$/).transform((s) => ({ pages: s.startsWith('pages-'), n: Number(s.replace('pages-', '')) }));

/**
 * `/sitemap.xml` (open datasets only) and `/robots.txt`, for search engines. A catalog of more
 * URLs than one file may hold (`config.sitemapMaxUrls`) gets a sitemap index at `/sitemap.xml`
 * pointing to parts, each within the limit; every request reads at most that many rows.
 */
export function seoRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const limit = services.config.sitemapMaxUrls;
  const xml = (res: express.Response, body: string) => res.type('application/xml').set('Cache-Control', 'public, max-age=3600').send(body);

  r.get('/sitemap.xml', async (req, res) => {
    const listing = await sitemapListing(db);
    if (fitsOneSitemap(listing, limit)) {
      // Datasets published since the count still leave the file within the limit.
      const pages = listingUrls(listing);
      return xml(res, sitemapXml(baseUrl(services, req), [...pages, ...datasetUrls(await sitemapDatasets(db, limit - pages.length, null))]));
    }
    xml(res, sitemapIndexXml(baseUrl(services, req), listingParts(listing, limit), await sitemapBlocks(db, limit)));
  });
  r.get('/sitemap-:part.xml', async (req, res) => {
    const part = partParam.safeParse(req.params.part);
    if (!part.success) throw new NotFound();
    const { pages, n } = part.data;
    const urls = pages ? listingUrls(await sitemapListing(db)).slice((n - 1) * limit, n * limit) : datasetUrls(await sitemapDatasets(db, limit, n));
    if (!urls.length) throw new NotFound();
    xml(res, sitemapXml(baseUrl(services, req), urls));
  });
  r.get('/robots.txt', (req, res) => {
    res.type('text/plain').set('Cache-Control', 'public, max-age=86400').send(robotsTxt(baseUrl(services, req)));
  });
  return r;
}
