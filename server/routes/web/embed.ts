import express, { type Response, type Router } from 'express';
import { presentChartBuilder } from '../../presenters/chart-builder';
import { presentDataset } from '../../presenters/dataset';
import { presentColumn } from '../../presenters/version';
import { loadEmbed } from '../../queries/dataset-page';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';

/** A CSP that lets any site frame this response (the embed route only): the global one with `frame-ancestors *`. */
function allowFraming(res: Response) {
  const csp = String(res.getHeader('Content-Security-Policy') ?? '');
  res.setHeader('Content-Security-Policy', csp.replace(/frame-ancestors [^;]*/, 'frame-ancestors *'));
  res.removeHeader('X-Frame-Options');
}

/** `/dataset/:slug/embed`: the chart or map alone, for an `<iframe>` on other sites (public data only). */
export function embedRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  r.get('/dataset/:slug/embed', async (req, res) => {
    const { dataset, columns, regions } = await loadEmbed(db, req.params.slug);
    const base = baseUrl(services, req);
    const shown = presentDataset(dataset, { base, lang: req.lang });
    const input = { query: req.query as Record<string, unknown>, lang: req.lang, t: res.locals.t, base, embed: true };
    const builder = presentChartBuilder(input, { slug: dataset.slug, title: shown.display.title, metadata: dataset.metadata as Record<string, unknown> }, columns.map(presentColumn), regions);
    allowFraming(res);
    res.render('datasets/embed', { layout: 'embed', title: shown.display.title, dataset: shown, builder });
  });
  return r;
}
