import express, { type Router } from 'express';
import { z } from 'zod';
import { Forbidden } from '../../errors';
import { canViewAudit } from '../../policies/organization';
import { auditActions, searchAudit } from '../../queries/audit';
import type { Services } from '../../services';
import { parseInput } from '../parse';
import { requireUser } from './guards';
import { presentAuditPage } from '../../presenters/audit';
import { perform, untrusted } from '../../actions/action';
import { issueToken, revokeToken } from '../../actions/accounts';
import { presentTokenForAdmin } from '../../presenters/token';
import { listTokens } from '../../queries/tokens';
import { attempt, flash } from './csrf';
import { TOKEN_EXPIRY_DAYS, tokenFormInput } from './account';
import { adminAccountRoutes } from './admin-accounts';
import { adminServiceRoutes } from './admin-services';

const AUDIT_PER_PAGE = 50;

const filtersSchema = z.object({
  actor: z.string().max(200).optional(),
  dataset: z.string().max(200).optional(),
  action: z.string().max(60).optional(),
  from: z.iso.date().optional().or(z.literal('').transform(() => undefined)),
  to: z.iso.date().optional().or(z.literal('').transform(() => undefined)),
  page: z.coerce.number().int().min(1).catch(1).default(1),
});

/** The operator's pages: the audit log with filters, organizations, users, every user's API tokens. */
export function adminRoutes(services: Services): Router {
  const r = express.Router();
  r.use('/admin', requireUser, (req, _res, next) => {
    if (!canViewAudit(req.actor)) throw new Forbidden();
    next();
  });

  r.use(adminAccountRoutes(services));
  r.use(adminServiceRoutes(services));

  r.get('/admin/audit', async (req, res) => {
    const f = parseInput(filtersSchema, req.query);
    const [list, actions] = await Promise.all([searchAudit(services.db, { ...f, per_page: AUDIT_PER_PAGE, timeZone: services.config.timeZone }), auditActions(services.db)]);
    res.render('admin/audit', {
      title: res.locals.t('audit.title'),
      ...presentAuditPage(list, actions, f, { t: res.locals.t, zone: services.config.timeZone, perPage: AUDIT_PER_PAGE }),
    });
  });

  const tokenFilter = z.object({ email: z.string().max(200).optional(), active: z.enum(['1', '']).optional() });
  const showTokens = async (req: express.Request, res: express.Response, created?: { token: string; name: string; email: string }) => {
    const f = parseInput(tokenFilter, req.query);
    const rows = await listTokens(services.db, { email: f.email?.trim() || undefined, activeOnly: f.active === '1', limit: 500 });
    if (created) res.set('Cache-Control', 'no-store');
    res.status(created ? 201 : 200).render('admin/tokens', {
      title: res.locals.t('account.adminTokens.title'),
      tokens: rows.map(presentTokenForAdmin),
      filters: f,
      created,
      expiryChoices: TOKEN_EXPIRY_DAYS,
    });
  };

  // Every user's API tokens: list, issue (a service account's, say), revoke.
  r.get('/admin/tokens', (req, res) => showTokens(req, res));

  r.post('/admin/tokens', async (req, res) => {
    const input = { ...tokenFormInput(req.body), email: String(req.body?.email ?? '') };
    const out = await attempt(req, () => perform(issueToken, req.actor, untrusted(input), services, { ip: req.ip }), [400, 404, 409]);
    if (!out) return res.redirect(303, '/admin/tokens');
    await showTokens(req, res, { token: out.token, name: out.name, email: out.email });
  });

  r.post('/admin/tokens/:id/revoke', async (req, res) => {
    const out = await attempt(req, () => perform(revokeToken, req.actor, untrusted({ id: req.params.id }), services, { ip: req.ip }), [400, 404]);
    if (out) flash(req, 'ok', res.locals.t('account.tokens.revoked'));
    res.redirect(303, '/admin/tokens');
  });

  return r;
}
