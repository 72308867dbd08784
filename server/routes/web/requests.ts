import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { perform, untrusted } from '../../actions/action';
import { ANSWERS, REQUEST_STATES, answerRequest, createRequest, hideRequest, routeRequest } from '../../actions/requests';
import { AppError, Forbidden, Invalid, NotFound, userMessage } from '../../errors';
import { requesterActor } from '../../policies/actor';
import { canAnswerRequest, canRouteRequest, canSeeRequestContact, canViewRequest, canUseRequestWorkspace } from '../../policies/requests';
import { presentRequest, presentRequestHandling, presentRequestList } from '../../presenters/request';
import { findRequest, listRequests, openDatasetTitle, requestCounts, requestHandleChoices } from '../../queries/requests';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { parseInput } from '../parse';
import { csrfToken, flash } from './csrf';
import { requireUser } from './guards';

const PER_PAGE = 20;
/** A person takes longer than this to fill the form; a bot does not. */
const MIN_FILL_MS = 3000;

const listQuery = z.object({
  status: z.enum(REQUEST_STATES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
  dataset: z.string().max(120).optional().catch(undefined),
});

/** A signed "form shown at" stamp: the anti-spam check that the form was not filled in at once. */
function formStamp(secret: string, at = Date.now()): string {
  return `${at}.${crypto.createHmac('sha256', secret).update(`permintaan:${at}`).digest('hex').slice(0, 32)}`;
}
function stampAge(secret: string, stamp: unknown): number | null {
  if (typeof stamp !== 'string') return null;
  const [at, mac] = stamp.split('.');
  if (!at || !mac || formStamp(secret, Number(at)) !== stamp) return null;
  return Date.now() - Number(at);
}

/** Public data requests (`/permintaan`) and the workspace where the walidata routes them and OPDs answer. */
export function requestRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const base = (req: Request) => baseUrl(services, req);
  const secret = services.config.sessionSecret;

  async function listPage(req: Request, res: Response, form: { values?: Record<string, unknown>; error?: string; errors?: unknown } = {}, status = 200) {
    const q = parseInput(listQuery, req.query);
    const [{ rows, total }, counts] = await Promise.all([listRequests(db, req.actor, { state: q.status, page: q.page, per_page: PER_PAGE }), requestCounts(db)]);
    const dataset = q.dataset ? await openDatasetTitle(db, q.dataset) : null;
    res.status(status).render('requests/index', {
      title: res.locals.t('requests.title'),
      ...presentRequestList({ rows, total }, q, { base: base(req), perPage: PER_PAGE }),
      counts,
      stamp: formStamp(secret),
      // The form posts a CSRF token even for the public: the session exists once the form is shown.
      formCsrf: csrfToken(req),
      feedbackOn: dataset,
      values: form.values ?? {},
      formError: form.error,
      formErrors: form.errors,
    });
  }

  r.get('/permintaan', (req, res) => listPage(req, res));

  r.post('/permintaan', async (req, res) => {
    const body = req.body ?? {};
    const values = { title: body.title, description: body.description, purpose: body.purpose, name: body.name, email: body.email, kind: body.kind === 'masukan' ? 'masukan' : 'permintaan', dataset: body.dataset || undefined, website: body.website ?? '' };
    try {
      const age = stampAge(secret, body.stamp);
      if (age === null || age < MIN_FILL_MS || age > 86_400_000) {
        throw new Invalid('Formulir terisi terlalu cepat atau kedaluwarsa; periksa isinya lalu kirim lagi.', 'The form was filled in too fast or has expired; check it and send it again.', [{ path: 'stamp', message: 'timing' }]);
      }
      const out = await perform(createRequest, req.actor ?? requesterActor, untrusted(values), services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('requests.thanks', { id: out.id }));
      res.redirect(303, `/permintaan/${out.id}`);
    } catch (err) {
      if (!(err instanceof AppError) || ![400, 429].includes(err.status)) throw err;
      await listPage(req, res, { values, error: userMessage(err, req.lang), errors: err.details }, err.status);
    }
  });

  r.get('/permintaan/:id', async (req, res) => {
    const id = parseInput(z.coerce.number().int().positive(), req.params.id);
    const row = await findRequest(db, id);
    if (!row || !canViewRequest(req.actor, row)) throw new NotFound('Permintaan tidak ditemukan.', 'Request not found.');
    res.render('requests/show', {
      title: row.title,
      request: presentRequest(row, { base: base(req), contact: false }),
      canHandle: canAnswerRequest(req.actor, row),
    });
  });

  // The workspace: the walidata sees every request; an OPD's producers those routed to them.
  r.use('/manage/permintaan', requireUser, (req, _res, next) => {
    if (!canUseRequestWorkspace(req.actor)) throw new Forbidden();
    next();
  });

  r.get('/manage/permintaan', async (req, res) => {
    const q = parseInput(listQuery, req.query);
    const all = canRouteRequest(req.actor);
    const { rows, total } = await listRequests(db, req.actor, { state: q.status, page: q.page, per_page: PER_PAGE, workspace: true, organizationId: all ? undefined : (req.actor!.organizationId ?? -1) });
    res.render('requests/manage', {
      title: res.locals.t('requests.manageTitle'),
      ...presentRequestList({ rows, total }, q, { base: base(req), contact: true, perPage: PER_PAGE }),
      all,
    });
  });

  r.get('/manage/permintaan/:id', async (req, res) => {
    const id = parseInput(z.coerce.number().int().positive(), req.params.id);
    const row = await findRequest(db, id);
    if (!row || !canSeeRequestContact(req.actor, row)) throw new NotFound('Permintaan tidak ditemukan.', 'Request not found.');
    const choices = await requestHandleChoices(db, req.actor, row.organization_id);
    res.render('requests/handle', { ...presentRequestHandling(row, choices, req.actor, base(req)), answers: ANSWERS });
  });

  r.post('/manage/permintaan/:id', async (req, res) => {
    const id = parseInput(z.coerce.number().int().positive(), req.params.id);
    const body = req.body ?? {};
    try {
      if (body.action === 'route') await perform(routeRequest, req.actor, untrusted({ id, organization: body.organization, note: body.note ?? '' }), services, { ip: req.ip });
      else if (body.action === 'hide' || body.action === 'unhide') await perform(hideRequest, req.actor, untrusted({ id, hide: body.action === 'hide', reason: body.reason ?? '' }), services, { ip: req.ip });
      else await perform(answerRequest, req.actor, untrusted({ id, state: body.state, answer: body.answer ?? '', url: body.url ?? '', dataset: body.dataset || undefined, planned_for: body.planned_for ?? '' }), services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('requests.saved'));
    } catch (err) {
      if (!(err instanceof AppError) || ![400, 409].includes(err.status)) throw err;
      flash(req, 'error', userMessage(err, req.lang));
    }
    res.redirect(303, `/manage/permintaan/${id}`);
  });

  return r;
}
