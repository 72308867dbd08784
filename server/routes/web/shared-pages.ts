import type { Request, Response } from 'express';
import { AnswerCache } from '../../queries/version-cache';

/** How long a shared page is reused at most, whatever its stamp says (counts and scores of other datasets move on). */
const TTL_MS = 30_000;

/**
 * Rendered pages shared between readers who are not signed in. A page is shared only with a
 * reader who carries no cookie at all (no session, so no flash message, no CSRF token, no
 * preference can shape it), under a key of its stamp (what it shows, see queries/page-stamp.ts),
 * its language and its URL, and for at most 30 seconds.
 */
export class SharedPages {
  private pages = new AnswerCache(500, 16 * 1024 * 1024);

  /** Whether this reader may get a shared page: not signed in, no cookie, a GET. */
  eligible(req: Request): boolean {
    return !req.actor && !req.headers.cookie && req.method === 'GET';
  }

  /** The key of this request's shared page, or null when the reader must get a page of their own. */
  keyFor(req: Request, stamp: string | null | undefined): string | null {
    if (!stamp || !this.eligible(req)) return null;
    return `${Math.floor(Date.now() / TTL_MS)}|${stamp}|${req.lang}|${req.originalUrl}`;
  }

  /** The shared page kept under `key`, if any. */
  kept(key: string | null): Promise<string> | null {
    return key !== null ? this.pages.peek<string>(key) : null;
  }

  /** Sends `view` rendered with `locals`, and keeps it under `key` (when there is one) for the readers after. */
  async send(res: Response, key: string | null, view: string, locals: Record<string, unknown>): Promise<void> {
    if (!key) return res.render(view, locals);
    const html = await this.pages.get(key, () => render(res, view, locals), (s) => s.length);
    res.type('html').send(html);
  }
}

function render(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => res.render(view, locals, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? ''))));
}
