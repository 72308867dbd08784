import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { perform, untrusted } from '../../actions/action';
import { issueToken, revokeToken } from '../../actions/accounts';
import { presentToken } from '../../presenters/token';
import { listTokens } from '../../queries/tokens';
import type { Services } from '../../services';
import { parseInput } from '../parse';
import { attempt, flash } from './csrf';
import { requireUser } from './guards';

/** The expiry choices of the token forms, in days ('' = never). */
export const TOKEN_EXPIRY_DAYS = ['30', '90', '365', ''] as const;

/** A token form's fields → the input of issueToken (the e-mail is added by the caller). */
export function tokenFormInput(body: unknown) {
  const f = parseInput(
    z.object({ name: z.string().max(100).default(''), scope: z.string().max(10).default('read'), expires_in_days: z.enum(TOKEN_EXPIRY_DAYS).default('90') }).loose(),
    body ?? {},
  );
  const days = f.expires_in_days ? Number(f.expires_in_days) : 0;
  return { name: f.name.trim() || 'API', scope: f.scope, expires_at: days ? new Date(Date.now() + days * 86_400_000) : undefined };
}

/** The signed-in user's own account: its page and API tokens (the password: password.ts). */
export function accountRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  r.use('/account', requireUser);

  const showTokens = async (req: Request, res: Response, created?: { token: string; name: string }) => {
    const rows = await listTokens(db, { userId: req.actor!.id! });
    if (created) res.set('Cache-Control', 'no-store');
    res.status(created ? 201 : 200).render('account/tokens', {
      title: res.locals.t('account.tokens.title'),
      tokens: rows.map(presentToken),
      created,
      expiryChoices: TOKEN_EXPIRY_DAYS,
    });
  };

  r.get('/account', (_req, res) => res.render('account/index', { title: res.locals.t('account.title') }));

  r.get('/account/tokens', (req, res) => showTokens(req, res));

  r.post('/account/tokens', async (req, res) => {
    const input = { ...tokenFormInput(req.body), email: req.actor!.email };
    const out = await attempt(req, () => perform(issueToken, req.actor, untrusted(input), services, { ip: req.ip }));
    if (!out) return res.redirect(303, '/account/tokens');
    // Shown once, on this answer only: the token is never stored in the clear, not even in the session.
    await showTokens(req, res, { token: out.token, name: out.name });
  });

  r.post('/account/tokens/:id/revoke', async (req, res) => {
    const out = await attempt(req, () => perform(revokeToken, req.actor, untrusted({ id: req.params.id }), services, { ip: req.ip }));
    if (out) flash(req, 'ok', res.locals.t('account.tokens.revoked'));
    res.redirect(303, '/account/tokens');
  });

  return r;
}
