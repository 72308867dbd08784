import type { Knex } from 'knex';
import type { UserRow } from '../db/rows';
import type { Actor } from '../policies/actor';
import { hashToken } from './tokens';
import crypto from 'node:crypto';
import { hashPassword, verifyPassword } from './password';

function toActor(u: UserRow): Actor {
  return { id: u.id, role: u.role, organizationId: u.organization_id, email: u.email, name: u.name };
}

/**
 * Users who may act: active, and not members of a deactivated organization (admins belong to
 * none). Sessions, tokens and sign-in all ask this.
 */
function activeUsers(db: Knex, alias = 'u') {
  return db(`users as ${alias}`)
    .leftJoin('organizations as uo', 'uo.id', `${alias}.organization_id`)
    .where(`${alias}.active`, true)
    .where((w) => w.whereNull(`${alias}.organization_id`).orWhere('uo.active', true));
}

/**
 * The actor for an active user id (a session, a reset link, a pulled source's owner), or null.
 * Only people have sessions: a service account never gets one.
 */
export async function actorForUser(db: Knex, userId: number): Promise<Actor | null> {
  const u = await activeUsers(db).where('u.id', userId).where('u.kind', 'person').first('u.*');
  return u ? toActor(u as UserRow) : null;
}

/**
 * The actor for a bearer token that is not revoked nor expired, of an active user, or null; the
 * actor carries the token's id and scope. Notes when the token was used.
 */
export async function actorForToken(db: Knex, token: string): Promise<Actor | null> {
  const row = await activeUsers(db)
    .join('api_tokens as t', 't.user_id', 'u.id')
    .where({ 't.token_hash': hashToken(token) })
    .whereNull('t.revoked_at')
    .where((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', db.fn.now()))
    .select('u.*', 't.id as token_id', 't.last_used_at', 't.scope as token_scope')
    .first();
  if (!row) return null;
  const service = row.kind === 'service' ? { datasetIds: await serviceDatasetIds(db, row.id) } : undefined;
  // Writing on every request would turn reads into writes; a minute's precision is enough.
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > 60_000) {
    await db('api_tokens').where({ id: row.token_id }).update({ last_used_at: db.fn.now() });
  }
  return { ...toActor(row as UserRow), token: { id: row.token_id, scope: row.token_scope }, ...(service ? { service } : {}) };
}

/** The datasets a service account may push to (its scope). */
async function serviceDatasetIds(db: Knex, userId: number): Promise<number[]> {
  return (await db('service_account_datasets').where({ user_id: userId }).orderBy('dataset_id').pluck('dataset_id')).map(Number);
}

/**
 * The actor whose email and password match, or null. An unknown email costs one scrypt of the
 * same cost as a real check (`logN`, the cost new passwords are hashed with), so the time of
 * the answer does not tell which accounts exist.
 */
export async function actorForCredentials(db: Knex, email: string, password: string, logN: number): Promise<Actor | null> {
  const u = (await db('users as u').leftJoin('organizations as uo', 'uo.id', 'u.organization_id').whereRaw('lower(u.email) = lower(?)', [email.trim()]).where('u.kind', 'person').first('u.*', 'uo.active as org_active')) as
    | (UserRow & { org_active: boolean | null })
    | undefined;
  const ok = await verifyPassword(password, u?.password_hash ?? (await dummyHash(logN)));
  return u && u.active && u.org_active !== false && ok ? toActor(u) : null;
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
