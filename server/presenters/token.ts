import type { TokenRow } from '../queries/tokens';
import type { TokenOut } from './schemas/management';

/** Whether a token still opens the API. */
export type TokenStatus = 'active' | 'expired' | 'revoked';

/** A token's status at `now`. */
export function tokenStatus(t: Pick<TokenRow, 'revoked_at' | 'expires_at'>, now = Date.now()): TokenStatus {
  if (t.revoked_at) return 'revoked';
  if (t.expires_at && new Date(t.expires_at).getTime() <= now) return 'expired';
  return 'active';
}

/** A token as its owner sees it (API and page): never the token itself nor its hash. */
export function presentToken(t: TokenRow): TokenOut {
  return {
    id: t.id,
    name: t.name,
    prefix: t.token_prefix,
    scope: t.scope,
    status: tokenStatus(t),
    created_at: t.created_at,
    expires_at: t.expires_at,
    last_used_at: t.last_used_at,
    revoked_at: t.revoked_at,
  };
}

/** A token as the operator's page lists it: with its owner and who issued it. */
export function presentTokenForAdmin(t: TokenRow) {
  return { ...presentToken(t), user: { email: t.user_email, name: t.user_name }, created_by: t.created_by_email };
}
