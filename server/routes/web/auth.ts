import express, { type Request, type Response, type Router } from 'express';
import { perform } from '../../actions/action';
import { signIn } from '../../actions/accounts';
import { actorForCredentials } from '../../auth/actors';
import { startSession } from '../../auth/session-life';
import { signInLimitsOf, waitMessage } from '../../auth/sign-in-limits';
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
  const limits = signInLimitsOf(services);

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

  r.post('/login', async (req, res) => {
    const email = String(req.body?.email ?? '').slice(0, 200);
    const password = String(req.body?.password ?? '').slice(0, 200);
    const ip = req.ip ?? '';
    // Locked accounts and busy addresses are refused before any password is checked.
    const wait = await limits.check(ip, email);
    if (wait) {
      res.set('Retry-After', String(wait.retryAfterSeconds));
      const m = waitMessage(wait);
      return showLogin(req, res, 429, req.lang === 'en' ? m.en : m.id);
    }
    const actor = await actorForCredentials(services.db, email, password, services.config.scryptLogN);
    if (!actor) {
      await limits.failed(ip, email);
      return showLogin(req, res, 401, res.locals.t('auth.invalid'));
    }
    await limits.succeeded(email);
    const next = safeNext(req.body?.next, homePath(actor));
    // A new session id on sign-in, so an id planted before cannot be ridden.
    await startSession(req, actor.id!);
    await perform(signIn, actor, { via: 'web' }, services, { ip: req.ip });
    res.redirect(303, next);
  });

  r.post('/logout', async (req, res) => {
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.clearCookie('sdp.sid');
    res.redirect(303, '/');
  });

  return r;
}
