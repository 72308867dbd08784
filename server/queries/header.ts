import type { Knex } from 'knex';
import type { Actor } from '../policies/actor';
import { canUseReviewQueue } from '../policies/review';
import { unreadCount } from './notifications';
import { reviewQueue } from './review';

/** The signed-in header's counts: unread notifications, and for a reviewer the versions waiting for their decision. */
export async function headerCounts(db: Knex, actor: Actor | null): Promise<{ unread?: number; queueCount?: number }> {
  if (!actor) return {};
  const [unread, queue] = await Promise.all([
    actor.id ? unreadCount(db, actor.id) : undefined,
    canUseReviewQueue(actor) ? reviewQueue(db, actor, {}) : undefined,
  ]);
  return {
    ...(unread !== undefined ? { unread } : {}),
    ...(queue ? { queueCount: queue.filter((i) => i.can_review).length } : {}),
  };
}
