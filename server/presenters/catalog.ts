import type { OrganizationRow, TopicRow } from '../db/rows';
import type { OrganizationOut, TopicOut } from './schemas/catalog';

/** Public fields of an organization. */
export function presentOrganization(o: Pick<OrganizationRow, 'slug' | 'name' | 'kind'> & Partial<OrganizationRow>, extra: { dataset_count?: number } = {}): OrganizationOut {
  return {
    slug: o.slug as string,
    name: o.name as string,
    short_name: (o.short_name ?? null) as string | null,
    kind: o.kind as 'opd' | 'walidata' | 'pembina' | 'kabkota',
    description: (o.description ?? null) as string | null,
    contact_email: (o.contact_email ?? null) as string | null,
    website: (o.website ?? null) as string | null,
    ...(extra.dataset_count !== undefined ? { dataset_count: Number(extra.dataset_count) } : {}),
  };
}
export type OrganizationView = ReturnType<typeof presentOrganization>;

/** Public fields of a topic, in the reader's language. */
export function presentTopic(t: Pick<TopicRow, 'slug' | 'name_id' | 'name_en'> & Partial<TopicRow>, lang: string, extra: { dataset_count?: number } = {}): TopicOut {
  return {
    slug: t.slug as string,
    name: (lang === 'en' ? t.name_en : t.name_id) as string,
    description: ((lang === 'en' ? t.description_en : t.description_id) ?? null) as string | null,
    ...(extra.dataset_count !== undefined ? { dataset_count: Number(extra.dataset_count) } : {}),
  };
}
export type TopicView = ReturnType<typeof presentTopic>;

/** The signed-in user as pages show them. */
export function presentUser(u: { id: number | null; email: string; name: string; role: string; organizationId: number | null }) {
  return { email: u.email, name: u.name, role: u.role };
}
