import type { Request } from 'express';

// Crawlers announce themselves; their visits are not readers' and are left out of the counts.
const BOT = /bot\b|bot\/|crawler|spider|slurp|facebookexternalhit|embedly|preview|curl\/|wget\/|python-requests|httpclient|monitor/i;

/** Should this request count as a reader's view or download? GETs from non-crawlers only. */
export function countable(req: Request): boolean {
  if (req.method !== 'GET') return false;
  const ua = req.get('user-agent') ?? '';
  return !BOT.test(ua);
}
