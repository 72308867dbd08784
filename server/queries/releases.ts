import type { Knex } from 'knex';

/** A release on the calendar: a scheduled publication, or one that happened. */
export interface ReleaseRow {
  version_id: number;
  number: number;
  state: 'scheduled' | 'published' | 'superseded';
  at: Date;
  slug: string;
  title: string;
  title_en: string | null;
  live: boolean;
  frequency: string;
  org_slug: string;
  org_name: string;
  org_short_name: string | null;
  topic_slug: string | null;
  topic_name_id: string | null;
  topic_name_en: string | null;
}

/**
 * The public release calendar between two instants: versions of open datasets scheduled to
 * publish (*jadwal rilis*) and versions published, oldest first. Closed and restricted datasets
 * never appear; a retracted dataset's publications neither. A scheduled version shows only its
 * dataset's title, organization and time — its data stays unpublished until then.
 */
export async function listReleases(db: Knex, range: { from: Date; to: Date; limit?: number }): Promise<ReleaseRow[]> {
  const rows = await db('versions as v')
    .join('datasets as d', 'd.id', 'v.dataset_id')
    .join('organizations as o', 'o.id', 'd.organization_id')
    .leftJoin('topics as t', 't.id', 'd.topic_id')
    .where('d.access_level', 'terbuka')
    .whereNull('d.retracted_at')
    .where((w) =>
      w
        .where((s) => s.where('v.state', 'scheduled').whereBetween('v.publish_at', [range.from, range.to]))
        .orWhere((p) => p.whereIn('v.state', ['published', 'superseded']).whereBetween('v.published_at', [range.from, range.to])),
    )
    .select(
      'v.id as version_id', 'v.number', 'v.state',
      db.raw("CASE WHEN v.state = 'scheduled' THEN v.publish_at ELSE v.published_at END AS at"),
      'd.slug', 'd.title', 'd.title_en', 'd.frequency', db.raw('(d.current_version_id IS NOT NULL) AS live'),
      'o.slug as org_slug', 'o.name as org_name', 'o.short_name as org_short_name',
      't.slug as topic_slug', 't.name_id as topic_name_id', 't.name_en as topic_name_en',
    )
    .orderBy('at', 'asc')
    .orderBy('v.id', 'asc')
    .limit(range.limit ?? 1000);
  return rows.map((r) => ({ ...r, at: new Date(r.at), number: Number(r.number), live: Boolean(r.live) }));
}

/** Scheduled versions of every dataset (any access level), soonest first: the walidata's list. */
export function scheduledVersions(db: Knex) {
  return db('versions as v')
    .join('datasets as d', 'd.id', 'v.dataset_id')
    .join('organizations as o', 'o.id', 'd.organization_id')
    .leftJoin('users as u', 'u.id', 'v.scheduled_by')
    .where('v.state', 'scheduled')
    .orderBy('v.publish_at')
    .select('v.id', 'v.number', 'v.publish_at', 'd.slug', 'd.title', 'd.access_level', 'd.prioritas', 'o.name as org_name', 'o.short_name as org_short_name', 'u.name as scheduled_by_name');
}
