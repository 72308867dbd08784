import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { perform, untrusted } from '../../actions/action';
import { createServiceAccount, revokeServiceAccount, rotateServiceAccountToken, setServiceAccountDatasets } from '../../actions/service-accounts';
import { AppError, NotFound, userMessage } from '../../errors';
import { presentServiceAccount, serviceSlug } from '../../presenters/service-account';
import { listOrganizationsForAdmin } from '../../queries/accounts';
import { datasetsOfOrganization, listServiceAccounts } from '../../queries/service-accounts';
import type { Services } from '../../services';
import { formList, parseInput } from '../parse';
import { attempt, flash } from './csrf';

const idParam = z.coerce.number().int().positive().max(2 ** 31 - 1);

/** The admin's pages for OPD applications' service accounts (mounted behind the /admin guard). */
export function adminServiceRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;

  /** The list, with the token just made (shown once) when there is one. */
  const showList = async (req: Request, res: Response, shown?: { token: string; slug: string }, status = 200) => {
    const rows = await listServiceAccounts(db);
    if (shown) res.set('Cache-Control', 'no-store');
    res.status(status).render('admin/services', { title: res.locals.t('service.title'), accounts: rows.map(presentServiceAccount), shown });
  };

  const showForm = async (req: Request, res: Response, values: Record<string, unknown>, error?: { message: string; errors?: unknown; status: number }) => {
    const orgs = (await listOrganizationsForAdmin(db)).filter((o) => o.active && o.kind === 'opd').map((o) => ({ slug: o.slug, name: o.name }));
    const org = typeof values.org === 'string' && orgs.some((o) => o.slug === values.org) ? values.org : '';
    const chosen = new Set(formList(values.datasets));
    const datasets = org ? (await datasetsOfOrganization(db, org)).map((d) => ({ ...d, checked: chosen.has(d.slug) })) : [];
    res.status(error?.status ?? 200).render('admin/service-new', { title: res.locals.t('service.new'), orgs, org, datasets, values, error: error?.message, errors: error?.errors });
  };

  r.get('/admin/services', (req, res) => showList(req, res));

  // Two steps in one form: the OPD first (GET), then its datasets.
  r.get('/admin/services/new', async (req, res) => {
    const q = parseInput(z.object({ org: z.string().max(100).optional() }), req.query);
    await showForm(req, res, { org: q.org });
  });

  r.post('/admin/services', async (req, res) => {
    const b = req.body ?? {};
    const values = { slug: b.slug, name: b.name, org: b.org, datasets: formList(b.datasets) };
    try {
      const out = await perform(createServiceAccount, req.actor, untrusted(values), services, { ip: req.ip });
      await showList(req, res, { token: out.token, slug: out.slug }, 201);
    } catch (err) {
      if (!(err instanceof AppError) || ![400, 404, 409].includes(err.status)) throw err;
      await showForm(req, res, values, { message: userMessage(err, req.lang), errors: err.details, status: err.status });
    }
  });

  // One account: the datasets of its OPD it may push to, chosen again.
  r.get('/admin/services/:id', async (req, res) => {
    const [acc] = await listServiceAccounts(db, { id: parseInput(idParam, req.params.id) });
    if (!acc) throw new NotFound('Akun layanan tidak ditemukan.', 'Service account not found.');
    const shown = presentServiceAccount(acc);
    const mine = new Set(shown.datasets.map((d) => d.slug));
    const datasets = (await datasetsOfOrganization(db, shown.organization.slug)).map((d) => ({ ...d, checked: mine.has(d.slug) }));
    res.render('admin/service', { title: shown.name, account: shown, datasets });
  });

  r.post('/admin/services/:id/datasets', async (req, res) => {
    const out = await attempt(req, () => perform(setServiceAccountDatasets, req.actor, untrusted({ id: req.params.id, datasets: formList(req.body?.datasets) }), services, { ip: req.ip }), [400, 404, 409]);
    if (out) flash(req, 'ok', res.locals.t('admin.saved'));
    res.redirect(303, `/admin/services/${encodeURIComponent(String(req.params.id))}`);
  });

  r.post('/admin/services/:id/rotate', async (req, res) => {
    const out = await attempt(req, () => perform(rotateServiceAccountToken, req.actor, untrusted({ id: req.params.id }), services, { ip: req.ip }), [400, 404, 409]);
    if (!out) return res.redirect(303, '/admin/services');
    await showList(req, res, { token: out.token, slug: serviceSlug(out.email) });
  });

  r.post('/admin/services/:id/revoke', async (req, res) => {
    const out = await attempt(req, () => perform(revokeServiceAccount, req.actor, untrusted({ id: req.params.id }), services, { ip: req.ip }), [400, 404, 409]);
    if (out) flash(req, 'ok', res.locals.t('service.revoked'));
    res.redirect(303, '/admin/services');
  });

  return r;
}
