import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { NotFound } from '../../../errors';
import { DcatGraph } from '../../../presenters/dcat';
import { listTopics } from '../../../queries/catalog';
import { findDataset } from '../../../queries/datasets';
import { catalogIssued, catalogPublisher, dcatSources } from '../../../queries/dcat';
import { provinceRegion } from '../../../queries/extent';
import { searchPackages, type Expr } from '../../../queries/package-search';
import type { Services } from '../../../services';
import { baseUrl } from '../../base-url';
import { sendCached } from '../../http-cache';
import { modifiedSince, parseInput } from '../../parse';
import { RDF_TYPES, toJsonLd, toRdfXml, toTurtle, type RdfFormat } from './serialize';

// DCAT-AP 3 at /catalog(.ttl|.jsonld|.rdf) and /dataset/:slug(.ttl|.jsonld|.rdf), and by content
// negotiation on /catalog and /dataset/:slug (Vary: Accept). Paged like ckanext-dcat.

export const CATALOG_PAGE_SIZE = 100;

const catalogQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  modified_since: modifiedSince.optional(),
});

/** The RDF format an Accept header asks for over HTML, if any. */
export function negotiated(req: Request): RdfFormat | null {
  const best = req.accepts(['text/html', RDF_TYPES.ttl, RDF_TYPES.jsonld, RDF_TYPES.rdf, 'application/json']);
  if (best === RDF_TYPES.ttl) return 'ttl';
  if (best === RDF_TYPES.jsonld) return 'jsonld';
  if (best === RDF_TYPES.rdf) return 'rdf';
  return null;
}

async function serialize(graph: DcatGraph, format: RdfFormat): Promise<string> {
  if (format === 'ttl') return toTurtle(graph.store);
  if (format === 'jsonld') return toJsonLd(graph.store);
  return toRdfXml(graph.store);
}

function latest(dates: Array<Date | string | null | undefined>): Date | null {
  const ms = dates.map((d) => (d ? new Date(d).getTime() : NaN)).filter((n) => !Number.isNaN(n));
  return ms.length ? new Date(Math.max(...ms)) : null;
}

/** The DCAT routes (mounted before the HTML pages, which they hand over to for HTML). */
export function dcatRouter(services: Services): Router {
  const r = express.Router();
  const { db } = services;

  async function catalog(req: Request, res: Response, format: RdfFormat) {
    const p = parseInput(catalogQuery, req.query);
    const base = baseUrl(services, req);
    const fq: Expr | null = p.modified_since ? { kind: 'range', field: 'metadata_modified', from: p.modified_since, to: null } : null;
    const found = await searchPackages(db, null, {
      q: null, fq, sort: [{ field: 'metadata_modified', dir: 'desc' }], rows: CATALOG_PAGE_SIZE, start: (p.page - 1) * CATALOG_PAGE_SIZE,
      facetFields: [], facetLimit: 0, facetMinCount: 1, includePrivate: false,
    });
    const [sources, publisher, topics, province, issued] = await Promise.all([dcatSources(db, found.rows, services.config.timeZone), catalogPublisher(db), listTopics(db), provinceRegion(db), catalogIssued(db)]);
    const graph = new DcatGraph({ base });
    const datasets = sources.map((s) => graph.dataset(s));
    const url = (page: number) => {
      const qs = new URLSearchParams();
      if (p.modified_since) qs.set('modified_since', p.modified_since.toISOString());
      qs.set('page', String(page));
      return `${base}/catalog.${format}?${qs.toString()}`;
    };
    const modified = latest(found.rows.map((d) => d.updated_at));
    graph.catalog({
      publisher: publisher ?? null, datasets, modified, issued, province, topics,
      paging: { self: url(p.page), page: p.page, perPage: CATALOG_PAGE_SIZE, total: found.total, url },
    });
    res.vary('Accept');
    sendCached(req, res, await serialize(graph, format), { type: `${RDF_TYPES[format]}; charset=utf-8`, modified });
  }

  async function dataset(req: Request, res: Response, slug: string, format: RdfFormat) {
    const d = await findDataset(db, null, slug);
    if (!d.current_version_id || d.retracted_at || d.access_level !== 'terbuka') throw new NotFound('Dataset tidak ditemukan.', 'Dataset not found.');
    const [source] = await dcatSources(db, [d], services.config.timeZone);
    const graph = new DcatGraph({ base: baseUrl(services, req), standalone: true });
    graph.dataset(source);
    res.vary('Accept');
    sendCached(req, res, await serialize(graph, format), { type: `${RDF_TYPES[format]}; charset=utf-8`, modified: d.updated_at });
  }

  const alternates = (href: string) => [
    { type: RDF_TYPES.ttl, href: `${href}.ttl` },
    { type: RDF_TYPES.jsonld, href: `${href}.jsonld` },
    { type: RDF_TYPES.rdf, href: `${href}.rdf` },
  ];

  r.get('/catalog.:ext', async (req, res, next) => {
    const ext = String(req.params.ext);
    if (!(ext in RDF_TYPES)) return next();
    await catalog(req, res, ext as RdfFormat);
  });
  r.get('/catalog', async (req, res, next) => {
    const f = negotiated(req);
    res.vary('Accept');
    if (!f) return next();
    await catalog(req, res, f);
  });

  r.get('/dataset/:file', async (req: Request, res: Response, next: NextFunction) => {
    const file = String(req.params.file);
    const m = /^(.+)\.(ttl|jsonld|rdf)$/.exec(file);
    if (m) return dataset(req, res, m[1], m[2] as RdfFormat);
    res.vary('Accept');
    const f = negotiated(req);
    if (f) return dataset(req, res, file, f);
    // HTML: the page names its machine-readable descriptions in <link rel="alternate">.
    res.locals.alternates = alternates(`/dataset/${encodeURIComponent(file)}`);
    next();
  });

  r.get(['/', '/dataset'], (_req, res, next) => {
    res.locals.alternates = alternates('/catalog');
    next();
  });

  return r;
}
