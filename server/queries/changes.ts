import type { Knex } from 'knex';
import { visibleDatasetsScope } from '../policies/dataset';

// The change feed for harvesters: what happened to the public catalog, in order. Publications
// come from the versions themselves (however they were published: review or a release
// schedule); metadata changes and retractions from the audit log. Only datasets that are
// public now show their history; a dataset taken off the public catalog (retracted, or its
// access closed) shows only that it left, so a harvester can delete it, and nothing else.

export type ChangeType = 'published' | 'version_published' | 'metadata_changed' | 'retracted';

export interface ChangeRow {
  type: ChangeType;
  slug: string;
  version: number | null;
  at: string;
  key: string;
}

/** A position in the feed: after the event at `at` (microseconds, UTC) with key `key`. */
export interface ChangeCursor {
  at: string;
  key: string;
}

const AT = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Changes after `after` (a cursor) or since a time, oldest first, at most `limit`. */
export async function listChanges(db: Knex, after: ChangeCursor | { since: Date } | null, limit: number): Promise<ChangeRow[]> {
  const publicIds = db('datasets as d').modify(visibleDatasetsScope(null)).select('d.id');
  const publications = db('versions as v')
    .join('datasets as d', 'd.id', 'v.dataset_id')
    .whereIn('v.state', ['published', 'superseded'])
    .whereNotNull('v.published_at')
    .whereIn('v.dataset_id', publicIds)
    .select(
      db.raw(`CASE WHEN v.number = (SELECT min(v2.number) FROM versions v2 WHERE v2.dataset_id = v.dataset_id AND v2.state IN ('published','superseded')) THEN 'published' ELSE 'version_published' END AS type`),
      'd.slug',
      'v.number as version',
      'v.published_at as at_ts',
      db.raw(`'v' || lpad(v.id::text, 12, '0') AS key`),
    );
  const firstPublished = `(SELECT min(v3.published_at) FROM versions v3 WHERE v3.dataset_id = a.dataset_id AND v3.state IN ('published','superseded'))`;
  const metadata = db('audit_events as a')
    .join('datasets as d', 'd.id', 'a.dataset_id')
    .where('a.action', 'dataset.update')
    .whereIn('a.dataset_id', publicIds)
    .whereRaw(`a.at > ${firstPublished}`)
    .whereRaw("coalesce(a.details->'access'->'access_level'->>'from', '') <> 'terbuka'")
    .select(db.raw(`'metadata_changed' AS type`), 'd.slug', db.raw('NULL::int AS version'), 'a.at as at_ts', db.raw(`'a' || lpad(a.id::text, 12, '0') AS key`));
  const restored = db('audit_events as a')
    .join('datasets as d', 'd.id', 'a.dataset_id')
    .where('a.action', 'dataset.retract')
    .whereRaw("a.details->>'retracted' = 'false'")
    .whereIn('a.dataset_id', publicIds)
    .select(db.raw(`'published' AS type`), 'd.slug', db.raw('NULL::int AS version'), 'a.at as at_ts', db.raw(`'a' || lpad(a.id::text, 12, '0') AS key`));
  // Leaving the public catalog: a retraction, or closing the access of an open dataset.
  const left = db('audit_events as a')
    .join('datasets as d', 'd.id', 'a.dataset_id')
    .whereRaw(`a.at > ${firstPublished}`)
    .where((w) =>
      w
        .where((r) => r.where('a.action', 'dataset.retract').whereRaw("a.details->>'retracted' = 'true'").where('d.access_level', 'terbuka'))
        .orWhere((r) => r.where('a.action', 'dataset.update').whereRaw("a.details->'access'->'access_level'->>'from' = 'terbuka'")),
    )
    .select(db.raw(`'retracted' AS type`), 'd.slug', db.raw('NULL::int AS version'), 'a.at as at_ts', db.raw(`'a' || lpad(a.id::text, 12, '0') AS key`));

  const q = db
    .from(publications.unionAll([metadata, restored, left]).as('c'))
    .select('type', 'slug', 'version', db.raw(`${AT('at_ts')} AS at`), 'key')
    .orderBy([{ column: 'at_ts' }, { column: 'key' }])
    .limit(limit);
  if (after && 'since' in after) q.where('at_ts', '>', after.since);
  else if (after) q.whereRaw('(at_ts, key) > (?::timestamptz, ?)', [after.at, after.key]);
  return q;
}

/** The newest publications of the public catalog (the Atom feed), newest first. */
export async function recentPublications(db: Knex, limit: number) {
  return db('versions as v')
    .join('datasets as d', 'd.id', 'v.dataset_id')
    .join('organizations as o', 'o.id', 'd.organization_id')
    .whereIn('v.state', ['published', 'superseded'])
    .whereNotNull('v.published_at')
    .whereIn('v.dataset_id', db('datasets as d').modify(visibleDatasetsScope(null)).select('d.id'))
    .orderBy([{ column: 'v.published_at', order: 'desc' }, { column: 'v.id', order: 'desc' }])
    .limit(limit)
    .select('d.slug', 'd.title', 'd.description', 'v.uuid', 'v.number', 'v.published_at', 'v.row_count', 'o.name as org_name');
}
