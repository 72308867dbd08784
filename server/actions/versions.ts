import type { Knex } from 'knex';
import { z } from 'zod';
import { Conflict, Invalid, datasetNotFound, versionNotFound } from '../errors';
import { loadOptionsSchema } from '../ingest/options';
import { problemCount } from '../ingest/report';
import { schedulerActor } from '../policies/actor';
import { canUploadVersion, canViewWork } from '../policies/dataset';
import type { VersionState } from '../policies/records';
import type { VersionRow } from '../db/rows';

export type { VersionRow };
import { canCommentVersion, canDecideVersion, canReloadVersion, canSubmitVersion, canViewVersion, canWithdrawVersion, RELOADABLE, reviewStage, SUBMITTABLE, WITHDRAWABLE } from '../policies/version';
import { commentStage } from '../policies/review';
import { canManageRelease, canPublishDue } from '../policies/release';
import { STORAGE_KEY } from '../storage';
import { defineAction, type AuditEntry } from './action';
import { notify, producersOf, usersWithRole } from './notify';
import { evaluateChecklist, type ChecklistItem } from '../review/checklist';
import { type DatasetRow, lockDataset } from './datasets';
import { slugSchema } from './schemas';
import { refreshSoon } from '../quality/refresh';
import { lockVersion, publish, stateConflict, transition, unscheduledState, versionAudit, versionRef } from './version-state';
import { earlierUpload, scheduleLoad, type UploadedVersion } from './version-upload';

/** The checklist as evaluated when a reviewer decides (kept with the decision). */
export async function checklistOf(tx: Knex.Transaction, ds: DatasetRow, v: VersionRow): Promise<ChecklistItem[]> {
  const columns = await tx('version_columns').where({ version_id: v.id }).orderBy('position');
  return evaluateChecklist(
    { description: ds.description, source: (ds.source as string | null) ?? null, metadata: ds.metadata ?? {} },
    { has_table: Boolean(v.table_name), report: v.report ?? { errors: [], warnings: [], counts: { errors: {}, warnings: {} } }, file: { dialect: (v.dialect as Record<string, unknown> | null) ?? null } },
    columns,
  );
}

/** Upload a file as the dataset's next version. The file is already in storage. */
export const uploadVersion = defineAction({
  name: 'version.upload',
  input: z.object({
    slug: slugSchema,
    file: z.object({
      key: z.string().regex(STORAGE_KEY),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      size: z.number().int().min(0),
      filename: z.string().trim().min(1).max(255),
      media_type: z.string().max(200).optional(),
    }),
    options: loadOptionsSchema.default({}),
    /** A retrying client's key (the `Idempotency-Key` header): the same key never makes a second version. */
    idempotency_key: z.string().trim().min(1).max(200).optional(),
  }),
  load: (tx, input) => lockDataset(tx, input.slug),
  authorize: (actor, ds) => (canViewWork(actor, ds) ? canUploadVersion(actor, ds) : datasetNotFound()),
  async run(ctx, actor, ds, input): Promise<{ result: UploadedVersion; audit: AuditEntry | null }> {
    const { tx } = ctx;
    const earlier = await earlierUpload(tx, ds.id, input.file.sha256, input.idempotency_key);
    if (earlier) {
      // Nothing new is made: the repeated copy of the file goes once the answer stands.
      ctx.afterCommit(() => ctx.storage.discard(input.file.key));
      return { result: { ...earlier, reused: true }, audit: null };
    }
    const [{ next }] = await tx('versions').where({ dataset_id: ds.id }).select(tx.raw('coalesce(max(number), 0) + 1 as next'));
    const rawPath = await ctx.storage.adopt(input.file.key, input.file.sha256);
    const [v] = await tx('versions')
      .insert({
        dataset_id: ds.id,
        number: next,
        state: 'processing',
        filename: input.file.filename,
        media_type: input.file.media_type ?? null,
        raw_path: rawPath,
        raw_sha256: input.file.sha256,
        raw_size: input.file.size,
        idempotency_key: input.idempotency_key ?? null,
        options: JSON.stringify(input.options),
        uploaded_by: actor.id,
      })
      .returning('*');
    ctx.afterCommit(scheduleLoad(ctx, v.id, input.file.size));
    return {
      result: { ...(v as VersionRow), reused: false },
      audit: versionAudit(ds, v, { filename: v.filename, size: input.file.size, sha256: input.file.sha256, idempotency_key: input.idempotency_key ?? null }),
    };
  },
});

/** Read a draft (or failed) version's file again with other options (encoding, delimiter, types …). */
export const reloadVersion = defineAction({
  name: 'version.reload',
  input: versionRef.extend({ options: loadOptionsSchema }),
  load: (tx, input, actor) => lockVersion(tx, input.slug, input.number, actor),
  authorize: (actor, { ds, v }) => (canViewWork(actor, ds) ? canReloadVersion(actor, ds, v) : datasetNotFound()),
  async run(ctx, _actor, { ds, v }, input) {
    await transition(ctx.tx, v, RELOADABLE, 'processing', {
      options: JSON.stringify(input.options),
      report: null,
      progress: null,
      heartbeat_at: null,
      table_name: null,
      row_count: null,
    });
    ctx.afterCommit(scheduleLoad(ctx, v.id, Number(v.raw_size)));
    return {
      result: { ...v, state: 'processing' as const },
      audit: versionAudit(ds, v, { options: input.options }),
    };
  },
});

/** Hand a clean draft to the walidata. */
export const submitVersion = defineAction({
  name: 'version.submit',
  input: versionRef,
  load: (tx, input, actor) => lockVersion(tx, input.slug, input.number, actor),
  authorize: (actor, { ds, v }) => (canViewWork(actor, ds) ? canSubmitVersion(actor, ds, v) : datasetNotFound()),
  async run({ tx }, actor, { ds, v }) {
    if (!SUBMITTABLE.includes(v.state)) throw stateConflict(v.state);
    const errors = problemCount(v.report, 'errors');
    if (errors > 0 || !v.table_name) {
      throw new Conflict(
        'Versi masih memiliki galat validasi; perbaiki berkasnya lalu unggah ulang.',
        'The version still has validation errors; fix the file and upload it again.',
        { errors },
      );
    }
    const other = await tx('versions').where({ dataset_id: ds.id }).whereIn('state', ['submitted', 'verified', 'scheduled']).whereNot({ id: v.id }).first();
    if (other) {
      throw new Conflict(
        `Versi ${other.number} dataset ini masih dalam tinjauan.`,
        `Version ${other.number} of this dataset is still under review.`,
      );
    }
    await transition(tx, v, SUBMITTABLE, 'submitted', { submitted_by: actor.id, submitted_at: tx.fn.now() });
    const reviewers = await usersWithRole(tx, ['walidata']);
    await notify(tx, {
      kind: 'submitted',
      recipients: reviewers.length ? reviewers : await usersWithRole(tx, ['admin']),
      actorId: actor.id,
      datasetId: ds.id,
      versionId: v.id,
      details: { number: v.number, title: ds.title },
    });
    return {
      result: { ...v, state: 'submitted' as const },
      audit: versionAudit(ds, v),
    };
  },
});

/** Take a submission back before review (it returns to draft). */
export const withdrawVersion = defineAction({
  name: 'version.withdraw',
  input: versionRef,
  load: (tx, input, actor) => lockVersion(tx, input.slug, input.number, actor),
  authorize: (actor, { ds, v }) => (canViewWork(actor, ds) ? canWithdrawVersion(actor, ds, v) : datasetNotFound()),
  async run({ tx }, _actor, { ds, v }) {
    await transition(tx, v, WITHDRAWABLE, 'draft');
    return {
      result: { ...v, state: 'draft' as const },
      audit: versionAudit(ds, v),
    };
  },
});

export const DECISIONS = ['approve', 'request_changes', 'reject', 'comment'] as const;
export type Decision = (typeof DECISIONS)[number];

/** An ISO time in the future for a scheduled publication (a minute of slack for clocks). */
const publishAtSchema = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => d.getTime() > Date.now() - 60_000, { message: 'must be in the future' });

/**
 * A reviewer's decision or anyone's comment on a version. Approval by the walidata publishes
 * (or, for a priority dataset, moves it to `verified` for the pembina); publishing makes the
 * version current and the previous one `superseded`, in this one transaction. With `publish_at`
 * the approval that would publish schedules instead (`scheduled`, jadwal rilis); the walidata's
 * `publish_at` on a priority dataset is kept for the pembina's approval. Approving although the
 * standard-data checklist fails is recorded as an override with its reason (`override_reason`, else the comment).
 */
export const reviewVersion = defineAction({
  name: 'version.review',
  input: versionRef.extend({
    decision: z.enum(DECISIONS),
    comment: z.string().trim().max(10_000).default(''),
    publish_at: publishAtSchema.optional(),
    override_reason: z.string().trim().max(5_000).optional(),
  }),
  load: (tx, input, actor) => lockVersion(tx, input.slug, input.number, actor),
  authorize(actor, { ds, v }, input) {
    if (!canViewVersion(actor, ds, v)) return canViewWork(actor, ds) ? versionNotFound() : datasetNotFound();
    return input.decision === 'comment' ? canCommentVersion(actor, ds, v) : canDecideVersion(actor, ds, v);
  },
  async run(ctx, actor, { ds, v }, input) {
    const { tx } = ctx;
    const { decision, comment } = input;
    if ((decision === 'comment' || decision === 'request_changes' || decision === 'reject') && !comment) {
      throw new Invalid('Komentar wajib diisi.', 'A comment is required.', [{ path: 'comment', message: 'required' }]);
    }
    if (input.publish_at && decision !== 'approve') {
      throw new Invalid('Waktu terbit hanya berlaku untuk persetujuan.', 'A publication time goes with an approval only.', [{ path: 'publish_at', message: 'approve only' }]);
    }
    let state: VersionState = v.state;
    let stage: 'produsen' | 'walidata' | 'pembina' = commentStage(actor);
    const checklist = decision === 'comment' ? null : await checklistOf(tx, ds, v);
    let override: { reason: string; failed: string[] } | null = null;
    let publishAt: Date | null = null;
    if (decision !== 'comment') {
      const awaiting = reviewStage(v);
      if (!awaiting) throw stateConflict(v.state);
      stage = awaiting;
      const from: VersionState[] = [v.state];
      const failed = (checklist ?? []).filter((c) => c.pass === false).map((c) => c.key);
      // An approval although the checklist fails is an override: recorded with its reason. The
      // workbench asks for the reason; API clients give it as `override_reason` or the comment.
      if (decision === 'approve' && failed.length) override = { reason: input.override_reason || comment || '', failed };
      if (decision === 'request_changes') {
        state = 'changes_requested';
        await transition(tx, v, from, state, { publish_at: null });
      } else if (decision === 'reject') {
        state = 'rejected';
        await transition(tx, v, from, state, { publish_at: null });
      } else if (awaiting === 'walidata' && ds.prioritas) {
        state = 'verified';
        // The walidata's wished publication time waits with the version for the pembina.
        await transition(tx, v, from, state, { publish_at: input.publish_at ?? null });
      } else {
        const wanted = input.publish_at ?? (v.publish_at ? new Date(v.publish_at) : null);
        if (wanted && wanted.getTime() > Date.now()) {
          state = 'scheduled';
          publishAt = wanted;
          await transition(tx, v, from, state, { publish_at: wanted, scheduled_by: actor.id });
          const at = wanted;
          ctx.afterCommit(() => ctx.jobs.schedulePublication(v.id, at));
        } else {
          state = 'published';
          await publish(tx, ds, v, from);
        }
      }
      // Who was told a version waits for them: it no longer does.
      await tx('notifications').where({ version_id: v.id }).whereIn('kind', awaiting === 'walidata' ? ['submitted'] : ['verified']).whereNull('read_at').update({ read_at: tx.fn.now() });
    }
    const [review] = await tx('reviews')
      .insert({
        version_id: v.id,
        author_id: actor.id,
        stage,
        decision,
        comment: comment || null,
        checklist: checklist && JSON.stringify(checklist),
        override_reason: override ? override.reason || null : null,
      })
      .returning('*');
    const producers = [...(await producersOf(tx, ds.organization_id)), v.uploaded_by, v.submitted_by];
    const about = { datasetId: ds.id, versionId: v.id, actorId: actor.id };
    const details = { number: v.number, title: ds.title, decision, state, comment: comment ? comment.slice(0, 300) : null, ...(publishAt ? { publish_at: publishAt.toISOString() } : {}) };
    if (decision === 'comment') {
      // A producer's comment goes to whoever reviewed this version (else the walidata); a reviewer's to the OPD.
      const reviewers = actor.role === 'produsen' || actor.role === 'admin' ? await tx('reviews as r').join('users as u', 'u.id', 'r.author_id').where('r.version_id', v.id).whereNot('u.role', 'produsen').distinct().pluck('u.id') : [];
      const recipients = actor.role === 'produsen' ? (reviewers.length ? reviewers : await usersWithRole(tx, ['walidata'])) : producers;
      await notify(tx, { kind: 'comment', recipients, ...about, details });
    } else {
      await notify(tx, { kind: state === 'scheduled' ? 'scheduled' : 'decision', recipients: producers, ...about, details });
      if (state === 'verified') await notify(tx, { kind: 'verified', recipients: await usersWithRole(tx, ['pembina']), ...about, details });
    }
    if (state === 'published') ctx.afterCommit(refreshSoon(ctx.db, ctx.config.timeZone, [ds.id]));
    return {
      result: { review, state },
      audit: versionAudit(ds, v, {
        decision,
        stage,
        from: v.state,
        to: state,
        ...(comment ? { comment } : {}),
        ...(publishAt ? { publish_at: publishAt.toISOString() } : {}),
        ...(override ? { override } : {}),
      }),
    };
  },
});

/**
 * Take a scheduled version off the release calendar: it goes back to the review stage that
 * approved it (`submitted`, or `verified` for priority data), to be decided again.
 */
export const unscheduleVersion = defineAction({
  name: 'version.unschedule',
  input: versionRef.extend({ reason: z.string().trim().max(2000).default('') }),
  load: (tx, input, actor) => lockVersion(tx, input.slug, input.number, actor),
  authorize(actor, { ds, v }) {
    if (!canViewVersion(actor, ds, v)) return canViewWork(actor, ds) ? versionNotFound() : datasetNotFound();
    return canManageRelease(actor);
  },
  async run({ tx }, actor, { ds, v }, input) {
    const to = unscheduledState(ds);
    await transition(tx, v, ['scheduled'], to, { publish_at: null, scheduled_by: null });
    if (to === 'verified') await notify(tx, { kind: 'verified', recipients: await usersWithRole(tx, ['pembina']), actorId: actor.id, datasetId: ds.id, versionId: v.id, details: { number: v.number, title: ds.title } });
    return {
      result: { state: to },
      audit: versionAudit(ds, v, { from: 'scheduled', to, publish_at: v.publish_at, ...(input.reason ? { reason: input.reason } : {}) }),
    };
  },
});

/** Tells the OPD's producers and the people named (uploader, submitter, …) that a version is out. */
async function notifyReleased(tx: Knex.Transaction, actorId: number | null, ds: DatasetRow, v: VersionRow, people: Array<number | null>): Promise<void> {
  await notify(tx, { kind: 'released', recipients: [...(await producersOf(tx, ds.organization_id)), ...people], actorId, datasetId: ds.id, versionId: v.id, details: { number: v.number, title: ds.title } });
}

/** Publish a scheduled version now instead of at its time (the walidata). */
export const publishVersionNow = defineAction({
  name: 'version.publish_now',
  input: versionRef,
  load: (tx, input, actor) => lockVersion(tx, input.slug, input.number, actor),
  authorize(actor, { ds, v }) {
    if (!canViewVersion(actor, ds, v)) return canViewWork(actor, ds) ? versionNotFound() : datasetNotFound();
    return canManageRelease(actor);
  },
  async run(ctx, actor, { ds, v }) {
    await publish(ctx.tx, ds, v, ['scheduled']);
    await notifyReleased(ctx.tx, actor.id, ds, v, [v.uploaded_by, v.submitted_by]);
    ctx.afterCommit(refreshSoon(ctx.db, ctx.config.timeZone, [ds.id]));
    return { result: { state: 'published' as const }, audit: versionAudit(ds, v, { from: 'scheduled', to: 'published', publish_at: v.publish_at, early: true }) };
  },
});

/**
 * The scheduler's publication of a version whose time has come. Guarded twice: the dataset row
 * is locked, and the version moves only from `scheduled` with `publish_at` passed — so of any
 * number of processes trying at once, exactly one publishes and writes the audit event; the
 * others find nothing to do (`published: false`, no event).
 */
export const publishDueVersion = defineAction({
  name: 'version.publish_scheduled',
  input: z.object({ version_id: z.number().int().positive() }),
  async load(tx, input) {
    const row = await tx('versions as v').join('datasets as d', 'd.id', 'v.dataset_id').where('v.id', input.version_id).first('d.slug', 'v.number');
    if (!row) throw versionNotFound();
    return lockVersion(tx, row.slug, row.number, schedulerActor);
  },
  authorize: (actor) => canPublishDue(actor),
  async run(ctx, actor, { ds, v }) {
    const { tx } = ctx;
    // The database's clock, as the queue's and the sweep's: one time for every process.
    const { rows } = await tx.raw('SELECT now() AS now');
    const due = v.state === 'scheduled' && v.publish_at !== null && new Date(v.publish_at).getTime() <= new Date(rows[0].now).getTime();
    if (!due) return { result: { published: false }, audit: null };
    await publish(tx, ds, v, ['scheduled']);
    await notifyReleased(tx, actor.id, ds, v, [v.uploaded_by, v.submitted_by, v.scheduled_by]);
    ctx.afterCommit(refreshSoon(ctx.db, ctx.config.timeZone, [ds.id]));
    return { result: { published: true }, audit: versionAudit(ds, v, { from: 'scheduled', to: 'published', publish_at: v.publish_at }) };
  },
});
