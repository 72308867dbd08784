import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { perform, preflight, untrusted } from '../../actions/action';
import { createDataset, retractDataset, updateDataset } from '../../actions/datasets';
import { MS_IND_FIELDS } from '../../actions/schemas';
import { reloadVersion, reviewVersion, submitVersion, uploadVersion, withdrawVersion } from '../../actions/versions';
import { AppError, BadCsrf, Forbidden, Invalid, Unauthenticated, userMessage } from '../../errors';
import { loadOptionsSchema } from '../../ingest/options';
import { canUseProducerWorkspace } from '../../policies/dataset';
import type { DatasetJoinedRow } from '../../db/rows';
import { datasetFormChoices, loadWorkList, loadWorkPage } from '../../queries/dashboard';
import { presentDatasetForm, presentDatasetFormValues, presentWorkList, presentWorkPage } from '../../presenters/workspace';
import { findWork } from '../../queries/datasets';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { optionsFromFields, uploadFile, withUpload, type UploadGuard } from '../upload';
import { requireUser } from './guards';
import { parseInput } from '../parse';
import { acceptMultipart, attempt, csrfValid, flash } from './csrf';
import { presentVersionPage } from '../../presenters/version-page';
import { loadVersionPage } from '../../queries/version-page';

/** The dataset form's fields → the create/update action's input. */
export function datasetInputFromForm(body: Record<string, unknown>) {
  const metadata: Record<string, string> = {};
  for (const f of MS_IND_FIELDS) {
    const v = body[`metadata_${f}`];
    if (typeof v === 'string') metadata[f] = v;
  }
  const str = (k: string) => (typeof body[k] === 'string' ? body[k] : undefined);
  return {
    title: str('title'),
    description: str('description') ?? '',
    title_en: str('title_en'),
    description_en: str('description_en'),
    topic: str('topic'),
    tags: (str('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    frequency: str('frequency'),
    license: str('license') || undefined,
    access_level: str('access_level'),
    statistics_class: str('statistics_class') || undefined,
    // A locked (disabled) checkbox sends nothing: the flag is then left as it is.
    prioritas: body.prioritas_shown === '1' ? body.prioritas === 'on' || body.prioritas === 'true' : undefined,
    source: str('source'),
    contact_name: str('contact_name'),
    contact_email: str('contact_email'),
    methodology_note: str('methodology_note'),
    metadata,
  };
}

const versionNumber = z.coerce.number().int().positive();

/** The producer's workspace: their OPD's datasets, forms, uploads and version previews. */
export function dashboardRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const opts = (req: Request) => ({ base: baseUrl(services, req), lang: req.lang, timeZone: services.config.timeZone });
  r.use('/dashboard', requireUser);

  const formContext = async (req: Request, d?: DatasetJoinedRow) => presentDatasetForm(await datasetFormChoices(db, req.actor), req.actor, req.lang, d);

  r.get('/dashboard', async (req, res) => {
    res.render('dashboard/index', { title: res.locals.t('dashboard.title'), ...presentWorkList(await loadWorkList(db, req.actor), opts(req)) });
  });

  r.post('/dashboard/datasets/:slug/retract', async (req, res) => {
    const retract = req.body.action !== 'restore';
    const done = await attempt(req, () => perform(retractDataset, req.actor, { slug: req.params.slug, retract, reason: String(req.body.reason ?? '') }, services, { ip: req.ip }));
    if (done) flash(req, 'ok', res.locals.t(retract ? 'dashboard.retracted' : 'dashboard.restored'));
    res.redirect(303, `/dashboard/datasets/${req.params.slug}`);
  });

  r.get('/dashboard/datasets/new', async (req, res) => {
    if (!canUseProducerWorkspace(req.actor)) throw new Forbidden();
    res.render('dashboard/dataset-form', { title: res.locals.t('dashboard.newDataset'), ...(await formContext(req)), values: { frequency: 'tahunan', statistics_class: 'sektoral', access_level: 'terbuka', license: 'CC-BY-4.0', metadata: {} } });
  });

  r.post('/dashboard/datasets', async (req, res) => {
    const input = { ...datasetInputFromForm(req.body), organization: String(req.body.organization ?? '') };
    try {
      const ds = await perform(createDataset, req.actor, untrusted(input), services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('dashboard.created'));
      res.redirect(303, `/dashboard/datasets/${ds.slug}`);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      res.status(400).render('dashboard/dataset-form', {
        title: res.locals.t('dashboard.newDataset'),
        ...(await formContext(req)),
        values: { ...input, tags: input.tags.join(', ') },
        errors: err.details,
      });
    }
  });

  r.get('/dashboard/datasets/:slug', async (req, res) => {
    const page = await loadWorkPage(db, req.actor, req.params.slug);
    res.render('dashboard/dataset', presentWorkPage(page, req.actor, { ...opts(req), maxUploadBytes: services.config.maxUploadBytes }));
  });

  r.get('/dashboard/datasets/:slug/edit', async (req, res) => {
    const d = await findWork(db, req.actor, req.params.slug);
    res.render('dashboard/dataset-form', { title: res.locals.t('dashboard.editDataset'), ...(await formContext(req, d)), editing: true, slug: d.slug, values: presentDatasetFormValues(d, opts(req)) });
  });

  r.post('/dashboard/datasets/:slug/edit', async (req, res) => {
    const input = datasetInputFromForm(req.body);
    const d = await findWork(db, req.actor, req.params.slug);
    try {
      await perform(updateDataset, req.actor, untrusted({ ...input, slug: req.params.slug }), services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('dashboard.saved'));
      res.redirect(303, `/dashboard/datasets/${req.params.slug}`);
    } catch (err) {
      if (!(err instanceof Invalid) && !(err instanceof AppError && err.status === 409)) throw err;
      res.status(err.status).render('dashboard/dataset-form', {
        title: res.locals.t('dashboard.editDataset'),
        ...(await formContext(req, d)),
        editing: true,
        slug: req.params.slug,
        values: { ...input, tags: input.tags.join(', ') },
        errors: err.details,
        error: userMessage(err, req.lang),
      });
    }
  });

  // A file is kept only for a signed-in producer of this dataset whose form carries its token.
  const uploadGuard: UploadGuard = {
    async allow(req) {
      if (!req.actor) throw new Unauthenticated();
      await preflight(uploadVersion, req.actor, { slug: String(req.params.slug) }, services);
    },
    atFile(req) {
      if (!csrfValid(req)) throw new BadCsrf();
    },
  };
  acceptMultipart(/^\/dashboard\/datasets\/[^/]+\/versions$/);
  r.post('/dashboard/datasets/:slug/versions', uploadFile(services, uploadGuard), async (req, res) => {
    const slug = String(req.params.slug);
    // A form without a file never reached the guard's token check: check it here.
    if (!csrfValid(req)) throw new BadCsrf();
    const v = await withUpload(services, req, async (file) => {
      if (!file) return null;
      const options = optionsFromFields(req.body ?? {});
      return perform(uploadVersion, req.actor, untrusted({ slug, file, options }), services, { ip: req.ip });
    });
    if (!v) {
      flash(req, 'error', res.locals.t('upload.noFile'));
      return res.redirect(303, `/dashboard/datasets/${slug}`);
    }
    if (v.reused) flash(req, 'ok', res.locals.t('upload.sameFile', { number: v.number }));
    res.redirect(303, `/dashboard/datasets/${slug}/versions/${v.number}`);
  });

  r.get('/dashboard/datasets/:slug/versions/:n', async (req, res) => {
    const n = parseInput(versionNumber, req.params.n);
    const page = Number(req.query.page) > 0 ? Number(req.query.page) : 1;
    const cellsPage = Number(req.query.cells_page) > 0 ? Number(req.query.cells_page) : 1;
    const view = presentVersionPage(await loadVersionPage(db, req.actor, req.params.slug, n, { ...opts(req), page, diff: req.query.diff === '1', cellsPage, against: Number(req.query.banding) > 0 ? Number(req.query.banding) : undefined }), req.actor, opts(req));
    res.render('dashboard/version', {
      title: `${view.dataset.title} — v${view.version.number}`,
      ...view,
      processing: view.version.state === 'processing',
      cellsQuery: { ...(req.query.diff === '1' ? { diff: '1' } : {}) },
    });
  });

  const act = (name: 'submit' | 'withdraw') => async (req: Request, res: Response) => {
    const number = parseInput(versionNumber, req.params.n);
    const input = { slug: String(req.params.slug), number };
    const done = await attempt<unknown>(req, () => (name === 'submit' ? perform(submitVersion, req.actor, input, services, { ip: req.ip }) : perform(withdrawVersion, req.actor, input, services, { ip: req.ip })), [409]);
    if (done) flash(req, 'ok', res.locals.t(name === 'submit' ? 'version.submitted' : 'version.withdrawn'));
    res.redirect(303, `/dashboard/datasets/${input.slug}/versions/${number}`);
  };
  r.post('/dashboard/datasets/:slug/versions/:n/submit', act('submit'));
  r.post('/dashboard/datasets/:slug/versions/:n/withdraw', act('withdraw'));

  r.post('/dashboard/datasets/:slug/versions/:n/reload', async (req, res) => {
    const number = parseInput(versionNumber, req.params.n);
    const body = req.body ?? {};
    const columns: Record<string, Record<string, string>> = {};
    for (const [k, v] of Object.entries(body)) {
      const m = /^col_(type|role|unit)_(.+)$/.exec(k);
      if (m && typeof v === 'string' && v !== '') (columns[m[2]] ??= {})[m[1]] = v;
    }
    const options = parseInput(loadOptionsSchema, {
      ...optionsFromFields({ encoding: body.encoding, delimiter: body.delimiter, decimal: body.decimal, sheet: body.sheet }),
      columns,
      reshape: body.reshape === 'on' ? { var_name: 'tahun', value_name: 'nilai' } : undefined,
    });
    await perform(reloadVersion, req.actor, { slug: req.params.slug, number, options }, services, { ip: req.ip });
    res.redirect(303, `/dashboard/datasets/${req.params.slug}/versions/${number}`);
  });

  r.post('/dashboard/datasets/:slug/versions/:n/comment', async (req, res) => {
    const number = parseInput(versionNumber, req.params.n);
    await attempt(req, () => perform(reviewVersion, req.actor, { slug: req.params.slug, number, decision: 'comment', comment: String(req.body.comment ?? '') }, services, { ip: req.ip }), [400]);
    res.redirect(303, `/dashboard/datasets/${req.params.slug}/versions/${number}#komentar`);
  });

  return r;
}
