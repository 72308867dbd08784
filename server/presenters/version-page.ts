import { userMessage } from '../errors';
import { problemCount } from '../ingest/report';
import { MS_IND_FIELDS, REQUIRED_MS_IND } from '../metadata';
import type { Actor } from '../policies/actor';
import type { DatasetRecord, VersionRecord } from '../policies/records';
import { canManageRelease } from '../policies/release';
import { canCommentVersion, canDecideVersion, canManageVersion, canReloadVersion, canSubmitVersion, canWithdrawVersion, isOwnWork, RELOADABLE, reviewStage, SUBMITTABLE, WITHDRAWABLE } from '../policies/version';
import { CELLS_PER_PAGE, PREVIEW_ROWS, type VersionPage } from '../queries/version-page';
import { evaluateChecklist } from '../review/checklist';
import { presentDatasetDetail } from './dataset';
import { pagination } from './pagination';
import { presentQuality } from './quality';
import { presentVersion } from './version';

/** `name: value, …` of a row's key or cells. */
const pairsText = (o: Record<string, unknown>, empty = '') => Object.entries(o).map(([k, val]) => `${k}: ${val ?? empty}`).join(', ');

/** The table preview: a page of the loaded table's rows, or the sample kept of a version without a table. */
function presentPreview(page: VersionPage, version: ReturnType<typeof presentVersion>, lang: 'id' | 'en') {
  const rows = page.rows;
  if (rows && 'error' in rows) return { header: [], rows: [], fromSample: false, error: userMessage(rows.error, lang) };
  if (rows) {
    return {
      header: version.columns.map((c) => c.name),
      rows: rows.rows.map((row) => version.columns.map((c) => ({ value: row[c.name], type: c.type as string }))),
      pager: pagination(rows.page, rows.total, PREVIEW_ROWS),
      fromSample: false,
    };
  }
  if (version.sample?.length) {
    return { header: version.columns.map((c) => c.label), rows: version.sample.map((cells) => cells.map((value) => ({ value: value as unknown, type: 'text' }))), fromSample: true };
  }
  return null;
}

/** The version page's view-model: the dataset and version, the preview, the checklist, the diff, the conversation and what the actor may do. */
export function presentVersionPage(page: VersionPage, actor: Actor | null, opts: { base: string; lang: string }) {
  const { dataset: d, version: v, columns, versions, diff, against } = page;
  const dataset = presentDatasetDetail(d, columns, versions, opts);
  const version = presentVersion(v, columns, d.slug, opts.base);
  const reviews = page.reviews.map((x) => ({ ...x, current: x.version_number === Number(v.number) }));
  const rec = v as VersionRecord;
  const ds = d as DatasetRecord;
  const checklist = evaluateChecklist(dataset, version, version.columns).map((item) => ({
    ...item,
    verdict: item.pass === null ? 'na' : item.pass ? 'pass' : 'fail',
    reasons: item.reasons.map((r) => (opts.lang === 'en' ? r.en : r.id)),
  }));
  return {
    dataset,
    version,
    quality: page.quality ? presentQuality(page.quality, opts.lang) : null,
    preview: presentPreview(page, version, opts.lang as 'id' | 'en'),
    checklist,
    diff: diff && {
      ...diff,
      cellsPager: pagination(page.cellsPage, diff.cells_total ?? 0, CELLS_PER_PAGE),
      examples: diff.rows.examples.map((e) => ({ ...e, keyText: pairsText(e.key), rowText: e.row ? pairsText(e.row, '–') : null })),
      cells: (diff.cells ?? []).map((c) => ({ ...c, keyText: pairsText(c.key) })),
    },
    diffOnRequest: page.diffOnRequest,
    diffBases: page.bases.map((b) => ({ ...b, active: b.number === against?.number })),
    diffAgainstKind: against?.kind ?? null,
    reviews,
    threadVersions: new Set(reviews.map((x) => x.version_number)).size,
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
export type VersionPageView = ReturnType<typeof presentVersionPage>;
