import type { Knex } from 'knex';

export interface AuditFilters {
  actor?: string;
  dataset?: string;
  action?: string;
  from?: string;
  to?: string;
  page: number;
  per_page: number;
  /** The portal's zone (TIME_ZONE): `from` and `to` are its calendar days. */
  timeZone: string;
}

/**
 * Audit events matching the filters, newest first, with the total. Times are stored in UTC; the
 * dates of the filter are days in the portal's zone, whatever the database session's zone is.
 */
export async function searchAudit(db: Knex, f: AuditFilters) {
  const q = db('audit_events as e')
    .leftJoin('datasets as d', 'd.id', 'e.dataset_id')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .leftJoin('versions as v', 'v.id', 'e.version_id');
  if (f.actor) q.where((w) => w.whereILike('e.actor_label', `%${f.actor}%`).orWhereILike('u.name', `%${f.actor}%`));
  if (f.dataset) q.where((w) => w.where('d.slug', f.dataset!).orWhereILike('d.title', `%${f.dataset}%`));
  if (f.action) q.where('e.action', f.action);
  if (f.from) q.where('e.at', '>=', db.raw('(?::date)::timestamp AT TIME ZONE ?', [f.from, f.timeZone]));
  if (f.to) q.where('e.at', '<', db.raw('(?::date + 1)::timestamp AT TIME ZONE ?', [f.to, f.timeZone]));
  const [{ n }] = await q.clone().count<{ n: number }[]>({ n: '*' });
  const rows = await q
    .orderBy('e.id', 'desc')
    .limit(f.per_page)
    .offset((f.page - 1) * f.per_page)
    .select('e.id', 'e.at', 'e.actor_label', 'e.action', 'e.target_type', 'e.target_id', 'e.details', 'e.ip', 'u.name as actor_name', 'd.slug', 'd.title', 'v.number as version_number');
  return { rows, total: Number(n) };
}

/** The distinct action names in the log (for the filter). */
export function auditActions(db: Knex): Promise<string[]> {
  return db('audit_events').distinct('action').orderBy('action').pluck('action');
}
