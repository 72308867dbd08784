import type { Knex } from 'knex';

/** One API token as stored, with its owner (never its hash). */
export interface TokenRow {
  id: number;
  name: string;
  token_prefix: string;
  scope: 'read' | 'write';
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  user_id: number;
  user_email: string;
  user_name: string;
  created_by_email: string | null;
}

/**
 * API tokens, newest first: one user's (`userId`), or everyone's whose owner's e-mail contains
 * `email` (the operator's page). Revoked and expired tokens are listed too unless `activeOnly`.
 */
export async function listTokens(db: Knex, f: { userId?: number; email?: string; activeOnly?: boolean; limit?: number }): Promise<TokenRow[]> {
  const q = db('api_tokens as t')
    .join('users as u', 'u.id', 't.user_id')
    .leftJoin('users as c', 'c.id', 't.created_by')
    .select(
      't.id', 't.name', 't.token_prefix', 't.scope', 't.expires_at', 't.last_used_at', 't.revoked_at', 't.created_at', 't.user_id',
      'u.email as user_email', 'u.name as user_name', 'c.email as created_by_email',
    )
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(f.limit ?? 500);
  if (f.userId !== undefined) q.where('t.user_id', f.userId);
  if (f.email) q.whereRaw("u.email ILIKE '%' || ? || '%' ESCAPE '\\'", [f.email.replace(/[\\%_]/g, '\\$&')]);
  if (f.activeOnly) q.whereNull('t.revoked_at').where((w) => w.whereNull('t.expires_at').orWhere('t.expires_at', '>', db.fn.now()));
  return q;
}
