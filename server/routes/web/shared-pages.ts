import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { catalogStamp, publicPageStamp } from '../../queries/page-stamp';
import { AnswerCache } from '../../queries/version-cache';
import { negotiated } from '../api/dcat';

/** How long a shared page is reused at most, whatever its stamp says (counts and scores of other datasets move on). */
const TTL_MS = 30_000;

/** A shared page as kept: its HTML and what a reader's visit to it still records (a view, a search miss). */
interface KeptPage {
  html: string;
  onHit?: (req: Request) => void;
}

/** The URLs whose pages are shared: the search page and a dataset's page. */
const SHARED_PATH = /^\/dataset(?:\/([^/]+))?$/;

/**
 * Rendered pages shared between readers who are not signed in. A page is shared only with a
 * reader who carries no cookie at all (no session, so no flash message, no CSRF token, no
 * preference can shape it) and no Authorization header, under a key of its stamp (what it shows,
 * see queries/page-stamp.ts), its language and its URL, and for at most 30 seconds.
 */
export class SharedPages {
  private pages = new AnswerCache(500, 16 * 1024 * 1024);

  constructor(private db: Knex) {}

  /** Whether this reader may get a shared page: not signed in, no cookie, no credentials, a GET. */
  eligible(req: Request): boolean {
    return !req.actor && !req.headers.cookie && !req.headers.authorization && req.method === 'GET';
  }

  /** The key of this request's shared page, or null when the reader must get a page of their own. */
  keyFor(req: Request, stamp: string | null | undefined, lang: string = req.lang): string | null {
    if (!stamp || !this.eligible(req)) return null;
    return `${Math.floor(Date.now() / TTL_MS)}|${stamp}|${lang}|${req.originalUrl}`;
  }

  /** Answers with the page kept under `key`, if there is one (recording what its visit records); false when there is none. */
  async serveKept(req: Request, res: Response, key: string | null): Promise<boolean> {
    const kept = key !== null ? this.pages.peek<KeptPage>(key) : null;
    if (!kept) return false;
    const page = await kept;
    page.onHit?.(req);
    res.type('html').send(page.html);
    return true;
  }

  /**
   * Serves kept pages before cookies, the session, credentials and the other routers are read
   * (none of them can shape a page for a reader with no cookie and no credentials, and a page is
   * only kept by the route that renders that URL): the request costs its stamp's query and the
   * send. Anything else goes on as usual.
   */
  early(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const m = this.eligible(req) ? SHARED_PATH.exec(req.path) : null;
      if (!m) return next();
      // The reader's language as app.ts picks it, for a reader with no cookie.
      const lang = req.query.lang === 'en' ? 'en' : 'id';
      const slug = m[1] === undefined ? undefined : safeDecode(m[1]);
      if (slug === null) return next();
      if (slug !== undefined) {
        // A dataset's URL answers RDF to a client that asks for it (routes/api/dcat): only HTML is shared.
        res.vary('Accept');
        if (negotiated(req)) return next();
      }
      const stamp = slug === undefined ? catalogStamp(this.db) : publicPageStamp(this.db, slug);
      // A failure here (the database away) is the route's to answer, with the page it renders for it.
      stamp
        .then((s) => this.serveKept(req, res, this.keyFor(req, s?.key, lang)))
        .then(
          (served) => (served ? undefined : next()),
          () => (res.headersSent ? undefined : next()),
        );
    };
  }

  /** Sends `view` rendered with `locals`, and keeps it under `key` (when there is one) for the readers after, with what their visits record. */
  async send(res: Response, key: string | null, view: string, locals: Record<string, unknown>, onHit?: (req: Request) => void): Promise<void> {
    if (!key) return res.render(view, locals);
    const page = await this.pages.get<KeptPage>(key, async () => ({ html: await render(res, view, locals), onHit }), (p) => p.html.length);
    res.type('html').send(page.html);
  }
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function render(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, locals, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? ''))));
}
