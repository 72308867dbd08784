import express, { type Router } from 'express';
import { robotsTxt, sitemapXml } from '../../presenters/sitemap';
import { sitemapEntries } from '../../queries/sitemap';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';

/** `/sitemap.xml` (open datasets only) and `/robots.txt`, for search engines. */
export function seoRoutes(services: Services): Router {
  const r = express.Router();
  r.get('/sitemap.xml', async (req, res) => {
    const entries = await sitemapEntries(services.db);
    res.type('application/xml').set('Cache-Control', 'public, max-age=3600').send(sitemapXml(baseUrl(services, req), entries));
  });
  r.get('/robots.txt', (req, res) => {
    res.type('text/plain').set('Cache-Control', 'public, max-age=86400').send(robotsTxt(baseUrl(services, req)));
  });
  return r;
}
