import type { Knex } from 'knex';
import type { Actor, Role } from '../policies/actor';
import { hashToken } from './tokens';
import crypto from 'node:crypto';
import { hashPassword, verifyPassword } from './password';

interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  organization_id: number | null;
  password_hash: string;
  active: boolean;
}

function toActor(u: UserRow): Actor {
  return { id: u.id, role: u.role, organizationId: u.organization_id, email: u.email, name: u.name };
}

/** The actor for an active user id (a session), or null. */
export async function actorForUser(db: Knex, userId: number): Promise<Actor | null> {
  const u = await db<UserRow>('users').where({ id: userId, active: true }).first();
  return u ? toActor(u) : null;
}

/**
 * The actor for a bearer token that is not revoked nor expired, of an active user, or null; the
 * actor carries the token's id and scope. Notes when the token was used.
 */
export async function actorForToken(db: Knex, token: string): Promise<Actor | null> {
  const row = await db('api_tokens as t')
    .join('users as u', 'u.id', 't.user_id')
    .where({ 't.token_hash': hashToken(token), 'u.active': true })
    .whereNull('t.revoked_at')
    .where((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', db.fn.now()))
    .select('u.*', 't.id as token_id', 't.last_used_at', 't.scope as token_scope')
    .first();
  if (!row) return null;
  // Writing on every request would turn reads into writes; a minute's precision is enough.
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > 60_000) {
    await db('api_tokens').where({ id: row.token_id }).update({ last_used_at: db.fn.now() });
  }
  return { ...toActor(row as UserRow), token: { id: row.token_id, scope: row.token_scope } };
}

/**
 * The actor whose email and password match, or null. An unknown email costs one scrypt of the
 * same cost as a real check (`logN`, the cost new passwords are hashed with), so the time of
 * the answer does not tell which accounts exist.
 */
export async function actorForCredentials(db: Knex, email: string, password: string, logN: number): Promise<Actor | null> {
  const u = await db<UserRow>('users').whereRaw('lower(email) = lower(?)', [email.trim()]).first();
  const ok = await verifyPassword(password, u?.password_hash ?? (await dummyHash(logN)));
  return u && u.active && ok ? toActor(u) : null;
}

const dummies = new Map<number, Promise<string>>();

/** A hash of a random password at cost `logN`, made once per cost. */
export function dummyHash(logN: number): Promise<string> {
  let h = dummies.get(logN);
  if (!h) {
    h = hashPassword(crypto.randomBytes(24).toString('base64'), logN);
    dummies.set(logN, h);
  }
  return h;
}
