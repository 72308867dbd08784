import { SERVICE_EMAIL_DOMAIN } from '../actions/service-accounts';
import type { ServiceAccountRow } from '../queries/service-accounts';

/** A service account's slug (its e-mail's local part). */
export function serviceSlug(email: string): string {
  return email.endsWith(`@${SERVICE_EMAIL_DOMAIN}`) ? email.slice(0, -SERVICE_EMAIL_DOMAIN.length - 1) : email;
}

/** A service account for the operator (page and CLI): its slug, OPD, datasets, and its token's prefix only. */
export function presentServiceAccount(r: ServiceAccountRow) {
  return {
    id: r.id,
    slug: serviceSlug(r.email),
    name: r.name,
    active: r.active,
    organization: { slug: r.organization_slug, name: r.organization_name },
    datasets: r.datasets.map((d) => ({ slug: d.slug, title: d.title })),
    token: r.token_prefix ? { prefix: r.token_prefix, expires_at: r.token_expires_at, last_used_at: r.token_last_used_at } : null,
    created_at: r.created_at,
    deactivated_at: r.deactivated_at,
  };
}
