import type { Knex } from 'knex';
import { z } from 'zod';
import { Conflict, datasetNotFound, versionNotFound } from '../errors';
import type { Actor } from '../policies/actor';
import { canViewDataset, canViewWork } from '../policies/dataset';
import type { VersionState } from '../policies/records';
import type { VersionRow } from '../db/rows';
import { versionStage } from '../queries/stage';
import type { AuditEntry } from './action';
import { type DatasetRow, lockDataset } from './datasets';
import { slugSchema } from './schemas';

// How a version moves between states, for the version actions (versions.ts) and the automatic
// ones (automation, harvest): the locked version, the guarded transition and its 409,
// publication, and the audit entry every version action writes.

/** A version named by its dataset's slug and its number, as every version action takes it. */
export const versionRef = z.object({ slug: slugSchema, number: z.coerce.number().int().positive() });

/**
 * Loads a dataset and one of its versions, both locked, so concurrent decisions queue up. A
 * missing version of a dataset the actor may not know of reads as a missing dataset.
 */
export async function lockVersion(tx: Knex.Transaction, slug: string, number: number, actor: Actor | null): Promise<{ ds: DatasetRow; v: VersionRow }> {
  const ds = await lockDataset(tx, slug);
  const v = await tx('versions as v').where({ 'v.dataset_id': ds.id, 'v.number': number }).select('v.*', versionStage(tx, 'v')).forUpdate('v').first();
  if (!v) throw actor?.system || canViewDataset(actor, ds) || canViewWork(actor, ds) ? versionNotFound() : datasetNotFound();
  return { ds, v: v as VersionRow };
}

/**
 * Moves a version from one of `from` to `to` only if it is still there (guarded update): of two
 * concurrent requests, the second finds the state changed and gets a 409.
 */
export async function transition(
  tx: Knex.Transaction,
  v: VersionRow,
  from: readonly VersionState[],
  to: VersionState,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const n = await tx('versions')
    .where({ id: v.id })
    .whereIn('state', from)
    .update({ state: to, updated_at: tx.fn.now(), ...extra });
  if (n !== 1) throw stateConflict(v.state);
}

/** The 409 for an action the version's state does not allow. */
export function stateConflict(state: string): Conflict {
  return new Conflict(
    `Tindakan ini tidak dapat dilakukan pada versi berstatus "${state}".`,
    `This cannot be done to a version in state "${state}".`,
    { state },
  );
}

/** The audit entry of an action on a version. */
export function versionAudit(ds: DatasetRow, v: { id: number; number: number }, details?: Record<string, unknown>): AuditEntry {
  return { targetType: 'version', targetId: v.number, datasetId: ds.id, versionId: v.id, organizationId: ds.organization_id, details };
}

/**
 * Makes version `v` the dataset's current published version, in the caller's transaction: the
 * previous one becomes `superseded`. Guarded: only from one of `from`, else a 409.
 */
export async function publish(tx: Knex.Transaction, ds: DatasetRow, v: VersionRow, from: VersionState[]): Promise<void> {
  await tx('versions').where({ dataset_id: ds.id, state: 'published' }).whereNot({ id: v.id }).update({ state: 'superseded', updated_at: tx.fn.now() });
  await transition(tx, v, from, 'published', { published_at: tx.fn.now() });
  await tx('datasets').where({ id: ds.id }).update({ current_version_id: v.id, updated_at: tx.fn.now() });
}

/** The queue a scheduled version returns to when it is taken off the calendar. */
export function unscheduledState(ds: DatasetRow): VersionState {
  return ds.prioritas ? 'verified' : 'submitted';
}
