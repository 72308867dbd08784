import type { HarvestSourceRow } from '../actions/harvest';
import type { DatasetHarvestRow, HarvestRunRow } from '../exchange/harvest';
import { presentRunTiming, runError } from './run';
import { iso } from './time';

/** A harvest source as the API and the walidata's page show it. */
export function presentHarvestSource(s: HarvestSourceRow & { org_slug: string; org_name: string }) {
  return {
    id: s.id,
    kind: s.kind,
    url: s.url,
    name: s.name,
    review: s.review,
    schedule: s.schedule,
    organization: { slug: s.org_slug, name: s.org_name },
    enabled: s.enabled,
    next_run_at: iso(s.next_run_at),
    failures: s.failures,
    created_at: iso(s.created_at),
  };
}

/** One logged harvest run. */
export function presentHarvestRun(r: HarvestRunRow, lang: string) {
  return {
    ...presentRunTiming(r),
    result: r.result,
    seen: r.seen,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    retracted: r.retracted,
    failed: r.failed,
    error: runError(r, lang),
    problems: (r.problems ?? []).map((p) => ({ dataset: p.dataset, message: lang === 'en' ? p.en : p.id })),
  };
}

/** Where a harvested dataset came from, for its page ("Sumber: Portal Satu Data …"). */
export function presentHarvestOrigin(h: DatasetHarvestRow & { source_name: string }) {
  return {
    portal: h.source_name,
    url: h.remote_url,
    modified: iso(h.remote_modified),
    harvested_at: iso(h.harvested_at),
    links: (h.links ?? []).filter((l) => /^https?:\/\//i.test(l.url)).map((l) => ({ url: l.url, name: l.name, format: l.format })),
  };
}
