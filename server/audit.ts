import type { Knex } from 'knex';
import type { Actor } from './policies/actor';

/** What one performed action records in the audit log. */
export interface AuditEntry {
  targetType: 'organization' | 'user' | 'dataset' | 'version' | 'token' | 'data_list_item' | 'data_request' | 'organization_reminder' | 'home_page' | 'webhook' | 'harvest_source' | 'wilayah';
  targetId: string | number | null;
  datasetId?: number | null;
  versionId?: number | null;
  organizationId?: number | null;
  details?: Record<string, unknown>;
}

/** Appends one event to the audit log (inside the caller's transaction). */
export async function recordAudit(
  tx: Knex | Knex.Transaction,
  actor: Actor | null,
  action: string,
  audit: AuditEntry,
  ip?: string,
): Promise<void> {
  await tx('audit_events').insert({
    actor_id: actor?.id ?? null,
    // System actors carry their label as their e-mail: 'cli' (operator commands), 'sistem:jadwal-rilis' (the scheduler).
    actor_label: actor ? actor.email : 'sistem',
    action,
    target_type: audit.targetType,
    target_id: audit.targetId === null ? null : String(audit.targetId),
    dataset_id: audit.datasetId ?? null,
    version_id: audit.versionId ?? null,
    organization_id: audit.organizationId ?? null,
    details: JSON.stringify(audit.details ?? {}),
    ip: ip ?? null,
  });
}
