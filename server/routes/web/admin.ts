import express, { type Router } from 'express';
import { z } from 'zod';
import { Forbidden } from '../../errors';
import { canViewAudit } from '../../policies/organization';
import { pagination } from '../../presenters/pagination';
import { auditActions, searchAudit } from '../../queries/audit';
import type { Services } from '../../services';
import { parseInput } from '../parse';
import { requireUser } from './guards';
import { describeAudit } from '../../presenters/audit';

const filtersSchema = z.object({
  actor: z.string().max(200).optional(),
  dataset: z.string().max(200).optional(),
  action: z.string().max(60).optional(),
  from: z.iso.date().optional().or(z.literal('').transform(() => undefined)),
  to: z.iso.date().optional().or(z.literal('').transform(() => undefined)),
  page: z.coerce.number().int().min(1).catch(1).default(1),
});

/** The operator's pages: the audit log with filters. */
export function adminRoutes(services: Services): Router {
  const r = express.Router();
  r.use('/admin', requireUser, (req, _res, next) => {
    if (!canViewAudit(req.actor)) throw new Forbidden();
    next();
  });

  r.get('/admin/audit', async (req, res) => {
    const f = parseInput(filtersSchema, req.query);
    const clean = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== '' && v !== undefined));
    const [{ rows, total }, actions] = await Promise.all([searchAudit(services.db, { ...f, per_page: 50, timeZone: services.config.timeZone }), auditActions(services.db)]);
    res.render('admin/audit', {
      title: res.locals.t('audit.title'),
      events: rows.map((e) => ({ ...e, ...describeAudit(e, res.locals.t, services.config.timeZone) })),
      filters: f,
      query: clean,
      actions,
      total,
      pager: pagination(f.page, total, 50),
    });
  });

  return r;
}
