import express, { type Request, type Response, type Router } from 'express';
import { perform, untrusted } from '../../actions/action';
import { createWebhook, deleteWebhook, WEBHOOK_EVENTS } from '../../actions/webhooks';
import { AppError, Forbidden, userMessage } from '../../errors';
import { canCreateWebhook, canSubscribeTo, canUseWebhookPage } from '../../policies/webhook';
import { presentDelivery, presentWebhook } from '../../presenters/webhook';
import { listOrganizations } from '../../queries/catalog';
import { listWebhooks, recentDeliveries } from '../../queries/webhooks';
import type { Services } from '../../services';
import { formList } from '../parse';
import { attempt, flash } from './csrf';
import { requireUser } from './guards';

/** The webhooks page: one's subscriptions with their recent deliveries, the form to add one, and removal. */
export function webhookRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  r.use('/dashboard/webhooks', requireUser, (req, _res, next) => {
    if (!canUseWebhookPage(req.actor)) throw new Forbidden();
    next();
  });

  const show = async (req: Request, res: Response, extra: { created?: { id: number; url: string; secret: string }; error?: string; values?: Record<string, unknown> } = {}, status = 200) => {
    const hooks = await listWebhooks(db, req.actor!);
    const deliveries = await recentDeliveries(db, hooks.map((h) => h.id));
    const orgs = (await listOrganizations(db)).filter((o) => canSubscribeTo(req.actor, o)).map((o) => ({ slug: o.slug, name: o.name }));
    if (extra.created) res.set('Cache-Control', 'no-store');
    const values = extra.values ?? { events: ['published', 'version_published'] };
    const chosen = new Set(formList(values.events));
    res.status(status).render('dashboard/webhooks', {
      title: res.locals.t('webhooks.title'),
      hooks: hooks.map((h) => ({ ...presentWebhook(h), deliveries: (deliveries.get(h.id) ?? []).map(presentDelivery) })),
      events: WEBHOOK_EVENTS.map((e) => ({ key: e, checked: chosen.has(e) })),
      orgs,
      // The custodian may subscribe to the whole catalog; a producer names its OPD (or one of its datasets).
      wholeCatalog: canCreateWebhook(req.actor, { organizationId: null, datasetOrganizationId: null }),
      values,
      ...extra,
    });
  };

  r.get('/dashboard/webhooks', (req, res) => show(req, res));

  r.post('/dashboard/webhooks', async (req, res) => {
    const b = req.body ?? {};
    const values = { url: String(b.url ?? ''), events: formList(b.events), organization: b.organization || undefined, dataset: String(b.dataset ?? '').trim() || undefined };
    try {
      const out = await perform(createWebhook, req.actor, untrusted(values), services, { ip: req.ip });
      await show(req, res, { created: { id: out.id, url: out.url, secret: out.secret } }, 201);
    } catch (err) {
      if (!(err instanceof AppError) || ![400, 404].includes(err.status)) throw err;
      await show(req, res, { error: userMessage(err, req.lang), values }, err.status);
    }
  });

  r.post('/dashboard/webhooks/:id/delete', async (req, res) => {
    const out = await attempt(req, () => perform(deleteWebhook, req.actor, untrusted({ id: req.params.id }), services, { ip: req.ip }));
    if (out) flash(req, 'ok', res.locals.t('webhooks.deleted', { url: out.url }));
    res.redirect(303, '/dashboard/webhooks');
  });
  return r;
}
