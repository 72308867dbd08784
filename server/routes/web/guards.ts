import type { NextFunction, Request, Response } from 'express';

/** Pages below need a signed-in user; the public is sent to the sign-in page. */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (!req.actor) return res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
  next();
}
