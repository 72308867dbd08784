import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { AppError, NotFound, datasetNotFound, userMessage } from '../../errors';
import { canViewWork } from '../../policies/dataset';
import type { DatasetJoinedRow } from '../../db/rows';
import { presentOrganization, presentTopic } from '../../presenters/catalog';
import { chartSpec } from '../../presenters/chart';
import { presentDataset, presentDatasetDetail } from '../../presenters/dataset';
import { presentColumn } from '../../presenters/version';
import { pagination } from '../../presenters/pagination';
import { presentSearchPage } from '../../presenters/search-page';
import { catalogCounts, listOrganizations, listTopics } from '../../queries/catalog';
import { datasetQuery, findDataset, listVersions, versionColumns } from '../../queries/datasets';
import { searchDatasets, type SearchParams } from '../../queries/search';
import { queryRows } from '../../queries/rows';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { openApiDocument } from '../api/openapi';
import { filterParam, parseInput } from '../parse';
import { datasetSearchSchema, unfiltered } from '../search';
import { countable } from '../../usage/bots';

const PER_PAGE = 20;

interface PreviewState {
  sort?: string;
  q?: string;
  filter: Record<string, string | string[]>;
}

/** Link to the dataset page's table with the given sort, search and filters (back to page 1). */
function previewHref(slug: string, s: PreviewState): string {
  const p = new URLSearchParams();
  if (s.sort) p.set('sort', s.sort);
  if (s.q) p.set('q', s.q);
  for (const [k, v] of Object.entries(s.filter)) p.set(`filter[${k}]`, String(v));
  const qs = p.toString();
  return `/dataset/${slug}${qs ? `?${qs}` : ''}#pratinjau`;
}
const PREVIEW_ROWS = 20;

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
export function publicRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const opts = (req: Request) => ({ base: baseUrl(services, req), lang: req.lang });

  r.get('/', async (req, res) => {
    const base = { page: 1, per_page: 6 } as SearchParams;
    const [counts, topics, newest, popular] = await Promise.all([
      catalogCounts(db),
      listTopics(db),
      searchDatasets(db, null, { ...base, sort: 'newest' }),
      searchDatasets(db, null, { ...base, sort: 'downloads' }),
    ]);
    let headline = null;
    for (const d of newest.rows) {
      if (!d.current_version_id) continue;
      const spec = chartSpec((await versionColumns(db, d.current_version_id)).map(presentColumn));
      if (spec) {
        headline = { dataset: presentDataset(d, opts(req)), spec };
        break;
      }
    }
    res.render('home', {
      title: req.lang === 'en' ? 'Lampung Province Open Data' : 'Satu Data Provinsi Lampung',
      counts,
      topics: topics.map((t) => presentTopic(t, req.lang, { dataset_count: t.dataset_count })),
      newest: newest.rows.map((d) => presentDataset(d, opts(req))),
      popular: popular.rows.filter((d) => Number(d.download_count) > 0).map((d) => presentDataset(d, opts(req))),
      headline,
    });
  });

  r.get('/dataset', async (req, res) => {
    const p = parseInput(searchQuery, req.query);
    const result = await searchDatasets(db, req.actor, { ...p, per_page: PER_PAGE }, { lang: req.lang });
    if ((result.total === 0 || result.suggestion) && p.q?.trim() && unfiltered(p)) {
      services.usage.searchMiss({ term: p.q, lang: req.lang, source: 'web', suggestion: result.suggestion?.q });
    }
    res.render('datasets/search', {
      title: res.locals.t('search.title'),
      ...presentSearchPage(result, p, { ...opts(req), t: res.locals.t, perPage: PER_PAGE }),
    });
  });

  r.get('/dataset/:slug', async (req, res) => {
    let d: DatasetJoinedRow;
    try {
      d = await findDataset(db, req.actor, req.params.slug);
    } catch (err) {
      if (err instanceof NotFound) return retractedNotice(req, res, req.params.slug);
      throw err;
    }
    const detailColumns = d.current_version_id ? await versionColumns(db, d.current_version_id) : [];
    const versions = await listVersions(db, req.actor, d);
    const dataset = presentDatasetDetail(d, detailColumns, versions, opts(req));
    const p = parseInput(previewQuery, req.query);
    const filter = filterParam(req.query.filter);
    let preview = null;
    const live = d.current_version_id && !d.retracted_at;
    const state: PreviewState = { sort: p.sort, q: p.q, filter: filter ?? {} };
    if (live) {
      const current = await db('versions').where({ id: d.current_version_id }).first();
      try {
        const { rows, total } = await queryRows(
          db, current.table_name, dataset.columns,
          { limit: PREVIEW_ROWS, offset: (p.page - 1) * PREVIEW_ROWS, sort: p.sort, q: p.q, filter },
          current.row_count,
        );
        preview = {
          header: dataset.columns.map((c) => {
            const dir = p.sort === c.name ? 'asc' : p.sort === `-${c.name}` ? 'desc' : null;
            return { name: c.name, label: c.label, dir, href: previewHref(d.slug, { ...state, sort: dir === 'asc' ? `-${c.name}` : c.name }) };
          }),
          rows: rows.map((row) =>
            dataset.columns.map((c) => ({
              value: row[c.name],
              type: c.type,
              href: c.role !== 'measure' && row[c.name] !== null ? previewHref(d.slug, { ...state, filter: { ...state.filter, [c.name]: String(row[c.name]) } }) : null,
            })),
          ),
          pager: pagination(p.page, total, PREVIEW_ROWS),
          filters: Object.entries(state.filter).map(([k, v]) => {
            const rest = { ...state.filter };
            delete rest[k];
            return { column: k, value: String(v), href: previewHref(d.slug, { ...state, filter: rest }) };
          }),
          pageQuery: { ...(p.sort ? { sort: p.sort } : {}), ...(p.q ? { q: p.q } : {}), ...Object.fromEntries(Object.entries(state.filter).map(([k, v]) => [`filter[${k}]`, String(v)])) },
        };
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 400) throw err;
        preview = { header: [], rows: [], pager: pagination(1, 0, PREVIEW_ROWS), filters: [], pageQuery: {}, error: userMessage(err, req.lang), reset: `/dataset/${d.slug}#pratinjau` };
      }
    }
    const base = baseUrl(services, req);
    if (live && countable(req)) services.usage.view(d.id, 'page');
    res.render('datasets/show', {
      title: dataset.display.title,
      dataset,
      canManage: canViewWork(req.actor, d),
      live,
      chart: live ? chartSpec(dataset.columns) : null,
      preview,
      q: p.q ?? '',
      hiddenState: [
        ...(p.sort ? [{ name: 'sort', value: p.sort }] : []),
        ...Object.entries(state.filter).map(([k, v]) => ({ name: `filter[${k}]`, value: String(v) })),
      ],
      apiRows: `${base}/api/v1/datasets/${dataset.slug}/rows?limit=100`,
      apiDataset: `${base}/api/v1/datasets/${dataset.slug}`,
      ckanSearch: `${base}/api/v1/datasets?q=${encodeURIComponent(dataset.title.split(' ')[0])}`,
    });
  });

  r.get('/organization', async (req, res) => {
    const orgs = await listOrganizations(db);
    res.render('organizations/index', {
      title: res.locals.t('org.title'),
      organizations: orgs.map((o) => presentOrganization(o, { dataset_count: o.dataset_count })),
    });
  });

  r.get('/organization/:slug', async (req, res) => {
    const org = await db('organizations').where({ slug: req.params.slug }).first();
    if (!org) throw new NotFound('Organisasi tidak ditemukan.', 'Organization not found.');
    const { rows } = await searchDatasets(db, req.actor, { organization: org.slug, page: 1, per_page: 100, sort: 'title' });
    res.render('organizations/show', {
      title: org.name,
      organization: presentOrganization(org),
      datasets: rows.map((d) => presentDataset(d, opts(req))),
    });
  });

  r.get('/topic/:slug', async (req, res) => {
    const topic = await db('topics').where({ slug: req.params.slug }).first();
    if (!topic) throw new NotFound('Topik tidak ditemukan.', 'Topic not found.');
    const { rows } = await searchDatasets(db, req.actor, { topic: topic.slug, page: 1, per_page: 100, sort: 'title' });
    const t = presentTopic(topic, req.lang);
    res.render('topics/show', { title: t.name, topic: t, datasets: rows.map((d) => presentDataset(d, opts(req))) });
  });

  r.get('/api/docs', (req, res) => {
    const doc = openApiDocument(baseUrl(services, req));
    const endpoints = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops as Record<string, { summary: string; security?: unknown }>).map(([method, op]) => ({
        method: method.toUpperCase(),
        path: `/api/v1${path}`,
        summary: op.summary,
        secured: Boolean(op.security),
      })),
    );
    res.render('api/docs', { title: 'API', endpoints, base: baseUrl(services, req) });
  });

  /** A dataset taken off the public site: say so (410) instead of pretending it never existed. */
  async function retractedNotice(req: Request, res: Response, slug: string) {
    const d = await datasetQuery(db).where('d.slug', slug).where('d.access_level', 'terbuka').whereNotNull('d.retracted_at').whereNotNull('d.current_version_id').first();
    if (!d) throw datasetNotFound();
    res.status(410).render('datasets/retracted', { title: d.title, dataset: presentDataset(d, opts(req)) });
  }

  return r;
}
