import type { Knex } from 'knex';

export type NotificationKind = 'submitted' | 'verified' | 'decision' | 'comment' | 'retracted' | 'scheduled' | 'released' | 'reminder' | 'request' | 'request_answered' | 'source_failed' | 'webhook_paused';

/** Active users with one of the roles. */
export function usersWithRole(tx: Knex | Knex.Transaction, roles: string[]): Promise<number[]> {
  return tx('users').whereIn('role', roles).where({ active: true }).pluck('id');
}

/** Active producers of an organization. */
export function producersOf(tx: Knex | Knex.Transaction, organizationId: number): Promise<number[]> {
  // People only: a service account reads no notices (and its rows, locked while its datasets are
  // chosen, must not be on the path of every notice to its OPD).
  return tx('users').where({ role: 'produsen', organization_id: organizationId, active: true, kind: 'person' }).pluck('id');
}

/**
 * Leaves an in-app notification for each recipient (never the actor themself), in the caller's
 * transaction: nobody hears of a change that was rolled back. `emailed_at` stays empty for a
 * later e-mail channel to pick up.
 */
export async function notify(
  tx: Knex.Transaction,
  n: { kind: NotificationKind; recipients: Array<number | null | undefined>; actorId: number | null; datasetId?: number | null; versionId?: number | null; details?: Record<string, unknown> },
): Promise<void> {
  const to = [...new Set(n.recipients.filter((id): id is number => typeof id === 'number' && id !== n.actorId))];
  if (to.length === 0) return;
  await tx('notifications').insert(
    to.map((user_id) => ({
      user_id,
      kind: n.kind,
      dataset_id: n.datasetId ?? null,
      version_id: n.versionId ?? null,
      actor_id: n.actorId,
      details: JSON.stringify(n.details ?? {}),
    })),
  );
}
