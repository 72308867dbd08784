import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { canViewWork } from '../../policies/dataset';
import { presentOrganization, presentTopic } from '../../presenters/catalog';
import { presentDataset } from '../../presenters/dataset';
import { presentDatasetPage, presentRetractedPage } from '../../presenters/dataset-page';
import { loadDatasetPage } from '../../queries/dataset-page';
import { catalogStamp, publicPageStamp } from '../../queries/page-stamp';
import type { SharedPages } from './shared-pages';
import { presentSearchPage } from '../../presenters/search-page';
import { catalogCounts, findTopic, listOrganizations, listTopics } from '../../queries/catalog';
import { loadOrganizationPage } from '../../queries/organization-page';
import { presentOrganizationPage } from '../../presenters/organization-page';
import { listingMeta } from '../../presenters/page-meta';
import { searchDatasets, type SearchParams } from '../../queries/search';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { openApiDocument } from '../api/openapi';
import { presentApiDocs } from '../../presenters/api-docs';
import { filterParam, parseInput } from '../parse';
import { datasetSearchSchema, unfiltered } from '../search';
import { countable } from '../../usage/bots';
import { headlineFigures } from '../../queries/headlines';
import { presentHeadline } from '../../presenters/headline';
import { canManageHeadlines } from '../../policies/headline';

const PER_PAGE = 20;

// A bad page number on a page people type by hand falls back to the first page.
const searchQuery = datasetSearchSchema.extend({
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});

const previewQuery = z.object({
  page: z.coerce.number().int().min(1).catch(1).default(1),
  sort: z.string().max(200).optional(),
  q: z.string().max(200).optional(),
});

/** Home, search, dataset pages, organizations and topics. */
export function publicRoutes(services: Services, sharedPages: SharedPages): Router {
  const r = express.Router();
  const { db } = services;
  const opts = (req: Request) => ({ base: baseUrl(services, req), lang: req.lang });

  r.get('/', async (req, res) => {
    const base = { page: 1, per_page: 6 } as SearchParams;
    const [counts, topics, newest, popular, figures] = await Promise.all([
      catalogCounts(db),
      listTopics(db),
      searchDatasets(db, null, { ...base, sort: 'newest' }),
      searchDatasets(db, null, { ...base, sort: 'downloads' }),
      headlineFigures(db),
    ]);
    res.render('home', {
      title: req.lang === 'en' ? 'Lampung Province Open Data' : 'Satu Data Provinsi Lampung',
      counts,
      topics: topics.map((t) => presentTopic(t, req.lang, { dataset_count: t.dataset_count })),
      newest: newest.rows.map((d) => presentDataset(d, opts(req))),
      popular: popular.rows.filter((d) => Number(d.download_count) > 0).map((d) => presentDataset(d, opts(req))),
      indicators: figures.map((f) => presentHeadline(f, { lang: req.lang })),
      canManageHeadlines: canManageHeadlines(req.actor),
      pageMeta: listingMeta({ title: req.lang === 'en' ? 'Lampung Province Open Data' : 'Satu Data Provinsi Lampung', description: res.locals.t('site.tagline'), fallback: '', url: `${opts(req).base}/`, lang: req.lang }),
    });
  });

  // Kept pages are mostly served before this router (SharedPages.early); one kept meanwhile is served here.
  r.get('/dataset', async (req, res) => {
    const p = parseInput(searchQuery, req.query);
    const key = sharedPages.eligible(req) ? sharedPages.keyFor(req, (await catalogStamp(db)).key) : null;
    if (await sharedPages.serveKept(req, res, key)) return;
    const result = await searchDatasets(db, req.actor, { ...p, per_page: PER_PAGE }, { lang: req.lang });
    let onHit: ((req: Request) => void) | undefined;
    if ((result.total === 0 || result.suggestion) && p.q?.trim() && unfiltered(p)) {
      const miss = { term: p.q, lang: req.lang, source: 'web' as const, suggestion: result.suggestion?.q };
      services.usage.searchMiss(miss);
      // A miss is still recorded when the page comes from the shared copy.
      onHit = () => services.usage.searchMiss(miss);
    }
    await sharedPages.send(res, key, 'datasets/search', {
      title: res.locals.t('search.title'),
      ...presentSearchPage(result, p, { ...opts(req), t: res.locals.t, perPage: PER_PAGE }),
    }, onHit);
  });

  r.get('/dataset/:slug', async (req, res) => {
    const p = parseInput(previewQuery, req.query);
    const params = { ...p, filter: filterParam(req.query.filter) ?? {} };
    // Readers who are not signed in share a rendered copy while nothing the page shows has changed.
    const stamp = sharedPages.eligible(req) ? await publicPageStamp(db, req.params.slug) : null;
    const key = sharedPages.keyFor(req, stamp?.key);
    if (await sharedPages.serveKept(req, res, key)) return;
    const page = await loadDatasetPage(db, req.actor, req.params.slug, params);
    if ('retracted' in page) return res.status(410).render('datasets/retracted', presentRetractedPage(page, opts(req)));
    const view = presentDatasetPage(page, params, { ...opts(req), canManage: canViewWork(req.actor, page.dataset), t: res.locals.t, query: req.query as Record<string, unknown> });
    const countView = (r: Request) => {
      if (view.live && countable(r)) services.usage.view(page.dataset.id, 'page');
    };
    countView(req);
    await sharedPages.send(res, key, 'datasets/show', view, countView);
  });

  r.get('/organization', async (req, res) => {
    const orgs = await listOrganizations(db);
    res.render('organizations/index', {
      title: res.locals.t('org.title'),
      organizations: orgs.map((o) => presentOrganization(o, { dataset_count: o.dataset_count })),
      pageMeta: listingMeta({ title: res.locals.t('org.title'), description: res.locals.t('portal.orgsDescription'), fallback: '', url: `${opts(req).base}/organization`, lang: req.lang }),
    });
  });

  r.get('/organization/:slug', async (req, res) => {
    const page = await loadOrganizationPage(db, req.actor, req.params.slug, { timeZone: services.config.timeZone });
    res.render('organizations/show', presentOrganizationPage(page, { ...opts(req), t: res.locals.t }));
  });

  r.get('/topic', async (req, res) => {
    const topics = await listTopics(db);
    res.render('topics/index', {
      title: res.locals.t('topic.title'),
      topics: topics.map((t) => presentTopic(t, req.lang, { dataset_count: t.dataset_count })),
      pageMeta: listingMeta({ title: res.locals.t('topic.title'), description: res.locals.t('portal.topicsDescription'), fallback: '', url: `${opts(req).base}/topic`, lang: req.lang }),
    });
  });

  r.get('/topic/:slug', async (req, res) => {
    const topic = await findTopic(db, req.params.slug);
    const { rows } = await searchDatasets(db, req.actor, { topic: topic.slug, page: 1, per_page: 100, sort: 'title' });
    const t = presentTopic(topic, req.lang);
    const pageMeta = listingMeta({ title: t.name, description: t.description, fallback: res.locals.t('portal.topicDescription', { name: t.name }), url: `${opts(req).base}/topic/${encodeURIComponent(t.slug)}`, lang: req.lang });
    res.render('topics/show', { title: t.name, topic: t, datasets: rows.map((d) => presentDataset(d, opts(req))), pageMeta });
  });

  r.get('/api/docs', (req, res) => {
    const base = baseUrl(services, req);
    res.render('api/docs', { title: 'API', docs: presentApiDocs(openApiDocument(base), req.lang), base });
  });

  return r;
}
