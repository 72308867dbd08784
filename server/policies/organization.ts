import { Actor, isAdmin } from './actor';

/** Create organizations and users, and manage roles: the operator. */
export function canManageAccounts(actor: Actor | null): boolean {
  return isAdmin(actor);
}

/** Issue an API token for a user: that user, or the operator. */
export function canIssueToken(actor: Actor | null, userId: number): boolean {
  return isAdmin(actor) || (actor?.id != null && actor.id === userId);
}

/** Read the whole audit log: the operator. */
export function canViewAudit(actor: Actor | null): boolean {
  return isAdmin(actor);
}
