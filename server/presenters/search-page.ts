import type { TFunction } from 'i18next';
import { facetGroups, searchHref } from './facets';
import { pagination } from './pagination';
import { FACETS, SEARCH_SORTS, type SearchResult } from '../queries/search';
import { presentDataset } from './dataset';

type Query = Record<string, unknown> & { q?: string; sort?: string; page: number };

/** The search page's view-model: results, "did you mean", the sort menu, facet groups and the chips of what is chosen. */
export function presentSearchPage(r: SearchResult, query: Query, opts: { base: string; lang: string; t: TFunction; perPage: number }) {
  const { t } = opts;
  const chosen = FACETS.map((f) => f.key).filter((k) => query[k] !== undefined && query[k] !== '');
  const label = (key: string, value: string) => {
    if (key === 'frequency') return t(`frequency.${value}`);
    if (key === 'region') return t(`search.region.${value}`);
    return r.facets[key]?.find((f) => f.key === value)?.label ?? value;
  };
  const pairs = (omit: string[]) =>
    Object.entries(query)
      .filter(([k, v]) => !omit.includes(k) && k !== 'page' && v !== undefined && v !== '')
      .map(([name, value]) => ({ name, value: String(value) }));
  const current = query.sort ?? (query.q ? 'relevance' : 'newest');
  return {
    query,
    datasets: r.rows.map((d) => presentDataset(d, opts)),
    total: r.total,
    suggestion: r.suggestion ? { q: r.suggestion.q, original: query.q ?? '', href: searchHref({ ...query }, 'q', r.suggestion.q) } : null,
    sorts: SEARCH_SORTS.filter((s) => s !== 'relevance' || query.q).map((s) => ({ value: s, label: t(`search.sortBy.${s}`), selected: current === s })),
    // The words form keeps the facets and the sort; the sort form keeps the words and the facets.
    hidden: pairs(['q']),
    sortHidden: pairs(['sort']),
    activeFilters: chosen.map((k) => ({ title: t(`search.facet.${k}`), label: label(k, String(query[k])), href: searchHref(query, k, null) })),
    facetGroups: facetGroups(r.facets, query, t),
    pager: pagination(query.page, r.total, opts.perPage),
  };
}
