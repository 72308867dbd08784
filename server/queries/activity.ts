import type { Knex } from 'knex';
import type { Actor } from '../policies/actor';
import { canViewWork } from '../policies/dataset';
import type { DatasetRecord } from '../policies/records';
import { findDataset } from './datasets';

/** Actions the public may see in a dataset's history: what reached or left the public site. */
const PUBLIC_ACTIONS = new Set(['version.review', 'version.publish_scheduled', 'version.publish_now', 'dataset.retract', 'dataset.create']);
/** Actions on a version the public sees only when they published it. */
const PUBLISHING = new Set(['version.review', 'version.publish_scheduled', 'version.publish_now']);

/**
 * A dataset's audit events the actor may see, newest first. Those who may see its work see all;
 * others see publications and retractions, without who did them.
 */
export async function datasetActivity(db: Knex, actor: Actor | null, slug: string, limit = 200) {
  const dataset = await findDataset(db, actor, slug);
  const full = canViewWork(actor, dataset as DatasetRecord);
  const rows = await db('audit_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .leftJoin('versions as v', 'v.id', 'e.version_id')
    .where('e.dataset_id', dataset.id)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .select('e.*', 'u.name as actor_name', 'u.role as actor_role', 'v.number as version_number');
  return rows
    .filter((e) => full || (PUBLIC_ACTIONS.has(e.action) && (!PUBLISHING.has(e.action) || e.details?.to === 'published')))
    .map((e) => ({
      at: e.at,
      action: e.action as string,
      version: e.version_number ?? null,
      actor: full ? { name: e.actor_name ?? e.actor_label, role: e.actor_role ?? null } : null,
      details: full ? e.details : e.action === 'dataset.retract' ? { retracted: e.details?.retracted, reason: e.details?.reason } : { to: e.details?.to ?? null },
    }));
}
