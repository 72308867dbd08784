import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { perform } from '../../actions/action';
import { DECISIONS, publishVersionNow, reviewVersion, unscheduleVersion } from '../../actions/versions';
import { AppError, Forbidden, userMessage } from '../../errors';
import { fromLocalTime } from '../../manage/calendar';
import { presentOrganization, presentTopic } from '../../presenters/catalog';
import { listOpds, topicsInOrder } from '../../queries/catalog';
import { reviewQueue } from '../../queries/review';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { parseInput } from '../parse';
import { attempt, flash } from './csrf';
import { requireUser } from './guards';
import { presentVersionPage } from '../../presenters/version-page';
import { loadVersionPage } from '../../queries/version-page';
import { canUseReviewQueue } from '../../policies/review';

const decisionForm = z.object({
  decision: z.enum(DECISIONS),
  comment: z.string().max(10_000).default(''),
  confirm_checklist: z.literal('on').optional(),
  override_reason: z.string().max(5_000).default(''),
  /** `YYYY-MM-DDTHH:MM` from a datetime-local field, in the portal's zone (TIME_ZONE). */
  publish_at_local: z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/), z.literal('')]).default(''),
});

/** The walidata's and pembina's queue and review page. */
export function reviewRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  r.use('/review', requireUser, (req, _res, next) => {
    if (!canUseReviewQueue(req.actor)) throw new Forbidden();
    next();
  });

  r.get('/review', async (req, res) => {
    const filters = {
      organization: typeof req.query.organization === 'string' && req.query.organization ? req.query.organization : undefined,
      topic: typeof req.query.topic === 'string' && req.query.topic ? req.query.topic : undefined,
    };
    const [items, orgs, topics] = await Promise.all([
      reviewQueue(db, req.actor!, filters),
      listOpds(db),
      topicsInOrder(db),
    ]);
    res.render('review/queue', {
      title: res.locals.t('review.queueTitle'),
      items,
      filters,
      organizations: orgs.map((o) => presentOrganization(o)),
      topics: topics.map((t) => presentTopic(t, req.lang)),
    });
  });

  /** Renders the review page; after a refused decision, with what was typed and the error at its field. */
  async function renderVersion(req: Request, res: Response, n: number, extra: { form?: Record<string, unknown>; fieldErrors?: Record<string, string>; formError?: string } = {}, status = 200) {
    const page = Number(req.query.page) > 0 ? Number(req.query.page) : 1;
    const cellsPage = Number(req.query.cells_page) > 0 ? Number(req.query.cells_page) : 1;
    const against = Number(req.query.banding) > 0 ? Number(req.query.banding) : undefined;
    const loaded = await loadVersionPage(db, req.actor, String(req.params.slug), n, { timeZone: services.config.timeZone, page, diff: req.query.diff === '1', cellsPage, against });
    const view = presentVersionPage(loaded, req.actor, { base: baseUrl(services, req), lang: req.lang });
    const failing = view.checklist.filter((c) => c.verdict === 'fail');
    res.status(status).render('review/version', {
      title: `${res.locals.t('review.title')}: ${view.dataset.title}`,
      ...view,
      failing,
      form: extra.form ?? {},
      fieldErrors: extra.fieldErrors ?? {},
      formError: extra.formError,
      cellsQuery: { ...(req.query.diff === '1' ? { diff: '1' } : {}), ...(against ? { banding: String(against) } : {}) },
    });
  }

  r.get('/review/:slug/:n', async (req: Request, res) => {
    const n = parseInput(z.coerce.number().int().positive(), req.params.n);
    await renderVersion(req, res, n);
  });

  r.post('/review/:slug/:n', async (req, res) => {
    const n = parseInput(z.coerce.number().int().positive(), req.params.n);
    const form = parseInput(decisionForm, req.body);
    const t = res.locals.t;
    const slug = String(req.params.slug);
    const fieldErrors: Record<string, string> = {};
    let publishAt: string | undefined;
    if (form.decision !== 'comment') {
      if (form.decision === 'approve' && !form.confirm_checklist) fieldErrors.confirm_checklist = t('review.confirmFirst');
      if ((form.decision === 'request_changes' || form.decision === 'reject') && !form.comment.trim()) fieldErrors.comment = t('review.commentRequired');
      if (form.publish_at_local) {
        if (form.decision !== 'approve') fieldErrors.publish_at = t('review.scheduleApproveOnly');
        else {
          const at = fromLocalTime(form.publish_at_local, services.config.timeZone);
          if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) fieldErrors.publish_at = t('review.scheduleFuture');
          else publishAt = at.toISOString();
        }
      }
      if (form.decision === 'approve' && !form.override_reason.trim()) {
        const view = presentVersionPage(await loadVersionPage(db, req.actor, slug, n, { timeZone: services.config.timeZone }), req.actor, { base: baseUrl(services, req), lang: req.lang });
        if (view.checklist.some((c) => c.verdict === 'fail')) fieldErrors.override_reason = t('review.overrideRequired');
      }
    }
    if (Object.keys(fieldErrors).length) return renderVersion(req, res, n, { form, fieldErrors }, 400);
    try {
      const out = await perform(
        reviewVersion,
        req.actor,
        { slug, number: n, decision: form.decision, comment: form.comment, ...(publishAt ? { publish_at: publishAt } : {}), ...(form.override_reason.trim() ? { override_reason: form.override_reason } : {}) },
        services,
        { ip: req.ip },
      );
      flash(req, 'ok', t(`review.done.${form.decision}`, { state: t(`state.${out.state}`) }));
      if (form.decision === 'comment') return res.redirect(303, `/review/${slug}/${n}#komentar`);
      res.redirect(303, '/review');
    } catch (err) {
      if (!(err instanceof AppError) || ![400, 409].includes(err.status)) throw err;
      const path = Array.isArray(err.details) ? (err.details[0] as { path?: string })?.path : undefined;
      const message = userMessage(err, req.lang);
      const field = path === 'publish_at' || path === 'comment' || path === 'override_reason' ? path : null;
      return renderVersion(req, res, n, { form, ...(field ? { fieldErrors: { [field]: message } } : { formError: message }) }, err.status);
    }
  });

  // The release calendar: take a scheduled version back, or publish it at once.
  for (const [path, action, done] of [['unschedule', unscheduleVersion, 'review.unscheduled'], ['publish-now', publishVersionNow, 'review.publishedNow']] as const) {
    r.post(`/review/:slug/:n/${path}`, async (req, res) => {
      const n = parseInput(z.coerce.number().int().positive(), req.params.n);
      const ok = await attempt(req, () => perform(action, req.actor, { slug: String(req.params.slug), number: n }, services, { ip: req.ip }));
      if (ok) flash(req, 'ok', res.locals.t(done));
      res.redirect(303, typeof req.body.next === 'string' && req.body.next === '/manage' ? '/manage' : `/review/${req.params.slug}/${n}`);
    });
  }

  return r;
}
