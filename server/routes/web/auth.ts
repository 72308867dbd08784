import express, { type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { perform } from '../../actions/action';
import { signIn } from '../../actions/accounts';
import { actorForCredentials } from '../../auth/actors';
import type { Services } from '../../services';
import { csrfToken } from './csrf';
import { homePath } from '../../policies/review';

/** Only local paths are followed after sign-in (no open redirects). */
export function safeNext(next: unknown, fallback: string): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return fallback;
  // Browsers read a backslash as "/" and drop tabs and line breaks: "/\\evil" or "/<tab>/evil" lead off-site.
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\\\u0000-\u001f\u007f]/.test(next) || next.startsWith('//')) return fallback;
  return next;
}

/** Sign-in and sign-out pages (sessions live in PostgreSQL). */
export function authRoutes(services: Services): Router {
  const r = express.Router();
  const limiter = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: services.config.signInAttempts,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    handler: (req, res) => {
      res.status(429).render('auth/login', { title: res.locals.t('auth.title'), error: res.locals.t('auth.rateLimited'), csrfToken: csrfToken(req) });
    },
  });

  const showLogin = (req: Request, res: Response, status = 200, error?: string) =>
    res.status(status).render('auth/login', {
      title: res.locals.t('auth.title'),
      error,
      email: typeof req.body?.email === 'string' ? req.body.email : '',
      next: safeNext(req.body?.next ?? req.query.next, ''),
      csrfToken: csrfToken(req),
    });

  r.get('/login', (req, res) => {
    if (req.actor) return res.redirect(safeNext(req.query.next, '/dashboard'));
    showLogin(req, res);
  });

  r.post('/login', limiter, async (req, res) => {
    const email = String(req.body?.email ?? '');
    const password = String(req.body?.password ?? '');
    const actor = await actorForCredentials(services.db, email, password, services.config.scryptLogN);
    if (!actor) return showLogin(req, res, 401, res.locals.t('auth.invalid'));
    const next = safeNext(req.body?.next, homePath(actor));
    // A new session id on sign-in, so an id planted before cannot be ridden.
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
    req.session.userId = actor.id!;
    await perform(signIn, actor, { via: 'web' }, services, { ip: req.ip });
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
    res.redirect(303, next);
  });

  r.post('/logout', async (req, res) => {
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.clearCookie('sdp.sid');
    res.redirect(303, '/');
  });

  return r;
}
