import type { TFunction } from 'i18next';
import { FACETS, type Facet } from '../queries/search';

const FIELDS = FACETS.map((f) => f.key);

/** The query string of a search with one parameter set (or cleared), back to page 1. */
export function searchHref(query: Record<string, unknown>, key: string, value: string | null): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if ((typeof v === 'string' || typeof v === 'number') && v !== '' && k !== key && k !== 'page') p.set(k, String(v));
  if (value) p.set(key, value);
  const s = p.toString();
  return `/dataset${s ? `?${s}` : ''}`;
}

/** Facet groups for the search sidebar, each item with its toggle link. */
export function facetGroups(facets: Record<string, Facet[]>, query: Record<string, unknown>, t: TFunction) {
  return FIELDS.filter((f) => facets[f]?.length).map((field) => ({
    field,
    title: t(`search.facet.${field}`),
    items: facets[field].map((f) => {
      const active = query[field] !== undefined && String(query[field]) === f.key;
      return {
        label: field === 'frequency' ? t(`frequency.${f.key}`) : field === 'region' ? t(`search.region.${f.key}`) : f.label,
        count: f.count,
        active,
        href: searchHref(query, field, active ? null : f.key),
      };
    }),
  }));
}
