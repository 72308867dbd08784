import type { Knex } from 'knex';
import { isDatabaseUnavailable } from './errors';
import { log } from './log';

/**
 * Keeps a portal process up through a database outage. Libraries that talk to PostgreSQL in the
 * background (the job queue marks a job done without awaiting it) may leave a rejected promise
 * behind when the server goes away; such a rejection is logged and the process serves on (every
 * request meanwhile answers 503, and the pools reconnect when the server is back). Any other
 * unhandled rejection still ends the process, as by default.
 */
export function surviveDatabaseOutages(): void {
  process.on('unhandledRejection', (reason) => {
    if (isDatabaseUnavailable(reason)) {
      log.warn({ reason: (reason as Error)?.message }, 'a background database call failed: the database is unavailable');
      return;
    }
    throw reason;
  });
}

/** Resolves once the database answers again (checking every second), or after `maxMs`. */
export async function untilReachable(db: Knex, maxMs = 10 * 60_000): Promise<boolean> {
  const end = Date.now() + maxMs;
  for (;;) {
    try {
      await db.raw('SELECT 1');
      return true;
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() > end) return false;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
