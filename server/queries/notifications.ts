import type { Knex } from 'knex';

/** Unread notifications of a user (for the header count). */
export async function unreadCount(db: Knex, userId: number): Promise<number> {
  const [{ n }] = await db('notifications').where({ user_id: userId }).whereNull('read_at').count<{ n: number }[]>({ n: '*' });
  return Number(n);
}

/** A user's notifications, newest first, with the dataset and actor they are about. */
export function listNotifications(db: Knex, userId: number, limit = 50, offset = 0) {
  return db('notifications as n')
    .leftJoin('datasets as d', 'd.id', 'n.dataset_id')
    .leftJoin('versions as v', 'v.id', 'n.version_id')
    .leftJoin('users as a', 'a.id', 'n.actor_id')
    .where('n.user_id', userId)
    .orderBy('n.id', 'desc')
    .limit(limit)
    .offset(offset)
    .select('n.id', 'n.kind', 'n.details', 'n.read_at', 'n.created_at', 'd.slug', 'd.title', 'v.number', 'a.name as actor_name', 'a.role as actor_role');
}

/**
 * Marks a user's notifications read (all, or the given ids). Personal bookkeeping of one's own
 * inbox rows, not a change of the catalog: it goes through no action and leaves no audit event.
 */
export async function markRead(db: Knex, userId: number, ids?: number[]): Promise<number> {
  const q = db('notifications').where({ user_id: userId }).whereNull('read_at');
  if (ids) q.whereIn('id', ids);
  return q.update({ read_at: db.fn.now() });
}
