import express, { type Router } from 'express';
import { Invalid } from '../../../errors';
import { listChanges, recentPublications, type ChangeCursor } from '../../../queries/changes';
import type { Services } from '../../../services';
import { baseUrl } from '../../base-url';
import { jsonCached, sendCached } from '../../http-cache';
import { parseInput } from '../../parse';
import { XMLBuilder } from '../dcat/xml';
import { changesQuery } from '../contract';
import { releaseFeedsRouter } from './releases';

// Feeds for harvesters and readers: the change feed of the public catalog (`/api/v1/changes`,
// paged by an opaque cursor) and an Atom feed of new publications (`/feeds/datasets.atom`).

const encodeCursor = (c: ChangeCursor): string => Buffer.from(JSON.stringify([c.at, c.key])).toString('base64url');

function decodeCursor(s: string): ChangeCursor | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(new Date(v[0]).getTime()) && /^[av]\d{12}$/.test(v[1])) {
      return { at: v[0], key: v[1] };
    }
  } catch {
    // not a cursor
  }
  return null;
}

/** The change feed (mounted inside /api/v1). */
export function changesRouter(services: Services): Router {
  const r = express.Router();
  r.get('/changes', async (req, res) => {
    const p = parseInput(changesQuery, req.query);
    let after: ChangeCursor | { since: Date } | null = null;
    if (p.since) {
      const cursor = decodeCursor(p.since);
      const time = /^\d{4}-\d{2}-\d{2}/.test(p.since) ? new Date(p.since) : null;
      if (cursor) after = cursor;
      else if (time && !Number.isNaN(time.getTime())) after = { since: time };
      else throw new Invalid('since harus waktu ISO 8601 atau kursor dari meta.next.', 'since must be an ISO 8601 time or a cursor from meta.next.', [{ path: 'since', message: 'not a time or cursor' }]);
    }
    const rows = await listChanges(services.db, after, p.limit + 1);
    const page = rows.slice(0, p.limit);
    const last = page[page.length - 1];
    const next = last ? encodeCursor({ at: last.at, key: last.key }) : after && !('since' in after) ? encodeCursor(after) : (p.since ?? null);
    jsonCached(req, res, {
      data: page.map((c) => ({ type: c.type, dataset: c.slug, ...(c.version !== null ? { version: Number(c.version) } : {}), at: c.at })),
      meta: { next, has_more: rows.length > p.limit },
    });
  });
  return r;
}

/** The Atom feed of newly published datasets and versions, and the release calendar's iCal and Atom. */
export function atomRouter(services: Services): Router {
  const r = express.Router();
  r.use(releaseFeedsRouter(services));
  r.get('/feeds/datasets.atom', async (req, res) => {
    const base = baseUrl(services, req);
    const items = await recentPublications(services.db, 50);
    const x = new XMLBuilder();
    const iso = (t: Date | string) => new Date(t).toISOString();
    const updated = items[0] ? iso(items[0].published_at) : new Date(0).toISOString();
    const entries = items.map((i) =>
      x.element('entry', {}, null, [
        x.element('id', {}, `urn:uuid:${i.uuid}`),
        x.element('title', {}, Number(i.number) === 1 ? i.title : `${i.title} — versi ${i.number}`),
        x.element('link', { rel: 'alternate', type: 'text/html', href: `${base}/dataset/${i.slug}` }),
        x.element('link', { rel: 'enclosure', type: 'text/csv', href: `${base}/dataset/${i.slug}/download.csv?version=${i.number}` }),
        x.element('link', { rel: 'describedby', type: 'text/turtle', href: `${base}/dataset/${i.slug}.ttl` }),
        x.element('published', {}, iso(i.published_at)),
        x.element('updated', {}, iso(i.published_at)),
        x.element('author', {}, null, [x.element('name', {}, i.org_name)]),
        x.element('summary', {}, i.description || i.title),
      ]),
    );
    const feed = x.element('feed', { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': 'id' }, null, [
      x.element('id', {}, `${base}/feeds/datasets.atom`),
      x.element('title', {}, 'Satu Data Provinsi Lampung — dataset terbaru'),
      x.element('subtitle', {}, 'Dataset dan versi yang baru terbit'),
      x.element('link', { rel: 'self', type: 'application/atom+xml', href: `${base}/feeds/datasets.atom` }),
      x.element('link', { rel: 'alternate', type: 'text/html', href: `${base}/dataset` }),
      x.element('updated', {}, updated),
      x.element('author', {}, null, [x.element('name', {}, 'Satu Data Provinsi Lampung')]),
      ...entries,
    ]);
    sendCached(req, res, x.document(feed), { type: 'application/atom+xml; charset=utf-8', modified: items[0]?.published_at ?? null });
  });
  return r;
}
