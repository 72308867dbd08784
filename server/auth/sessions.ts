import type { Knex } from 'knex';

/**
 * Ends a user's browser sessions (all of them, or all but `exceptSid`): they are deleted from the
 * session store that every app process reads, so the next request of each is signed out.
 */
export async function endSessionsOf(db: Knex | Knex.Transaction, userId: number, exceptSid?: string): Promise<number> {
  const q = db('sessions').whereRaw("(sess->>'userId') = ?", [String(userId)]);
  if (exceptSid) q.whereNot('sid', exceptSid);
  return q.delete();
}
