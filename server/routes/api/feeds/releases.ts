import express, { type Request, type Router } from 'express';
import { Feed } from 'feed';
import { ICalCalendar } from 'ical-generator';
import { translator } from '../../../i18n';
import { zoneLabel } from '../../../manage/calendar';
import { presentRelease, type ReleaseView } from '../../../presenters/release';
import { listReleases } from '../../../queries/releases';
import type { Services } from '../../../services';
import { baseUrl } from '../../base-url';
import { sendCached } from '../../http-cache';

// The release calendar's feeds (jadwal rilis): iCal at /jadwal.ics and Atom at
// /feeds/releases.atom. Both are built from the releases alone (no clock in the bytes), so their
// strong ETags hold until a release is scheduled, moved or published.

/** Text for a feed's `type="html"` fields: shown as written, never run as markup. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The feeds' window: the last 90 days and the next year, in whole days (the same answer all day). */
function feedWindow(): { from: Date; to: Date } {
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  return { from: new Date(day - 90 * 86_400_000), to: new Date(day + 367 * 86_400_000) };
}

/** The feed's `updated`: its latest release already past (else its first one), never the clock. */
function lastChange(releases: ReleaseView[]): Date {
  const times = releases.map((x) => Date.parse(x.at));
  const past = times.filter((t) => t <= Date.now());
  return new Date(past.length ? Math.max(...past) : times.length ? Math.min(...times) : 0);
}

/** The iCal and Atom feeds of the release calendar. */
export function releaseFeedsRouter(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const zone = services.config.timeZone;
  const releases = async (req: Request) => (await listReleases(db, feedWindow())).map((row) => presentRelease(row, { base: baseUrl(services, req), lang: req.lang }));

  r.get('/jadwal.ics', async (req, res) => {
    const base = baseUrl(services, req);
    const list = await releases(req);
    const t = translator(req.lang);
    const cal = new ICalCalendar({ name: t('releases.calendarName'), prodId: { company: 'Satu Data Lampung', product: 'jadwal-rilis', language: req.lang.toUpperCase() }, timezone: zone, url: `${base}/jadwal`, ttl: 3600 });
    for (const x of list) {
      cal.createEvent({
        id: `${x.id}@${new URL(base).host}`,
        // The event's own time as its stamp: otherwise every answer would differ by the clock.
        stamp: new Date(x.at),
        start: new Date(x.at),
        end: new Date(new Date(x.at).getTime() + 30 * 60_000),
        summary: t(x.status === 'scheduled' ? 'releases.eventScheduled' : 'releases.eventPublished', { title: x.dataset.title, number: x.version }),
        description: `${x.dataset.organization.name}${x.dataset.topic ? ` · ${x.dataset.topic.name}` : ''}`,
        url: x.url ?? `${base}/jadwal`,
        organizer: undefined,
      });
    }
    res.set('Content-Disposition', 'inline; filename="jadwal-rilis.ics"');
    sendCached(req, res, cal.toString(), { type: 'text/calendar; charset=utf-8' });
  });

  r.get('/feeds/releases.atom', async (req, res) => {
    const base = baseUrl(services, req);
    const t = translator(req.lang);
    const list = await releases(req);
    // Newest first, as feed readers expect: what happens soonest or happened last on top.
    list.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    const feed = new Feed({
      title: t('releases.feedTitle'),
      description: t('releases.lead', { zone: zoneLabel(zone, req.lang) }),
      id: `${base}/jadwal`,
      link: `${base}/jadwal`,
      language: req.lang,
      updated: lastChange(list),
      copyright: 'CC-BY-4.0',
      feedLinks: { atom: `${base}/feeds/releases.atom` },
    });
    for (const x of list) {
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
    sendCached(req, res, feed.atom1(), { type: 'application/atom+xml; charset=utf-8' });
  });

  return r;
}
