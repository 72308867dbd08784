import crypto from 'node:crypto';
import { z } from 'zod';
import { hashPassword, verifyPassword } from '../auth/password';
import { assertPasswordAcceptable, MAX_PASSWORD_LENGTH } from '../auth/password-rules';
import { endSessionsOf } from '../auth/sessions';
import { hashToken } from '../auth/tokens';
import { Conflict, Invalid, NotFound } from '../errors';
import { canChangeOwnPassword, canRequestPasswordReset, canResetWithLink } from '../policies/user';
import { defineAction } from './action';

/** How long a reset link works. */
export const RESET_LINK_MINUTES = 60;

const passwordField = z.string().max(MAX_PASSWORD_LENGTH);

interface UserForPassword {
  id: number;
  email: string;
  password_hash: string;
  organization_id: number | null;
  active: boolean;
}

/**
 * Change one's own password, knowing the current one. Every other browser session of the user
 * ends (`keep_session` is the one that made the change; its id is rotated by the page).
 */
export const changePassword = defineAction({
  name: 'user.password_change',
  input: z.object({ current_password: passwordField, new_password: passwordField, keep_session: z.string().max(200).optional() }),
  async load(tx, _input, actor) {
    if (!actor?.id) return null;
    return ((await tx('users').where({ id: actor.id, active: true }).forUpdate().first()) as UserForPassword | undefined) ?? null;
  },
  authorize: (actor, user) => canChangeOwnPassword(actor, user?.id ?? null),
  async run({ tx, config }, _actor, rec, input) {
    const user = rec!;
    if (!(await verifyPassword(input.current_password, user.password_hash))) {
      throw new Invalid('Kata sandi saat ini salah.', 'The current password is wrong.', [{ path: 'current_password', message: 'Kata sandi saat ini salah.' }]);
    }
    assertPasswordAcceptable(input.new_password, user.email, 'new_password');
    if (input.new_password === input.current_password) {
      throw new Invalid('Kata sandi baru harus berbeda dari yang lama.', 'The new password must differ from the old one.', [{ path: 'new_password', message: 'Kata sandi baru harus berbeda.' }]);
    }
    await tx('users').where({ id: user.id }).update({ password_hash: await hashPassword(input.new_password, config.scryptLogN), password_changed_at: tx.fn.now() });
    const ended = await endSessionsOf(tx, user.id, input.keep_session);
    return { result: { id: user.id }, audit: { targetType: 'user', targetId: user.id, organizationId: user.organization_id, details: { email: user.email, other_sessions_ended: ended } } };
  },
});

/** A new one-time reset link's secret for a user (stored as its hash); earlier unused links stop working. */
async function newResetLink(tx: import('knex').Knex.Transaction, userId: number, createdBy: number | null, minutes = RESET_LINK_MINUTES): Promise<{ token: string; expires_at: Date }> {
  await tx('password_resets').where({ user_id: userId }).whereNull('used_at').update({ used_at: tx.fn.now() });
  const token = crypto.randomBytes(32).toString('base64url');
  const expires_at = new Date(Date.now() + minutes * 60_000);
  await tx('password_resets').insert({ user_id: userId, token_hash: hashToken(token), expires_at, created_by: createdBy });
  return { token, expires_at };
}

/**
 * Someone asks for a reset link for an e-mail. Nothing tells whether the account exists: an
 * unknown or deactivated e-mail makes no link and records nothing. The caller prints the link to
 * the log (until an e-mail channel exists) and never shows it to the asker.
 */
export const requestPasswordReset = defineAction({
  name: 'user.password_reset_request',
  input: z.object({ email: z.string().trim().max(200) }),
  async load(tx, input) {
    return ((await tx('users').whereRaw('lower(email) = lower(?)', [input.email]).where({ active: true, kind: 'person' }).first()) as UserForPassword | undefined) ?? null;
  },
  authorize: (actor) => canRequestPasswordReset(actor),
  async run({ tx }, _actor, user) {
    if (!user) return { result: null, audit: null };
    // One link a minute per account at most, so that asking repeatedly floods neither the log nor the user.
    const recent = await tx('password_resets').where({ user_id: user.id }).whereNull('used_at').where('created_at', '>', tx.raw("now() - interval '1 minute'")).first();
    if (recent) return { result: null, audit: null };
    const link = await newResetLink(tx, user.id, null);
    return { result: { ...link, email: user.email }, audit: { targetType: 'user', targetId: user.id, organizationId: user.organization_id, details: { email: user.email } } };
  },
});

/** The reset a link's secret stands for, if it still works, with its user. */
export async function findUsableReset(db: import('knex').Knex, token: string) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const row = await db('password_resets as r')
    .join('users as u', 'u.id', 'r.user_id')
    .where({ 'r.token_hash': hashToken(token), 'u.active': true, 'u.kind': 'person' })
    .whereNull('r.used_at')
    .where('r.expires_at', '>', db.fn.now())
    .select('r.id', 'r.user_id', 'u.email')
    .first();
  return (row as { id: number; user_id: number; email: string } | undefined) ?? null;
}

/**
 * Set a new password through a reset link: once (a guarded update), before it expires. All the
 * user's sessions end. The actor is the link's user (the route resolves the link first).
 */
export const resetPassword = defineAction({
  name: 'user.password_reset',
  input: z.object({ token: z.string().max(200), new_password: passwordField }),
  async load(tx, input) {
    const r = await tx('password_resets as r')
      .join('users as u', 'u.id', 'r.user_id')
      .where({ 'r.token_hash': hashToken(input.token), 'u.active': true, 'u.kind': 'person' })
      .select('r.id', 'r.user_id', 'r.used_at', 'r.expires_at', 'u.email', 'u.organization_id')
      .first();
    if (!r) throw linkNotUsable();
    return r as { id: number; user_id: number; used_at: Date | null; expires_at: Date; email: string; organization_id: number | null };
  },
  authorize: (actor, r) => (canResetWithLink(actor, r.user_id) ? true : linkNotUsable()),
  async run({ tx, config }, _actor, r, input) {
    assertPasswordAcceptable(input.new_password, r.email, 'new_password');
    const used = await tx('password_resets').where({ id: r.id }).whereNull('used_at').where('expires_at', '>', tx.fn.now()).update({ used_at: tx.fn.now() });
    if (!used) throw new Conflict('Tautan ini sudah dipakai atau kedaluwarsa; minta tautan baru.', 'This link was already used or has expired; ask for a new one.');
    await tx('users').where({ id: r.user_id }).update({ password_hash: await hashPassword(input.new_password, config.scryptLogN), password_changed_at: tx.fn.now() });
    const ended = await endSessionsOf(tx, r.user_id);
    return { result: { id: r.user_id, email: r.email }, audit: { targetType: 'user', targetId: r.user_id, organizationId: r.organization_id, details: { email: r.email, sessions_ended: ended } } };
  },
});

const linkNotUsable = () => new NotFound('Tautan atur ulang kata sandi tidak berlaku atau sudah kedaluwarsa.', 'The password reset link is not valid or has expired.');

export { newResetLink };
