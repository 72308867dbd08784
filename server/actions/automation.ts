import { z } from 'zod';
import { Conflict, datasetNotFound, versionNotFound } from '../errors';
import { canAutoPublish, canSetAutomation } from '../policies/automation';
import { canViewWork } from '../policies/dataset';
import type { VersionRow } from '../db/rows';
import { judgeAutoPublish, type AutoPublishVerdict } from '../review/auto-publish';
import { refreshSoon } from '../quality/refresh';
import { defineAction } from './action';
import { datasetAudit, lockDataset } from './datasets';
import { notify, producersOf } from './notify';
import { slugSchema } from './schemas';
import { checklistOf } from './versions';
import { publish } from './version-state';
import { versionStage } from '../queries/stage';

const prioritasRefusal = () =>
  new Conflict(
    'Dataset prioritas tidak dapat diterbitkan otomatis: ia menunggu pemeriksaan kedua oleh pembina.',
    'A prioritas dataset cannot be published automatically: it waits for the pembina’s second check.',
    { prioritas: true },
  );

/** The automation fields of a dataset (PATCH /api/v1/datasets/:slug and the workspace form). */
export const automationFields = {
  /** A clean load of a new version goes straight to the walidata's queue (set by the OPD or the walidata). */
  auto_submit: z.boolean().optional(),
  /** A version adding only rows of new periods, with a passing checklist, is published without a person (walidata/admin; never prioritas). */
  auto_publish: z.boolean().optional(),
};

/**
 * Set a dataset's automation: `auto_submit` (its OPD or the custodian) and `auto_publish` (the
 * custodian only; refused for prioritas datasets). Only the fields given change.
 */
export const setDatasetAutomation = defineAction({
  name: 'dataset.automation',
  input: z.object({ slug: slugSchema, ...automationFields }),
  load: (tx, input) => lockDataset(tx, input.slug),
  authorize: (actor, ds, input) => (canViewWork(actor, ds) ? canSetAutomation(actor, ds, input) : datasetNotFound()),
  async run({ tx }, _actor, ds, input) {
    if (input.auto_publish && ds.prioritas) throw prioritasRefusal();
    const changes: Record<string, boolean> = {};
    if (input.auto_submit !== undefined && input.auto_submit !== ds.auto_submit) changes.auto_submit = input.auto_submit;
    if (input.auto_publish !== undefined && input.auto_publish !== ds.auto_publish) changes.auto_publish = input.auto_publish;
    const result = { auto_submit: changes.auto_submit ?? Boolean(ds.auto_submit), auto_publish: changes.auto_publish ?? Boolean(ds.auto_publish) };
    if (!Object.keys(changes).length) return { result, audit: null };
    await tx('datasets').where({ id: ds.id }).update({ ...changes, updated_at: tx.fn.now() });
    const before = Object.fromEntries(Object.keys(changes).map((k) => [k, Boolean(ds[k as 'auto_submit' | 'auto_publish'])]));
    return { result, audit: datasetAudit(ds, { before, after: changes }) };
  },
});

/** The note a version that was not published automatically waits in the queue with. */
function skipNote(verdict: AutoPublishVerdict): string {
  return `Tidak diterbitkan otomatis / not published automatically: ${verdict.reasons.join(', ')}`;
}

/**
 * The portal's own decision on a submitted version of a dataset with `auto_publish`: published
 * when it only adds rows of new periods and its checklist passes (a review by nobody, with the
 * checklist and the diff kept in the audit event); otherwise it stays in the queue with a note why.
 */
export const autoPublishVersion = defineAction({
  name: 'version.auto_publish',
  input: z.object({ slug: slugSchema, number: z.number().int().positive() }),
  async load(tx, input) {
    const ds = await lockDataset(tx, input.slug);
    const v = await tx('versions as v').where({ 'v.dataset_id': ds.id, 'v.number': input.number }).select('v.*', versionStage(tx, 'v')).forUpdate('v').first();
    if (!v) throw versionNotFound();
    return { ds, v: v as VersionRow };
  },
  authorize: (actor, { ds }) => canAutoPublish(actor, ds),
  async run(ctx, actor, { ds, v }) {
    const { tx } = ctx;
    if (v.state !== 'submitted') return { result: { published: false, reasons: [] }, audit: null };
    const checklist = await checklistOf(tx, ds, v);
    const verdict = await judgeAutoPublish(tx, ds, v, checklist);
    const about = { datasetId: ds.id, versionId: v.id, actorId: actor.id };
    const audit = (details: Record<string, unknown>) => ({ targetType: 'version' as const, targetId: v.number, datasetId: ds.id, versionId: v.id, organizationId: ds.organization_id, details });
    if (!verdict.publish) {
      await tx('reviews').insert({ version_id: v.id, author_id: null, stage: 'walidata', decision: 'comment', comment: skipNote(verdict), checklist: JSON.stringify(checklist) });
      return { result: { published: false, reasons: verdict.reasons }, audit: audit({ published: false, ...verdict }) };
    }
    await publish(tx, ds, v, ['submitted']);
    const comment = `Diterbitkan otomatis / published automatically: +${verdict.diff?.rows.added ?? 0} (${verdict.period_column}: ${verdict.new_periods.join(', ')})`;
    await tx('reviews').insert({ version_id: v.id, author_id: null, stage: 'walidata', decision: 'approve', comment, checklist: JSON.stringify(checklist) });
    await tx('notifications').where({ version_id: v.id, kind: 'submitted' }).whereNull('read_at').update({ read_at: tx.fn.now() });
    await notify(tx, { kind: 'decision', recipients: [...(await producersOf(tx, ds.organization_id)), v.uploaded_by, v.submitted_by], ...about, details: { number: v.number, title: ds.title, decision: 'approve', state: 'published', comment } });
    ctx.afterCommit(refreshSoon(ctx.db, ctx.config.timeZone, [ds.id]));
    return { result: { published: true, reasons: [] }, audit: audit({ published: true, from: 'submitted', to: 'published', ...verdict }) };
  },
});
