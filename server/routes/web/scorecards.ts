import express, { type Request, type Router } from 'express';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { perform } from '../../actions/action';
import { DUE_SOON_DAYS, remindOrganization } from '../../actions/reminders';
import { AppError, Forbidden, userMessage } from '../../errors';
import { addDays } from '../../manage/calendar';
import { canManageDataList } from '../../policies/datalist';
import { canManageRelease } from '../../policies/release';
import { presentManageDashboard, presentOpdScorecard, presentScorecards, SCORECARD_SORTS, scorecardExportRows } from '../../presenters/scorecards';
import { loadManageDashboard, loadOpdScorecard, loadScorecards } from '../../queries/scorecard-pages';
import type { Services } from '../../services';
import { parseInput } from '../parse';
import { flash } from './csrf';
import { requireUser } from './guards';

const cardQuery = z.object({
  tahun: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  triwulan: z.coerce.number().int().min(1).max(4).optional().catch(undefined),
  urut: z.enum(SCORECARD_SORTS).optional().catch(undefined),
  arah: z.enum(['asc', 'desc']).optional().catch(undefined),
});

/** OPD scorecards (public and the walidata's), their exports, and the walidata's management dashboard. */
export function scorecardRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const timeZone = services.config.timeZone;

  async function cards(req: Request) {
    const q = parseInput(cardQuery, req.query);
    return presentScorecards(await loadScorecards(db, { year: q.tahun, quarter: q.triwulan, timeZone }), q);
  }

  r.get('/opd', async (req, res) => {
    res.render('scorecards/index', { title: res.locals.t('scorecard.title'), ...(await cards(req)), chartPage: true, pageScript: 'manage.js', exportBase: '/opd' });
  });

  r.get(['/opd.csv', '/manage/opd.csv'], async (req, res) => {
    const data = await cards(req);
    const { head, body } = scorecardExportRows(data.rows, res.locals.t);
    res.type('text/csv; charset=utf-8').attachment(`kinerja-opd-${data.year}${data.quarter ? `-tw${data.quarter}` : ''}.csv`);
    res.send(`\ufeff${stringify([head, ...body])}`);
  });

  r.get(['/opd.xlsx', '/manage/opd.xlsx'], async (req, res) => {
    const data = await cards(req);
    const { head, body } = scorecardExportRows(data.rows, res.locals.t);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(`${data.year}${data.quarter ? ` TW${data.quarter}` : ''}`);
    ws.addRow(head).font = { bold: true };
    for (const row of body) ws.addRow(row);
    ws.columns.forEach((c, i) => (c.width = i === 0 ? 50 : 16));
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').attachment(`kinerja-opd-${data.year}${data.quarter ? `-tw${data.quarter}` : ''}.xlsx`);
    res.send(Buffer.from(await wb.xlsx.writeBuffer()));
  });

  r.get('/opd/:slug', async (req, res) => {
    const q = parseInput(cardQuery, req.query);
    const view = presentOpdScorecard(await loadOpdScorecard(db, req.actor, req.params.slug, { year: q.tahun, timeZone }));
    res.render('scorecards/show', {
      title: `${res.locals.t('scorecard.title')}: ${view.organization.short_name ?? view.organization.name}`,
      ...view,
      chartPage: true,
      pageScript: 'manage.js',
    });
  });

  // The walidata's part: the management dashboard and the scorecards with reminders.
  r.use('/manage', requireUser);
  const custodian = (req: Request) => {
    if (!canManageDataList(req.actor)) throw new Forbidden();
  };

  r.get('/manage', async (req, res) => {
    custodian(req);
    const page = await loadManageDashboard(db, req.actor, timeZone);
    res.render('manage/index', {
      title: res.locals.t('manage.title'),
      year: page.year,
      ...presentManageDashboard(page.items, page.today, addDays(page.today, DUE_SOON_DAYS)),
      scheduled: page.scheduled,
      canManageRelease: canManageRelease(req.actor),
      newRequests: page.newRequests,
    });
  });

  r.get('/manage/opd', async (req, res) => {
    custodian(req);
    res.render('scorecards/index', { title: res.locals.t('scorecard.title'), ...(await cards(req)), chartPage: true, pageScript: 'manage.js', exportBase: '/manage/opd', manage: true });
  });

  r.post('/manage/remind', async (req, res) => {
    const back = typeof req.body.next === 'string' && /^\/manage(\/|$|\?)/.test(req.body.next) ? req.body.next : '/manage';
    try {
      const out = await perform(remindOrganization, req.actor, { organization: String(req.body.organization ?? ''), year: Number(req.body.year), note: String(req.body.note ?? '') }, services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('manage.reminded', { count: out.recipients }));
    } catch (err) {
      if (!(err instanceof AppError) || ![400, 409].includes(err.status)) throw err;
      flash(req, 'error', userMessage(err, req.lang));
    }
    res.redirect(303, back);
  });

  return r;
}
