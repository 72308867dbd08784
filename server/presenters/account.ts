import type { AdminOrgRow, AdminUserRow } from '../queries/accounts';

/** A user as the admin's pages show them: allow-listed fields, never the hash. */
export function presentAdminUser(u: AdminUserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    active: u.active,
    last_login_at: u.last_login_at,
    created_at: u.created_at,
    deactivated_at: u.deactivated_at,
    organization: u.organization_slug ? { slug: u.organization_slug, name: u.organization_name, active: u.organization_active } : null,
    active_tokens: u.active_tokens,
  };
}

/** An organization as the admin's pages show it. */
export function presentAdminOrganization(o: AdminOrgRow) {
  return {
    slug: o.slug,
    name: o.name,
    short_name: o.short_name,
    kind: o.kind,
    description: o.description,
    contact_email: o.contact_email,
    website: o.website,
    active: o.active,
    members: o.members,
    active_members: o.active_members,
    datasets: o.datasets,
  };
}
