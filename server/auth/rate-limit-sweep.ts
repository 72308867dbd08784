// The counters of the sign-in limits (rate_limits, rate-limiter-flexible's PostgreSQL store) get a
// row per address and per e-mail ever tried: without cleaning, the table grows with every
// address that ever knocked. The workers' sweep deletes the counters that have run out.
import type { Knex } from 'knex';

/** How long after its expiry a counter is kept (an expired counter counts nothing already). */
export const RATE_LIMIT_GRACE_MS = 60 * 60 * 1000;

/** Deletes the rate-limit counters that expired more than RATE_LIMIT_GRACE_MS ago; how many went. */
export async function clearExpiredRateLimits(db: Knex, now = Date.now()): Promise<number> {
  return db('rate_limits').where('expire', '<', now - RATE_LIMIT_GRACE_MS).delete();
}
