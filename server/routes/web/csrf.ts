import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import { AppError, BadCsrf, userMessage } from '../../errors';

const csrf = csrfSync({
  getTokenFromRequest: (req) => (req.body?._csrf as string | undefined) ?? (req.get('x-csrf-token') as string | undefined),
});

/** True when the request carries the session's CSRF token (form field `_csrf` or header `X-CSRF-Token`). */
export const csrfValid = (req: Request): boolean => csrf.isRequestValid(req);

/** The CSRF check as middleware. */
export function csrfProtect(req: Request, _res: Response, next: NextFunction): void {
  next(csrfValid(req) ? undefined : new BadCsrf());
}

/** The session's CSRF token, created on first use. */
export const csrfToken = (req: Request): string => csrf.generateToken(req);

/**
 * Web routes that take a multipart body: their upload guard checks the token from the fields
 * sent before the file. Any other multipart request is held to the token like every form, and
 * since its body is not parsed, it passes only with the token in the header.
 */
const MULTIPART_ROUTES: RegExp[] = [];

/** Declares a web route (path pattern) whose upload guard checks the CSRF token itself. */
export function acceptMultipart(pattern: RegExp): void {
  MULTIPART_ROUTES.push(pattern);
}

/** The CSRF check of every state-changing web request (see MULTIPART_ROUTES). */
export function csrfForForms(req: Request, res: Response, next: NextFunction): void {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
  if (req.method === 'POST' && req.is('multipart/form-data') && MULTIPART_ROUTES.some((p) => p.test(req.path))) return next();
  csrfProtect(req, res, next);
}

/**
 * Runs a form's action. A refusal the user can act on (bad input, a state conflict) becomes an
 * error message on the next page instead of an error page; anything else is thrown on. Returns
 * the action's result, or undefined when it was refused.
 */
export async function attempt<T>(req: Request, fn: () => Promise<T>, statuses: number[] = [400, 409]): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof AppError) || !statuses.includes(err.status)) throw err;
    flash(req, 'error', userMessage(err, req.lang));
    return undefined;
  }
}

/** Sets a one-time message for the next page. */
export function flash(req: Request, kind: 'ok' | 'error', text: string): void {
  req.session.flash = { kind, text };
}
