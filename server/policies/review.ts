import type { Knex } from 'knex';
import type { Actor } from './actor';
import type { VersionState } from './records';

// Who reviews what (SPEC §1, §3): the walidata decides on submissions; the pembina gives
// priority data its second check once the walidata has passed it (`verified`); the operator
// (admin) may do everything the walidata may — and so decides at the walidata's stage only.

/** The version states waiting for this actor's decision. */
export function reviewStatesFor(actor: Actor | null): VersionState[] {
  if (!actor || actor.system) return [];
  if (actor.role === 'walidata' || actor.role === 'admin') return ['submitted'];
  if (actor.role === 'pembina') return ['verified'];
  return [];
}

/** The stage an actor reviews at, or null for those who review nothing. */
export function reviewerStage(actor: Actor | null): 'walidata' | 'pembina' | null {
  const states = reviewStatesFor(actor);
  if (states.includes('submitted')) return 'walidata';
  if (states.includes('verified')) return 'pembina';
  return null;
}

/** Opens the review queue and pages (`/review`, `GET /api/v1/review-queue`): the reviewers. */
export function canUseReviewQueue(actor: Actor | null): boolean {
  return reviewerStage(actor) !== null;
}

/**
 * The queue's rows as SQL over `versions v` joined to `datasets d`: the states the actor
 * decides on, and for the pembina priority datasets only.
 */
export function reviewQueueScope(actor: Actor | null) {
  const states = reviewStatesFor(actor);
  return (qb: Knex.QueryBuilder): void => {
    if (states.length === 0) {
      void qb.whereRaw('false');
      return;
    }
    void qb.whereIn('v.state', states);
    if (actor?.role === 'pembina') void qb.where('d.prioritas', true);
  };
}

/** The stage a comment by this actor is recorded at. */
export function commentStage(actor: Actor): 'produsen' | 'walidata' | 'pembina' {
  if (actor.role === 'produsen') return 'produsen';
  if (actor.role === 'pembina') return 'pembina';
  return 'walidata';
}

/** Where a signed-in person starts: reviewers at their queue, everyone else at the workspace. */
export function homePath(actor: Actor): '/review' | '/dashboard' {
  return actor.role === 'walidata' || actor.role === 'pembina' ? '/review' : '/dashboard';
}
