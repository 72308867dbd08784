import express, { type Request, type Router } from 'express';
import { perform, preflight, readOnlyToken, untrusted } from '../../actions/action';
import { mayWrite } from '../../policies/actor';
import { listTokens } from '../../queries/tokens';
import { presentToken } from '../../presenters/token';
import { createDataset, updateDataset } from '../../actions/datasets';
import { issueToken, revokeToken, signIn } from '../../actions/accounts';
import { reloadVersion, reviewVersion, submitVersion, uploadVersion, withdrawVersion } from '../../actions/versions';
import { actorForCredentials } from '../../auth/actors';
import { Invalid, TooMany, Unauthenticated } from '../../errors';
import { signInLimitsOf, waitMessage } from '../../auth/sign-in-limits';
import { loadOptionsSchema } from '../../ingest/options';
import { presentOrganization, presentTopic } from '../../presenters/catalog';
import { presentDataset, presentDatasetDetail } from '../../presenters/dataset';
import { presentColumn, presentVersion } from '../../presenters/version';
import { listOrganizations, listTopics } from '../../queries/catalog';
import { datasetActivity } from '../../queries/activity';
import { findDataset, findVersion, listVersions, versionColumns } from '../../queries/datasets';
import { searchDatasets } from '../../queries/search';
import { reviewQueue } from '../../queries/review';
import { versionDiff } from '../../queries/version-diff';
import { aggregateRows, queryRows } from '../../queries/rows';
import { versionCacheKey } from '../../queries/version-cache';
import type { Services } from '../../services';
import { filterParam, parseInput } from '../parse';
import { optionsFromFields, uploadFile, withUpload, type UploadGuard } from '../upload';
import { baseUrl } from '../base-url';
import { cachedJsonReads } from '../http-cache';
import { openApiDocument } from './openapi';
import { unfiltered } from '../search';
import { aggregateQuery, createDatasetBody, diffQuery, reviewBody, rowsQuery, searchQuery, tokenBody, versionNumber } from './contract';
import { changesRouter } from './feeds';
import { setDatasetAutomation } from '../../actions/automation';
import { managementApi } from './management';
import { sourcesApi } from './sources';
import { webhooksApi } from './webhooks';
import { harvestApi } from './harvest';

/** The read and write JSON API of SPEC §5 (`/api/v1`). */
export function apiRouter(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  r.use(express.json({ limit: '1mb' }));
  // Reads carry strong validators and answer 304 (HTTP manners, issue 9), like the other interfaces.
  r.use(cachedJsonReads());
  // Writes need a bearer token: a browser session cookie alone never changes state here (no CSRF).
  r.use((req, _res, next) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
    // Making a token with an e-mail and password is how a client begins: it needs no token.
    const signingIn = req.method === 'POST' && req.path === '/tokens' && typeof req.body?.password === 'string';
    if (signingIn) return next();
    if (req.authVia === 'token') return next(mayWrite(req.actor) ? undefined : readOnlyToken());
    if (req.authVia === 'session') {
      throw new Unauthenticated(
        'Penulisan melalui API memerlukan token (Authorization: Bearer …); sesi peramban tidak berlaku.',
        'Writing through the API needs a token (Authorization: Bearer …); a browser session does not count.',
      );
    }
    next();
  });
  const opts = (req: Request) => ({ base: baseUrl(services, req), lang: req.lang });
  const act = <T>(req: Request, fn: (ip?: string) => Promise<T>) => fn(req.ip);

  r.get('/datasets', async (req, res) => {
    const p = parseInput(searchQuery, req.query);
    // The API never answers other words than asked: a near spelling is only offered.
    const { rows, total, facets, suggestion } = await searchDatasets(db, req.actor, p, { lang: req.lang, suggestions: 'offer' });
    if (total === 0 && p.q?.trim() && unfiltered(p)) services.usage.searchMiss({ term: p.q, lang: req.lang, source: 'api', suggestion: suggestion?.q });
    res.json({
      data: rows.map((d) => presentDataset(d, opts(req))),
      meta: { total, page: p.page, per_page: p.per_page, ...(suggestion ? { suggestion: suggestion.q } : {}) },
      facets,
    });
  });

  r.get('/datasets/:slug', async (req, res) => {
    const d = await findDataset(db, req.actor, req.params.slug);
    const columns = d.current_version_id ? await versionColumns(db, d.current_version_id) : [];
    const versions = await listVersions(db, req.actor, d);
    res.locals.lastModified = d.updated_at;
    res.json({ data: presentDatasetDetail(d, columns, versions, opts(req)) });
  });

  const rowsHandler = (current: boolean) => async (req: Request, res: express.Response) => {
    const p = parseInput(rowsQuery, req.query);
    const n = current ? undefined : parseInput(versionNumber, req.params.n);
    const { version } = await findVersion(db, req.actor, String(req.params.slug), n);
    const columns = (await versionColumns(db, version.id)).map(presentColumn);
    const filter = filterParam(req.query.filter);
    const { rows, total } = await queryRows(db, version.table_name, columns, { ...p, filter }, version.row_count, versionCacheKey(version));
    res.json({ data: rows, meta: { total, limit: p.limit, offset: p.offset }, columns });
  };
  r.get('/datasets/:slug/rows', rowsHandler(true));
  r.get('/datasets/:slug/versions/:n/rows', rowsHandler(false));

  r.get('/datasets/:slug/aggregate', async (req, res) => {
    const p = parseInput(aggregateQuery, req.query);
    const { version } = await findVersion(db, req.actor, req.params.slug);
    const columns = (await versionColumns(db, version.id)).map(presentColumn);
    const group = p.group.split(',').map((s) => s.trim()).filter(Boolean);
    const data = await aggregateRows(db, version.table_name, columns, { ...p, group, filter: filterParam(req.query.filter) }, versionCacheKey(version));
    res.json({ data, meta: { group, measure: p.measure ?? null, fn: p.fn, version: Number(version.number) } });
  });

  r.get('/datasets/:slug/versions/:n', async (req, res) => {
    const n = parseInput(versionNumber, req.params.n);
    const { dataset, version } = await findVersion(db, req.actor, req.params.slug, n);
    const columns = await versionColumns(db, version.id);
    res.json({ data: presentVersion(version, columns, dataset.slug, baseUrl(services, req)) });
  });

  r.get('/datasets/:slug/versions/:n/diff', async (req, res) => {
    const n = parseInput(versionNumber, req.params.n);
    const p = parseInput(diffQuery, req.query);
    const key = p.key?.split(',').map((s) => s.trim()).filter(Boolean);
    const data = await versionDiff(db, req.actor, req.params.slug, n, { key: key?.length ? key : undefined, cells_limit: p.cells_limit, cells_offset: p.cells_offset });
    res.json({ data });
  });

  r.get('/datasets/:slug/activity', async (req, res) => {
    const events = await datasetActivity(db, req.actor, req.params.slug);
    res.json({ data: events });
  });

  r.get('/organizations', async (req, res) => {
    const orgs = await listOrganizations(db);
    res.json({ data: orgs.map((o) => presentOrganization(o, { dataset_count: o.dataset_count })) });
  });

  r.get('/topics', async (req, res) => {
    const topics = await listTopics(db);
    res.json({ data: topics.map((t) => presentTopic(t, req.lang, { dataset_count: t.dataset_count })) });
  });

  r.get('/openapi.json', (req, res) => {
    res.json(openApiDocument(baseUrl(services, req)));
  });

  const limits = signInLimitsOf(services);
  r.post('/tokens', async (req, res) => {
    const body = parseInput(tokenBody, req.body ?? {});
    const expires_at = body.expires_at ?? (body.expires_in_days ? new Date(Date.now() + body.expires_in_days * 86_400_000) : undefined);
    const wanted = { name: body.name ?? 'API', scope: body.scope, expires_at };
    // With e-mail and password: a client signing in. Without: a token holder making another for itself.
    let actor = req.actor;
    if (body.password !== undefined) {
      const email = body.email ?? '';
      const wait = await limits.check(req.ip ?? '', email);
      if (wait) {
        res.set('Retry-After', String(wait.retryAfterSeconds));
        const m = waitMessage(wait);
        throw new TooMany('rate_limited', m.id, m.en, { retry_after: wait.retryAfterSeconds });
      }
      actor = await actorForCredentials(db, email, body.password, services.config.scryptLogN);
      if (!actor) {
        await limits.failed(req.ip ?? '', email);
        throw new Unauthenticated('Email atau kata sandi salah.', 'Wrong email or password.');
      }
      await limits.succeeded(email);
    } else if (req.authVia !== 'token' || !actor) {
      throw new Unauthenticated('Kirim "email" dan "password", atau masuk dengan token (Authorization: Bearer …).', 'Send "email" and "password", or authenticate with a token (Authorization: Bearer …).');
    }
    const out = await act(req, (ip) => perform(issueToken, actor, untrusted({ email: actor.email, ...wanted }), services, { ip }));
    if (body.password !== undefined) await perform(signIn, actor, { via: 'api' }, services, { ip: req.ip });
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ token: out.token, data: { id: out.id, name: out.name, prefix: out.prefix, scope: out.scope, expires_at: out.expires_at, created_at: out.created_at } });
  });

  r.get('/tokens', async (req, res) => {
    if (!req.actor?.id) throw new Unauthenticated();
    const rows = await listTokens(db, { userId: req.actor.id });
    res.json({ data: rows.map(presentToken) });
  });

  r.delete('/tokens/:id', async (req, res) => {
    const out = await act(req, (ip) => perform(revokeToken, req.actor, untrusted({ id: req.params.id }), services, { ip }));
    res.json({ data: out });
  });

  r.post('/datasets', async (req, res) => {
    const input = parseInput(createDatasetBody, req.body);
    const ds = await act(req, (ip) => perform(createDataset, req.actor, input, services, { ip }));
    const d = await findDataset(db, req.actor, ds.slug);
    res.status(201).json({ data: presentDataset(d, opts(req)) });
  });

  r.patch('/datasets/:slug', async (req, res) => {
    const { auto_submit, auto_publish, ...fields } = (typeof req.body === 'object' && req.body ? req.body : {}) as Record<string, unknown>;
    // The automation settings are their own action (the walidata's alone for auto_publish): asked first, so a refusal changes nothing.
    const automation = auto_submit !== undefined || auto_publish !== undefined;
    if (automation) await act(req, (ip) => perform(setDatasetAutomation, req.actor, untrusted({ slug: req.params.slug, auto_submit, auto_publish }), services, { ip }));
    if (Object.keys(fields).length || !automation) await act(req, (ip) => perform(updateDataset, req.actor, { ...fields, slug: req.params.slug }, services, { ip }));
    const d = await findDataset(db, req.actor, req.params.slug);
    res.json({ data: presentDataset(d, opts(req)) });
  });

  // Who may upload here, checked before a byte of the file is kept.
  const uploadGuard: UploadGuard = {
    async allow(req) {
      if (req.authVia !== 'token') throw new Unauthenticated();
      await preflight(uploadVersion, req.actor, { slug: String(req.params.slug) }, services);
    },
  };
  r.post('/datasets/:slug/versions', uploadFile(services, uploadGuard), async (req, res) => {
    const slug = String(req.params.slug);
    const v = await withUpload(services, req, async (file) => {
      if (!file) throw new Invalid('Berkas (field "file") wajib diunggah.', 'A file (field "file") is required.');
      const options = optionsFromFields(req.body ?? {});
      const idempotency_key = req.get('idempotency-key') || undefined;
      return act(req, (ip) => perform(uploadVersion, req.actor, untrusted({ slug, file, options, idempotency_key }), services, { ip }));
    });
    const { dataset, version } = await findVersion(db, req.actor, slug, v.number);
    const columns = await versionColumns(db, version.id);
    const status = v.reused ? 200 : version.state === 'processing' ? 202 : 201;
    res.status(status).json({ data: presentVersion(version, columns, dataset.slug, baseUrl(services, req)) });
  });

  const transition = (name: 'submit' | 'withdraw') => async (req: Request, res: express.Response) => {
    const number = parseInput(versionNumber, req.params.n);
    const input = { slug: String(req.params.slug), number };
    if (name === 'submit') await perform(submitVersion, req.actor, input, services, { ip: req.ip });
    else await perform(withdrawVersion, req.actor, input, services, { ip: req.ip });
    const { dataset, version } = await findVersion(db, req.actor, String(req.params.slug), number);
    res.json({ data: presentVersion(version, await versionColumns(db, version.id), dataset.slug, baseUrl(services, req)) });
  };
  r.post('/datasets/:slug/versions/:n/submit', transition('submit'));
  r.post('/datasets/:slug/versions/:n/withdraw', transition('withdraw'));

  r.post('/datasets/:slug/versions/:n/review', async (req, res) => {
    const number = parseInput(versionNumber, req.params.n);
    const body = parseInput(reviewBody, req.body);
    const out = await act(req, (ip) => perform(reviewVersion, req.actor, untrusted({ slug: req.params.slug, number, ...body }), services, { ip }));
    const { version } = await findVersion(db, req.actor, req.params.slug, number);
    res.json({ data: { decision: out.review.decision, state: out.state, comment: out.review.comment, created_at: out.review.created_at, publish_at: out.state === 'scheduled' ? version.publish_at : null } });
  });

  r.post('/datasets/:slug/versions/:n/reload', async (req, res) => {
    const number = parseInput(versionNumber, req.params.n);
    const options = parseInput(loadOptionsSchema, req.body ?? {});
    await act(req, (ip) => perform(reloadVersion, req.actor, { slug: req.params.slug, number, options }, services, { ip }));
    const { dataset, version } = await findVersion(db, req.actor, req.params.slug, number);
    res.status(version.state === 'processing' ? 202 : 200).json({
      data: presentVersion(version, await versionColumns(db, version.id), dataset.slug, baseUrl(services, req)),
    });
  });

  r.get('/review-queue', async (req, res) => {
    if (!req.actor) throw new Unauthenticated();
    const items = await reviewQueue(db, req.actor, {});
    res.json({ data: items });
  });

  r.use(changesRouter(services));
  r.use(managementApi(services));
  r.use(sourcesApi(services));
  r.use(webhooksApi(services));
  r.use(harvestApi(services));

  r.use((req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: req.lang === 'en' ? 'Unknown API endpoint.' : 'Endpoint API tidak dikenal.' } });
  });
  return r;
}
