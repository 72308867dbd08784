import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { perform } from '../../actions/action';
import { DECISIONS, reviewVersion } from '../../actions/versions';
import { Forbidden } from '../../errors';
import { presentOrganization, presentTopic } from '../../presenters/catalog';
import { reviewQueue } from '../../queries/review';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { parseInput } from '../parse';
import { attempt, flash } from './csrf';
import { requireUser } from './guards';
import { versionView } from './version-view';

const decisionForm = z.object({
  decision: z.enum(DECISIONS),
  comment: z.string().max(10_000).default(''),
  confirm_checklist: z.literal('on').optional(),
});

/** The walidata's and pembina's queue and review page. */
export function reviewRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  r.use('/review', requireUser, (req, _res, next) => {
    if (!['walidata', 'pembina', 'admin'].includes(req.actor!.role)) throw new Forbidden();
    next();
  });

  r.get('/review', async (req, res) => {
    const filters = {
      organization: typeof req.query.organization === 'string' && req.query.organization ? req.query.organization : undefined,
      topic: typeof req.query.topic === 'string' && req.query.topic ? req.query.topic : undefined,
    };
    const [items, orgs, topics] = await Promise.all([
      reviewQueue(db, req.actor!, filters),
      db('organizations').where({ kind: 'opd' }).orderBy('name'),
      db('topics').orderBy('position'),
    ]);
    res.render('review/queue', {
      title: res.locals.t('review.queueTitle'),
      items,
      filters,
      organizations: orgs.map((o) => presentOrganization(o)),
      topics: topics.map((t) => presentTopic(t, req.lang)),
    });
  });

  r.get('/review/:slug/:n', async (req: Request, res) => {
    const n = parseInput(z.coerce.number().int().positive(), req.params.n);
    const page = Number(req.query.page) > 0 ? Number(req.query.page) : 1;
    const cellsPage = Number(req.query.cells_page) > 0 ? Number(req.query.cells_page) : 1;
    const view = await versionView(db, req.actor, String(req.params.slug), n, {
      base: baseUrl(services, req), lang: req.lang, page, diff: req.query.diff === '1', cellsPage,
    });
    res.render('review/version', {
      title: `${res.locals.t('review.title')}: ${view.dataset.title}`,
      ...view,
      cellsQuery: { ...(req.query.diff === '1' ? { diff: '1' } : {}) },
    });
  });

  r.post('/review/:slug/:n', async (req, res) => {
    const n = parseInput(z.coerce.number().int().positive(), req.params.n);
    const form = parseInput(decisionForm, req.body);
    if (form.decision === 'approve' && !form.confirm_checklist) {
      flash(req, 'error', res.locals.t('review.confirmFirst'));
      return res.redirect(303, `/review/${req.params.slug}/${n}#keputusan`);
    }
    const out = await attempt(req, () => perform(reviewVersion, req.actor, { slug: req.params.slug, number: n, decision: form.decision, comment: form.comment }, services, { ip: req.ip }));
    if (!out) return res.redirect(303, `/review/${req.params.slug}/${n}`);
    flash(req, 'ok', res.locals.t(`review.done.${form.decision}`, { state: out.state }));
    if (form.decision === 'comment') return res.redirect(303, `/review/${req.params.slug}/${n}#komentar`);
    res.redirect(303, '/review');
  });

  return r;
}
