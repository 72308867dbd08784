import type { Knex } from 'knex';
import { AppError, datasetNotFound, userMessage } from '../../errors';
import { problemCount } from '../../ingest/report';
import type { Actor } from '../../policies/actor';
import type { DatasetRecord, VersionRecord } from '../../policies/records';
import { canManageRelease } from '../../policies/release';
import { canCommentVersion, canDecideVersion, canManageVersion, canReloadVersion, canSubmitVersion, canWithdrawVersion, isOwnWork, RELOADABLE, reviewStage, SUBMITTABLE, WITHDRAWABLE } from '../../policies/version';
import { presentDatasetDetail } from '../../presenters/dataset';
import { presentVersion } from '../../presenters/version';
import { findVersion, listVersions, versionColumns } from '../../queries/datasets';
import { queryRows } from '../../queries/rows';
import { versionCacheKey } from '../../queries/version-cache';
import { pagination } from '../../presenters/pagination';
import { evaluateChecklist } from '../../review/checklist';
import { diffBaseFor, previousSubmission, versionDiff } from '../../queries/version-diff';
import { canOpenVersionPage, canViewVersion } from '../../policies/version';
import { MS_IND_FIELDS, REQUIRED_MS_IND } from '../../metadata';
import { computeQuality } from '../../quality/refresh';
import { presentQuality } from '../../presenters/quality';

const PREVIEW_ROWS = 20;
const CELLS_PER_PAGE = 25;
/** Above this many rows the diff is computed when the reviewer asks (it scans both tables). */
const DIFF_INLINE_ROWS = 200_000;

/** Everything the version page (producer's preview and reviewer's check) shows. */
export async function versionView(
  db: Knex,
  actor: Actor | null,
  slug: string,
  number: number,
  opts: { base: string; lang: string; timeZone: string; page?: number; sort?: string; diff?: boolean; cellsPage?: number; against?: number },
) {
  const { dataset: d, version: v } = await findVersion(db, actor, slug, number);
  if (!canOpenVersionPage(actor, d, v)) throw datasetNotFound();
  const columns = await versionColumns(db, v.id);
  const versions = await listVersions(db, actor, d);
  const dataset = presentDatasetDetail(d, columns, versions, opts);
  const version = presentVersion(v, columns, d.slug, opts.base);
  const page = opts.page ?? 1;
  let preview: { header: string[]; rows: Array<Array<{ value: unknown; type: string }>>; pager?: ReturnType<typeof pagination>; fromSample: boolean; error?: string } | null = null;
  if (v.table_name) {
    try {
      const { rows, total } = await queryRows(db, v.table_name, version.columns, { limit: PREVIEW_ROWS, offset: (page - 1) * PREVIEW_ROWS, sort: opts.sort }, v.row_count, versionCacheKey(v));
      preview = {
        header: version.columns.map((c) => c.name),
        rows: rows.map((row) => version.columns.map((c) => ({ value: row[c.name], type: c.type }))),
        pager: pagination(page, total, PREVIEW_ROWS),
        fromSample: false,
      };
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      preview = { header: [], rows: [], fromSample: false, error: userMessage(err, opts.lang as 'id' | 'en') };
    }
  } else if (version.sample?.length) {
    preview = {
      header: version.columns.map((c) => c.label),
      rows: version.sample.map((cells) => cells.map((value) => ({ value, type: 'text' }))),
      fromSample: true,
    };
  }
  // The conversation across every version the actor may see: a resubmission keeps its context.
  const visibleIds = versions.map((x) => x.id);
  const reviews = (
    await db('reviews as r')
      .leftJoin('users as u', 'u.id', 'r.author_id')
      .join('versions as rv', 'rv.id', 'r.version_id')
      .whereIn('r.version_id', visibleIds.length ? visibleIds : [v.id])
      .orderBy('r.id')
      .select('r.decision', 'r.stage', 'r.comment', 'r.override_reason', 'r.created_at', 'rv.number as version_number', 'u.name as author_name', 'u.role as author_role')
  ).map((x) => ({ ...x, version_number: Number(x.version_number), current: Number(x.version_number) === Number(v.number) }));
  const threadVersions = new Set(reviews.map((x) => x.version_number)).size;
  const rec = v as VersionRecord;
  const ds = d as DatasetRecord;
  const checklist = evaluateChecklist(dataset, version, version.columns).map((item) => ({
    ...item,
    verdict: item.pass === null ? 'na' : item.pass ? 'pass' : 'fail',
    reasons: item.reasons.map((r) => (opts.lang === 'en' ? r.en : r.id)),
  }));
  // The diff against the version submitted before (a resubmission) and against the published one.
  const published = await diffBaseFor(db, d, v);
  const previous = await previousSubmission(db, v);
  const bases = [
    ...(previous && previous.id !== published?.id && canViewVersion(actor, d, previous) ? [{ number: Number(previous.number), kind: 'previous' as const }] : []),
    ...(published ? [{ number: Number(published.number), kind: (published.id === d.current_version_id ? 'published' : 'previous_published') as 'published' | 'previous_published' }] : []),
  ];
  const against = bases.find((b) => b.number === opts.against) ?? bases[0] ?? null;
  let diff: Awaited<ReturnType<typeof versionDiff>> | null = null;
  let diffOnRequest = false;
  const cellsPage = opts.cellsPage ?? 1;
  if (opts.diff !== undefined && v.table_name) {
    const big = Number(v.row_count ?? 0) > DIFF_INLINE_ROWS;
    if (big && !opts.diff) diffOnRequest = true;
    else diff = await versionDiff(db, actor, slug, number, { cells_limit: CELLS_PER_PAGE, cells_offset: (cellsPage - 1) * CELLS_PER_PAGE, against: against?.number });
  }
  const quality = v.table_name ? presentQuality(await computeQuality(db, opts.timeZone, d.id, v.id), opts.lang) : null;
  return {
    dataset,
    version,
    quality,
    preview,
    checklist,
    diff: diff && {
      ...diff,
      cellsPager: pagination(cellsPage, diff.cells_total ?? 0, CELLS_PER_PAGE),
      examples: diff.rows.examples.map((e) => ({
        ...e,
        keyText: Object.entries(e.key).map(([k, val]) => `${k}: ${val}`).join(', '),
        rowText: e.row ? Object.entries(e.row).map(([k, val]) => `${k}: ${val ?? '–'}`).join(', ') : null,
      })),
      cells: (diff.cells ?? []).map((c) => ({ ...c, keyText: Object.entries(c.key).map(([k, val]) => `${k}: ${val}`).join(', ') })),
    },
    diffOnRequest,
    diffBases: bases.map((b) => ({ ...b, active: b.number === against?.number })),
    diffAgainstKind: against?.kind ?? null,
    reviews,
    threadVersions,
    msInd: MS_IND_FIELDS.map((f) => ({ field: f, value: dataset.metadata[f], required: REQUIRED_MS_IND.includes(f) })),
    schedule: v.state === 'scheduled' ? { at: v.publish_at } : null,
    stage: reviewStage(rec),
    can: {
      manage: canManageVersion(actor, ds),
      submit: canSubmitVersion(actor, ds, rec) && SUBMITTABLE.includes(rec.state) && Boolean(v.table_name) && version.report.errors.length === 0,
      withdraw: canWithdrawVersion(actor, ds, rec) && WITHDRAWABLE.includes(rec.state),
      reload: canReloadVersion(actor, ds, rec) && RELOADABLE.includes(rec.state),
      decide: reviewStage(rec) !== null && canDecideVersion(actor, ds, rec),
      release: v.state === 'scheduled' && canManageRelease(actor),
      comment: canCommentVersion(actor, ds, rec),
      ownWork: isOwnWork(actor, rec),
    },
    errorCount: problemCount(version.report, 'errors'),
    warningCount: problemCount(version.report, 'warnings'),
  };
}
