import { problemCount } from '../ingest/report';
import type { Knex } from 'knex';
import type { Actor } from '../policies/actor';
import { isOwnWork } from '../policies/version';
import { canUseReviewQueue, reviewQueueScope } from '../policies/review';
import type { VersionRecord } from '../policies/records';

export interface QueueFilters {
  organization?: string;
  topic?: string;
}

/** The versions waiting for this actor's review (see policies/review.ts), oldest first. */
export async function reviewQueue(db: Knex, actor: Actor, filters: QueueFilters) {
  if (!canUseReviewQueue(actor)) return [];
  const q = db('versions as v')
    .join('datasets as d', 'd.id', 'v.dataset_id')
    .join('organizations as o', 'o.id', 'd.organization_id')
    .leftJoin('topics as t', 't.id', 'd.topic_id')
    .leftJoin('users as s', 's.id', 'v.submitted_by')
    .orderBy('v.submitted_at', 'asc')
    .select(
      'v.id', 'v.number', 'v.state', 'v.row_count', 'v.submitted_at', 'v.report', 'v.uploaded_by', 'v.submitted_by', 'v.dataset_id',
      'd.slug', 'd.title', 'd.prioritas', 'o.slug as org_slug', 'o.name as org_name', 'o.short_name as org_short_name',
      't.slug as topic_slug', 't.name_id as topic_name_id', 't.name_en as topic_name_en', 's.name as submitter_name',
      db.raw('extract(epoch from now() - v.submitted_at)::int as age_seconds'),
    );
  reviewQueueScope(actor)(q);
  if (filters.organization) q.where('o.slug', filters.organization);
  if (filters.topic) q.where('t.slug', filters.topic);
  const rows = await q;
  return rows.map((r) => ({
    dataset: { slug: r.slug as string, title: r.title as string, prioritas: Boolean(r.prioritas) },
    organization: { slug: r.org_slug as string, name: r.org_name as string, short_name: (r.org_short_name ?? null) as string | null },
    topic: r.topic_slug ? { slug: r.topic_slug as string, name_id: r.topic_name_id as string, name_en: r.topic_name_en as string } : null,
    version: Number(r.number),
    state: r.state as string,
    row_count: r.row_count == null ? null : Number(r.row_count),
    submitted_at: r.submitted_at,
    submitted_by: (r.submitter_name ?? null) as string | null,
    age_seconds: Number(r.age_seconds),
    warnings: problemCount(r.report, 'warnings'),
    can_review: !isOwnWork(actor, r as VersionRecord),
  }));
}
