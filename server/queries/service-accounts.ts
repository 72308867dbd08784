import type { Knex } from 'knex';

/** A service account as the operator's page lists it (never a token or hash). */
export interface ServiceAccountRow {
  id: number;
  email: string;
  name: string;
  active: boolean;
  created_at: Date;
  deactivated_at: Date | null;
  organization_slug: string;
  organization_name: string;
  datasets: Array<{ slug: string; title: string }>;
  token_prefix: string | null;
  token_expires_at: Date | null;
  token_last_used_at: Date | null;
}

/** Every service account (or one), with its OPD, its datasets and its current token's prefix. */
export async function listServiceAccounts(db: Knex, f: { id?: number } = {}): Promise<ServiceAccountRow[]> {
  const q = db('users as u')
    .join('organizations as o', 'o.id', 'u.organization_id')
    .where('u.kind', 'service')
    .select(
      'u.id', 'u.email', 'u.name', 'u.active', 'u.created_at', 'u.deactivated_at', 'o.slug as organization_slug', 'o.name as organization_name',
      db.raw(`coalesce((SELECT json_agg(json_build_object('slug', d.slug, 'title', d.title) ORDER BY d.slug)
                 FROM service_account_datasets s JOIN datasets d ON d.id = s.dataset_id WHERE s.user_id = u.id), '[]') AS datasets`),
      db.raw(`(SELECT json_build_object('prefix', t.token_prefix, 'expires_at', t.expires_at, 'last_used_at', t.last_used_at)
                 FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL ORDER BY t.id DESC LIMIT 1) AS token`),
    )
    .orderBy('o.slug')
    .orderBy('u.email');
  if (f.id !== undefined) void q.where('u.id', f.id);
  const rows = (await q) as Array<Omit<ServiceAccountRow, 'token_prefix' | 'token_expires_at' | 'token_last_used_at'> & { token: { prefix: string; expires_at: string | null; last_used_at: string | null } | null }>;
  return rows.map(({ token, ...r }) => ({
    ...r,
    token_prefix: token?.prefix ?? null,
    token_expires_at: token?.expires_at ? new Date(token.expires_at) : null,
    token_last_used_at: token?.last_used_at ? new Date(token.last_used_at) : null,
  }));
}

/** The datasets of an OPD a service account may be given (for the admin's form). */
export async function datasetsOfOrganization(db: Knex, orgSlug: string): Promise<Array<{ slug: string; title: string }>> {
  return db('datasets as d').join('organizations as o', 'o.id', 'd.organization_id').where('o.slug', orgSlug).orderBy('d.title').select('d.slug', 'd.title');
}
