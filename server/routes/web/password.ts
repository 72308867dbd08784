import express, { type Request, type Response, type Router } from 'express';
import { perform, untrusted } from '../../actions/action';
import { changePassword, findUsableReset, requestPasswordReset, resetPassword, RESET_LINK_MINUTES } from '../../actions/passwords';
import { actorForUser } from '../../auth/actors';
import { MIN_PASSWORD_LENGTH } from '../../auth/password-rules';
import { AppError, userMessage } from '../../errors';
import { log } from '../../log';
import { requesterActor } from '../../policies/actor';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { csrfToken, flash } from './csrf';
import { requireUser } from './guards';

/** A new session id for the same user (after a password or privilege change), so an old id is worth nothing. */
export async function rotateSession(req: Request): Promise<void> {
  const userId = req.session.userId;
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  if (userId !== undefined) req.session.userId = userId;
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

/** The message and field errors of a refusal the form can show (400, 404, 409); anything else is thrown on. */
function formError(err: unknown, lang: 'id' | 'en') {
  if (!(err instanceof AppError) || ![400, 404, 409].includes(err.status)) throw err;
  return { status: err.status, message: userMessage(err, lang) };
}

/** Changing one's password, and resetting a forgotten one by a one-time link. */
export function passwordRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;

  const showChange = (req: Request, res: Response, status = 200, error?: string) =>
    res.status(status).render('account/password', { title: res.locals.t('account.password.title'), error, minLength: MIN_PASSWORD_LENGTH });

  r.get('/account/password', requireUser, (req, res) => showChange(req, res));

  r.post('/account/password', requireUser, async (req, res) => {
    const body = req.body ?? {};
    if (body.new_password !== body.confirm_password) return showChange(req, res, 400, res.locals.t('account.password.mismatch'));
    try {
      await perform(changePassword, req.actor, untrusted({ current_password: body.current_password, new_password: body.new_password, keep_session: req.sessionID }), services, { ip: req.ip });
    } catch (err) {
      const e = formError(err, req.lang);
      return showChange(req, res, e.status, e.message);
    }
    await rotateSession(req);
    flash(req, 'ok', res.locals.t('account.password.changed'));
    res.redirect(303, '/account');
  });

  const showForgot = (req: Request, res: Response, status = 200, sent = false) =>
    res.status(status).render('auth/forgot', { title: res.locals.t('account.reset.forgotTitle'), sent, minutes: RESET_LINK_MINUTES, csrfToken: csrfToken(req) });

  r.get('/password/forgot', (req, res) => showForgot(req, res));

  r.post('/password/forgot', async (req, res) => {
    const email = String(req.body?.email ?? '').slice(0, 200);
    const out = await perform(requestPasswordReset, req.actor ?? requesterActor, untrusted({ email }), services, { ip: req.ip });
    if (out) {
      // No e-mail channel yet: the operator reads the link in the log and passes it on (README).
      log.warn({ event: 'password_reset_link', email: out.email, url: `${baseUrl(services, req)}/password/reset/${out.token}`, expires_at: out.expires_at }, 'password reset link');
    }
    // The same answer whether or not the account exists.
    showForgot(req, res, 200, true);
  });

  const showReset = (req: Request, res: Response, status = 200, error?: string) =>
    res.status(status).render('auth/reset', { title: res.locals.t('account.reset.title'), token: req.params.token, error, minLength: MIN_PASSWORD_LENGTH, csrfToken: csrfToken(req) });

  r.get('/password/reset/:token', async (req, res) => {
    const reset = await findUsableReset(db, String(req.params.token));
    if (!reset) return res.status(404).render('auth/reset', { title: res.locals.t('account.reset.title'), invalid: true });
    res.set('Cache-Control', 'no-store');
    showReset(req, res);
  });

  r.post('/password/reset/:token', async (req, res) => {
    const token = String(req.params.token);
    const body = req.body ?? {};
    const reset = await findUsableReset(db, token);
    if (!reset) return res.status(404).render('auth/reset', { title: res.locals.t('account.reset.title'), invalid: true });
    if (body.new_password !== body.confirm_password) return showReset(req, res, 400, res.locals.t('account.password.mismatch'));
    const actor = await actorForUser(db, reset.user_id);
    try {
      await perform(resetPassword, actor, untrusted({ token, new_password: body.new_password }), services, { ip: req.ip });
    } catch (err) {
      const e = formError(err, req.lang);
      return showReset(req, res, e.status, e.message);
    }
    // Whoever was signed in on this browser is signed out; the user signs in with the new password.
    await new Promise<void>((resolve) => req.session.regenerate(() => resolve()));
    flash(req, 'ok', res.locals.t('account.reset.done'));
    res.redirect(303, '/login');
  });

  return r;
}
