import type { Request } from 'express';
import { csrfSync } from 'csrf-sync';

const csrf = csrfSync({
  getTokenFromRequest: (req) => (req.body?._csrf as string | undefined) ?? (req.get('x-csrf-token') as string | undefined),
});

/** The CSRF check (synchronizer token in the session). Multipart routes use it after their body parser. */
export const csrfProtect = csrf.csrfSynchronisedProtection;

/** The session's CSRF token, created on first use. */
export const csrfToken = (req: Request): string => csrf.generateToken(req);

/** Sets a one-time message for the next page. */
export function flash(req: Request, kind: 'ok' | 'error', text: string): void {
  req.session.flash = { kind, text };
}
