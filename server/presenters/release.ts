import type { ReleaseRow } from '../queries/releases';
import { localDay, mondayOf } from '../manage/calendar';
import type { ReleaseOut } from './schemas/management';

/** One release as the calendar, its feeds and the API show it. */
export function presentRelease(r: ReleaseRow, opts: { base: string; lang: string }) {
  const out = {
    dataset: {
      slug: r.slug,
      title: opts.lang === 'en' && r.title_en ? r.title_en : r.title,
      organization: { slug: r.org_slug, name: r.org_name, short_name: r.org_short_name },
      topic: r.topic_slug ? { slug: r.topic_slug, name: (opts.lang === 'en' ? r.topic_name_en : r.topic_name_id) ?? r.topic_slug } : null,
      frequency: r.frequency,
    },
    version: r.number,
    status: r.state === 'scheduled' ? ('scheduled' as const) : ('published' as const),
    at: r.at.toISOString(),
    /** The dataset's public page, once it has one (a first version that is still scheduled has none). */
    url: r.live ? `${opts.base}/dataset/${r.slug}` : null,
    id: `release-${r.version_id}`,
  };
  return out satisfies ReleaseOut;
}
export type ReleaseView = ReturnType<typeof presentRelease>;

/** Releases grouped by the week (Monday first, in the portal's zone) they fall in. */
export function byWeek<T extends { at: string }>(items: T[], zone: string): Array<{ monday: string; items: T[] }> {
  const weeks = new Map<string, T[]>();
  for (const it of items) {
    const key = mondayOf(localDay(new Date(it.at), zone));
    (weeks.get(key) ?? weeks.set(key, []).get(key)!).push(it);
  }
  return [...weeks.entries()].map(([monday, list]) => ({ monday, items: list }));
}

