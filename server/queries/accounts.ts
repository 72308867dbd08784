import type { Knex } from 'knex';
import type { OrganizationRow } from '../db/rows';
import { escapeLike } from './search';

/** A user as the admin's pages list them (never the password hash). */
export interface AdminUserRow {
  id: number;
  email: string;
  name: string;
  role: 'admin' | 'walidata' | 'pembina' | 'produsen';
  active: boolean;
  last_login_at: Date | null;
  created_at: Date;
  deactivated_at: Date | null;
  organization_slug: string | null;
  organization_name: string | null;
  organization_active: boolean | null;
  active_tokens: number;
}


/** Users filtered by text (e-mail or name), role, organization and state; newest first, paged. */
export async function listUsers(
  db: Knex,
  f: { q?: string; role?: string; org?: string; state?: 'active' | 'inactive'; page: number; per_page: number },
): Promise<{ rows: AdminUserRow[]; total: number }> {
  const base = db('users as u').leftJoin('organizations as o', 'o.id', 'u.organization_id').where('u.kind', 'person');
  if (f.q) base.where((w) => w.whereRaw("u.email ILIKE '%' || ? || '%' ESCAPE '\\'", [escapeLike(f.q!)]).orWhereRaw("u.name ILIKE '%' || ? || '%' ESCAPE '\\'", [escapeLike(f.q!)]));
  if (f.role) base.where('u.role', f.role);
  if (f.org) base.where('o.slug', f.org);
  if (f.state) base.where('u.active', f.state === 'active');
  const [{ n }] = await base.clone().count<{ n: string }[]>({ n: '*' });
  const rows = await base
    .select(
      'u.id', 'u.email', 'u.name', 'u.role', 'u.active', 'u.last_login_at', 'u.created_at', 'u.deactivated_at',
      'o.slug as organization_slug', 'o.name as organization_name', 'o.active as organization_active',
      db.raw('(SELECT count(*)::int FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())) AS active_tokens'),
    )
    .orderBy('u.created_at', 'desc')
    .orderBy('u.id', 'desc')
    .limit(f.per_page)
    .offset((f.page - 1) * f.per_page);
  return { rows: rows as AdminUserRow[], total: Number(n) };
}

/** One user for the admin's page, or undefined. */
export async function findUserForAdmin(db: Knex, id: number): Promise<AdminUserRow | undefined> {
  const row = await db('users as u')
    .leftJoin('organizations as o', 'o.id', 'u.organization_id')
    .where('u.id', id)
    .where('u.kind', 'person')
    .select(
      'u.id', 'u.email', 'u.name', 'u.role', 'u.active', 'u.last_login_at', 'u.created_at', 'u.deactivated_at',
      'o.slug as organization_slug', 'o.name as organization_name', 'o.active as organization_active',
      db.raw('(SELECT count(*)::int FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())) AS active_tokens'),
    )
    .first();
  return row as AdminUserRow | undefined;
}

/** How many browser sessions a user has open now. */
export async function openSessionCount(db: Knex, userId: number): Promise<number> {
  const [{ n }] = await db('sessions').whereRaw("(sess->>'userId') = ?", [String(userId)]).where('expire', '>', db.fn.now()).count<{ n: string }[]>({ n: '*' });
  return Number(n);
}

/** An organization as the admin lists it, with its members and datasets counted. */
export interface AdminOrgRow extends Omit<OrganizationRow, 'uuid' | 'created_at'> {
  active: boolean;
  members: number;
  active_members: number;
  datasets: number;
}

function orgQuery(db: Knex) {
  return db('organizations as o')
    .select(
      'o.id', 'o.slug', 'o.name', 'o.short_name', 'o.kind', 'o.description', 'o.contact_email', 'o.website', 'o.active',
      db.raw('(SELECT count(*)::int FROM users u WHERE u.organization_id = o.id) AS members'),
      db.raw('(SELECT count(*)::int FROM users u WHERE u.organization_id = o.id AND u.active) AS active_members'),
      db.raw('(SELECT count(*)::int FROM datasets d WHERE d.organization_id = o.id) AS datasets'),
    )
    .orderBy('o.kind')
    .orderBy('o.name');
}

/** Every organization, by kind and name (the admin's list; inactive ones too). */
export async function listOrganizationsForAdmin(db: Knex, f: { q?: string; kind?: string } = {}): Promise<AdminOrgRow[]> {
  const q = orgQuery(db);
  if (f.q) q.where((w) => w.whereRaw("o.name ILIKE '%' || ? || '%' ESCAPE '\\'", [escapeLike(f.q!)]).orWhereRaw("o.slug ILIKE '%' || ? || '%' ESCAPE '\\'", [escapeLike(f.q!)]));
  if (f.kind) q.where('o.kind', f.kind);
  return (await q) as AdminOrgRow[];
}

/** One organization for the admin's edit page, or undefined. */
export async function findOrganizationForAdmin(db: Knex, slug: string): Promise<AdminOrgRow | undefined> {
  return (await orgQuery(db).where('o.slug', slug).first()) as AdminOrgRow | undefined;
}
