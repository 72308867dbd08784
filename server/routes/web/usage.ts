import express, { type Router } from 'express';
import { z } from 'zod';
import { Forbidden } from '../../errors';
import { canViewUsage } from '../../policies/usage';
import { presentUsagePage, USAGE_PERIODS } from '../../presenters/usage';
import { loadUsagePage } from '../../queries/usage-page';
import type { Services } from '../../services';
import { parseInput } from '../parse';
import { requireUser } from './guards';

const usageQuery = z.object({
  hari: z.coerce.number().int().optional().catch(undefined).transform((n) => (USAGE_PERIODS.includes(n as (typeof USAGE_PERIODS)[number]) ? n! : 30)),
  dataset: z.string().trim().max(120).optional().catch(undefined),
});

/** The walidata's usage page: views and downloads over time and per dataset, top datasets, searches that found nothing. */
export function usageRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const zone = services.config.timeZone;
  r.use('/manage/penggunaan', requireUser);

  r.get('/manage/penggunaan', async (req, res) => {
    if (!canViewUsage(req.actor)) throw new Forbidden();
    const q = parseInput(usageQuery, req.query);
    const page = await loadUsagePage(db, { days: q.hari, dataset: q.dataset, timeZone: zone });
    res.render('manage/usage', {
      title: res.locals.t('usageAdmin.title'),
      ...presentUsagePage(page, q.hari),
      chartPage: true,
      pageScript: 'manage.js',
    });
  });
  return r;
}
