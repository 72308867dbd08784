import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { addDays, addMonths, localDay, monthDays, startOfLocalDay } from '../../manage/calendar';
import { byWeek, presentRelease } from '../../presenters/release';
import { listReleases } from '../../queries/releases';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { parseInput } from '../parse';

const monthQuery = z.object({
  bulan: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional().catch(undefined),
});

/** The public release calendar (jadwal rilis) by week and month; its iCal and Atom feeds are in routes/api/feeds. */
export function releaseRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const zone = services.config.timeZone;
  const opts = (req: Request) => ({ base: baseUrl(services, req), lang: req.lang });

  r.get('/jadwal', async (req, res) => {
    const q = parseInput(monthQuery, req.query);
    const today = localDay(new Date(), zone);
    const month = q.bulan ?? today.slice(0, 7);
    const { first, last } = monthDays(month);
    const [monthRows, soonRows] = await Promise.all([
      listReleases(db, { from: startOfLocalDay(first, zone), to: startOfLocalDay(addDays(last, 1), zone) }),
      listReleases(db, { from: new Date(), to: startOfLocalDay(addDays(today, 29), zone) }),
    ]);
    const present = (rows: typeof monthRows) => rows.map((row) => presentRelease(row, opts(req)));
    const upcoming = present(soonRows).filter((x) => x.status === 'scheduled');
    const weeks = byWeek(present(monthRows), zone).map((w) => ({ ...w, sunday: addDays(w.monday, 6) }));
    res.render('releases/index', {
      title: res.locals.t('releases.title'),
      month,
      monthStart: `${first}T12:00:00Z`,
      prev: addMonths(month, -1),
      next: addMonths(month, 1),
      isThisMonth: month === today.slice(0, 7),
      upcoming,
      weeks,
      total: monthRows.length,
      zone,
    });
  });

  return r;
}
