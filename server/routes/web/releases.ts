import express, { type Request, type Router } from 'express';
import { Feed } from 'feed';
import { ICalCalendar } from 'ical-generator';
import { z } from 'zod';
import { addDays, addMonths, localDay, monthDays, startOfLocalDay, zoneLabel } from '../../manage/calendar';
import { byWeek, presentRelease, type ReleaseView } from '../../presenters/release';
import { listReleases } from '../../queries/releases';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { parseInput } from '../parse';

const monthQuery = z.object({
  bulan: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional().catch(undefined),
});

/** Text for a feed's `type="html"` fields: shown as written, never run as markup. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The feeds' window: the last 90 days and the next year. */
function feedWindow(): { from: Date; to: Date } {
  const now = Date.now();
  return { from: new Date(now - 90 * 86_400_000), to: new Date(now + 366 * 86_400_000) };
}

/** The public release calendar (jadwal rilis): the page by week and month, iCal and Atom. */
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

  r.get('/jadwal.ics', async (req, res) => {
    const base = baseUrl(services, req);
    const releases = (await listReleases(db, feedWindow())).map((row) => presentRelease(row, opts(req)));
    const t = res.locals.t;
    const cal = new ICalCalendar({ name: t('releases.calendarName'), prodId: { company: 'Satu Data Lampung', product: 'jadwal-rilis', language: req.lang.toUpperCase() }, timezone: zone, url: `${base}/jadwal`, ttl: 3600 });
    for (const x of releases) {
      cal.createEvent({
        id: `${x.id}@${new URL(base).host}`,
        start: new Date(x.at),
        end: new Date(new Date(x.at).getTime() + 30 * 60_000),
        summary: t(x.status === 'scheduled' ? 'releases.eventScheduled' : 'releases.eventPublished', { title: x.dataset.title, number: x.version }),
        description: `${x.dataset.organization.name}${x.dataset.topic ? ` · ${x.dataset.topic.name}` : ''}`,
        url: x.url ?? `${base}/jadwal`,
        organizer: undefined,
      });
    }
    res.type('text/calendar; charset=utf-8').set('Content-Disposition', 'inline; filename="jadwal-rilis.ics"').send(cal.toString());
  });

  r.get('/feeds/releases.atom', async (req, res) => {
    const base = baseUrl(services, req);
    const t = res.locals.t;
    const releases: ReleaseView[] = (await listReleases(db, feedWindow())).map((row) => presentRelease(row, opts(req)));
    // Newest first, as feed readers expect: what happens soonest or happened last on top.
    releases.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    const feed = new Feed({
      title: t('releases.feedTitle'),
      description: t('releases.lead', { zone: zoneLabel(zone, req.lang) }),
      id: `${base}/jadwal`,
      link: `${base}/jadwal`,
      language: req.lang,
      updated: new Date(),
      copyright: 'CC-BY-4.0',
      feedLinks: { atom: `${base}/feeds/releases.atom` },
    });
    for (const x of releases) {
      const when = new Intl.DateTimeFormat(req.lang === 'en' ? 'en-GB' : 'id-ID', { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(new Date(x.at));
      feed.addItem({
        title: escapeHtml(t(x.status === 'scheduled' ? 'releases.eventScheduled' : 'releases.eventPublished', { title: x.dataset.title, number: x.version })),
        id: `${base}/jadwal#${x.id}-${x.status}`,
        link: x.url ?? `${base}/jadwal`,
        date: new Date(x.at),
        description: escapeHtml(`${t(x.status === 'scheduled' ? 'releases.scheduledAt' : 'releases.publishedAt', { when, zone: zoneLabel(zone, req.lang) })} — ${x.dataset.organization.name}`),
        author: [{ name: x.dataset.organization.name }],
      });
    }
    res.type('application/atom+xml; charset=utf-8').send(feed.atom1());
  });

  return r;
}
