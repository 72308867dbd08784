import type { Knex } from 'knex';
import type { ColumnRow, DatasetJoinedRow, VersionRow } from '../db/rows';
import { AppError, datasetNotFound } from '../errors';
import type { Actor } from '../policies/actor';
import { canOpenVersionPage, canViewVersion } from '../policies/version';
import type { Quality } from '../quality/score';
import { computeQuality } from '../quality/refresh';
import { findVersion, listVersions, versionColumns } from './datasets';
import { queryRows } from './rows';
import { versionCacheKey } from './version-cache';
import { diffBaseFor, previousSubmission, versionDiff } from './version-diff';

export const PREVIEW_ROWS = 20;
export const CELLS_PER_PAGE = 25;
/** Above this many rows the diff is computed when the reviewer asks (it scans both tables). */
const DIFF_INLINE_ROWS = 200_000;

/** A review of the conversation, with the version it was about and its author. */
export interface VersionReviewRow {
  decision: string;
  stage: string | null;
  comment: string | null;
  override_reason: string | null;
  created_at: Date;
  version_number: number;
  author_name: string | null;
  author_role: string | null;
}

/** A version the diff may compare against: the one submitted before, or the published one. */
export interface DiffBase {
  number: number;
  kind: 'previous' | 'published' | 'previous_published';
}

/** Everything the version page (producer's preview and reviewer's check) shows, as loaded. */
export interface VersionPage {
  dataset: DatasetJoinedRow;
  version: VersionRow;
  columns: ColumnRow[];
  versions: Awaited<ReturnType<typeof listVersions>>;
  /** The page of rows of the loaded table; an error when the asked sort is refused; null without a table. */
  rows: { rows: Record<string, unknown>[]; total: number; page: number } | { error: AppError } | null;
  reviews: VersionReviewRow[];
  bases: DiffBase[];
  against: DiffBase | null;
  diff: Awaited<ReturnType<typeof versionDiff>> | null;
  diffOnRequest: boolean;
  cellsPage: number;
  quality: Quality | null;
}

/** Loads the version page: the version and its dataset, a page of its rows, the review conversation, the diff and the quality. */
export async function loadVersionPage(
  db: Knex,
  actor: Actor | null,
  slug: string,
  number: number,
  opts: { timeZone: string; page?: number; sort?: string; diff?: boolean; cellsPage?: number; against?: number },
): Promise<VersionPage> {
  const { dataset: d, version: v } = await findVersion(db, actor, slug, number);
  if (!canOpenVersionPage(actor, d, v)) throw datasetNotFound();
  const [columns, versions] = await Promise.all([versionColumns(db, v.id), listVersions(db, actor, d)]);
  const page = opts.page ?? 1;
  let rows: VersionPage['rows'] = null;
  if (v.table_name) {
    try {
      rows = { ...(await queryRows(db, v.table_name, columns, { limit: PREVIEW_ROWS, offset: (page - 1) * PREVIEW_ROWS, sort: opts.sort }, v.row_count, versionCacheKey(v))), page };
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      rows = { error: err };
    }
  }
  // The conversation across every version the actor may see: a resubmission keeps its context.
  const visibleIds = versions.map((x) => x.id);
  const reviews = (
    (await db('reviews as r')
      .leftJoin('users as u', 'u.id', 'r.author_id')
      .join('versions as rv', 'rv.id', 'r.version_id')
      .whereIn('r.version_id', visibleIds.length ? visibleIds : [v.id])
      .orderBy('r.id')
      .select('r.decision', 'r.stage', 'r.comment', 'r.override_reason', 'r.created_at', 'rv.number as version_number', 'u.name as author_name', 'u.role as author_role')) as VersionReviewRow[]
  ).map((x) => ({ ...x, version_number: Number(x.version_number) }));
  // The diff against the version submitted before (a resubmission) and against the published one.
  const published = await diffBaseFor(db, d, v);
  const previous = await previousSubmission(db, v);
  const bases: DiffBase[] = [
    ...(previous && previous.id !== published?.id && canViewVersion(actor, d, previous) ? [{ number: Number(previous.number), kind: 'previous' as const }] : []),
    ...(published ? [{ number: Number(published.number), kind: published.id === d.current_version_id ? ('published' as const) : ('previous_published' as const) }] : []),
  ];
  const against = bases.find((b) => b.number === opts.against) ?? bases[0] ?? null;
  let diff: VersionPage['diff'] = null;
  let diffOnRequest = false;
  const cellsPage = opts.cellsPage ?? 1;
  if (opts.diff !== undefined && v.table_name) {
    const big = Number(v.row_count ?? 0) > DIFF_INLINE_ROWS;
    if (big && !opts.diff) diffOnRequest = true;
    else diff = await versionDiff(db, actor, slug, number, { cells_limit: CELLS_PER_PAGE, cells_offset: (cellsPage - 1) * CELLS_PER_PAGE, against: against?.number });
  }
  const quality = v.table_name ? await computeQuality(db, opts.timeZone, d.id, v.id) : null;
  return { dataset: d, version: v, columns, versions, rows, reviews, bases, against, diff, diffOnRequest, cellsPage, quality };
}
