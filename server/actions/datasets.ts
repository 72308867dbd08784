import type { Knex } from 'knex';
import { z } from 'zod';
import { Conflict, Forbidden, Invalid, NotFound, datasetNotFound } from '../errors';
import { isCustodian } from '../policies/actor';
import { canChangeAccess, canCreateDataset, canRetractDataset, canUpdateDataset, canViewWork } from '../policies/dataset';
import type { DatasetRow } from '../db/rows';

export type { DatasetRow };
import { defineAction, type AuditEntry } from './action';
import { notify, producersOf } from './notify';
import { datasetChangesSchema, datasetFieldsSchema, slugSchema } from './schemas';
import { uniqueDatasetSlug } from './slug';
import { datasetStage } from '../queries/stage';
import { refreshSoon } from '../quality/refresh';

/**
 * Loads a dataset by slug, locked for the rest of the transaction against other changes to it —
 * FOR NO KEY UPDATE, so rows that refer to it (notices, a service account's datasets) can still be
 * written beside it: FOR UPDATE made a retraction and a service account's dataset choice deadlock.
 */
export async function lockDataset(tx: Knex.Transaction, slug: string): Promise<DatasetRow> {
  const ds = await tx('datasets as d').where('d.slug', slug).select('d.*', datasetStage(tx, 'd')).forNoKeyUpdate('d').first();
  if (!ds) throw datasetNotFound();
  return ds as DatasetRow;
}

/** The audit entry of an action on dataset `ds`. */
export function datasetAudit(ds: Pick<DatasetRow, 'id' | 'slug' | 'organization_id'>, details?: Record<string, unknown>): AuditEntry {
  return { targetType: 'dataset', targetId: ds.slug, datasetId: ds.id, organizationId: ds.organization_id, details };
}

/**
 * Inserts a new dataset of the given fields (its metadata as JSON, an empty contact e-mail as
 * none) under a slug of its own made from its title: a person's (createDataset) or a harvest's.
 */
export async function insertDataset(
  tx: Knex.Transaction,
  fields: { title: string; contact_email?: string | null; metadata: Record<string, unknown>; [field: string]: unknown },
  at: { organizationId: number; topicId: number | null; createdBy: number | null },
): Promise<DatasetRow> {
  const { metadata, ...rest } = fields;
  const [ds] = await tx('datasets')
    .insert({
      ...rest,
      contact_email: rest.contact_email || null,
      slug: await uniqueDatasetSlug(tx, fields.title),
      organization_id: at.organizationId,
      topic_id: at.topicId,
      metadata: JSON.stringify(metadata),
      created_by: at.createdBy,
    })
    .returning('*');
  return ds as DatasetRow;
}

async function topicId(tx: Knex.Transaction, slug: string): Promise<number> {
  const topic = await tx('topics').where({ slug }).first();
  if (!topic) throw new Invalid(`Topik ${slug} tidak dikenal.`, `Unknown topic ${slug}.`, [{ path: 'topic', message: 'unknown' }]);
  return topic.id;
}

/** Create a dataset (metadata only; data comes with the first version). */
export const createDataset = defineAction({
  name: 'dataset.create',
  input: datasetFieldsSchema.extend({ organization: slugSchema }),
  async load(tx, input) {
    const org = await tx('organizations').where({ slug: input.organization }).first();
    if (!org) throw new NotFound(`Organisasi ${input.organization} tidak ditemukan.`, `Organization ${input.organization} not found.`);
    return org as { id: number; kind: 'opd' | 'walidata' | 'pembina'; slug: string; active: boolean };
  },
  authorize: (actor, org) => canCreateDataset(actor, org),
  async run({ tx }, actor, org, input) {
    if (!org.active) throw new Invalid(`Organisasi ${org.slug} sudah dinonaktifkan.`, `Organization ${org.slug} is deactivated.`, [{ path: 'organization', message: 'nonaktif' }]);
    const { organization: _o, topic, ...fields } = input;
    const ds = await insertDataset(tx, fields, { organizationId: org.id, topicId: await topicId(tx, topic), createdBy: actor.id });
    return { result: ds, audit: datasetAudit(ds, { title: ds.title }) };
  },
});

/** Change a dataset's metadata. Producers cannot while a version is under review. */
export const updateDataset = defineAction({
  name: 'dataset.update',
  input: datasetChangesSchema.extend({ slug: slugSchema }),
  async load(tx, input) {
    const ds = await lockDataset(tx, input.slug);
    const inReview = await tx('versions').where({ dataset_id: ds.id }).whereIn('state', ['submitted', 'verified', 'scheduled']).first();
    return { ds, inReview: Boolean(inReview) };
  },
  authorize: (actor, { ds }) => (canViewWork(actor, ds) ? canUpdateDataset(actor, ds) : datasetNotFound()),
  async run({ tx, db, config, afterCommit }, actor, { ds, inReview }, input) {
    afterCommit(refreshSoon(db, config.timeZone, [ds.id]));
    if (inReview && !isCustodian(actor)) {
      throw new Conflict(
        'Metadata tidak dapat diubah selama versi sedang ditinjau. Tarik kembali pengajuan terlebih dahulu.',
        'Metadata cannot change while a version is under review. Withdraw the submission first.',
      );
    }
    if (!canChangeAccess(actor, ds, { access_level: input.access_level, prioritas: input.prioritas })) {
      throw new Forbidden(
        'Dataset ini sudah terbit: hanya walidata yang dapat membuka aksesnya atau mengubah status prioritasnya. Ajukan permintaan kepada walidata.',
        'This dataset is published: only the walidata may open up its access or change its priority flag. Ask the walidata.',
      );
    }
    const { slug: _s, topic, metadata, tags, ...fields } = input;
    const changes: Record<string, unknown> = { ...fields, updated_at: tx.fn.now() };
    // Who may read it and whether it gets a second check: recorded with before and after.
    const access: Record<string, { from: unknown; to: unknown }> = {};
    if (fields.access_level !== undefined && fields.access_level !== ds.access_level) access.access_level = { from: ds.access_level, to: fields.access_level };
    if (fields.prioritas !== undefined && fields.prioritas !== ds.prioritas) access.prioritas = { from: ds.prioritas, to: fields.prioritas };
    if (fields.contact_email !== undefined) changes.contact_email = fields.contact_email || null;
    // Prioritas data waits for the pembina's second check: never published automatically.
    if (fields.prioritas === true && ds.auto_publish) {
      changes.auto_publish = false;
      access.auto_publish = { from: true, to: false };
    }
    if (topic !== undefined) changes.topic_id = await topicId(tx, topic);
    if (tags !== undefined) changes.tags = tags;
    if (metadata !== undefined) changes.metadata = JSON.stringify({ ...ds.metadata, ...metadata });
    const [updated] = await tx('datasets').where({ id: ds.id }).update(changes).returning('*');
    const changed = Object.keys(input).filter((k) => k !== 'slug');
    return { result: updated as DatasetRow, audit: datasetAudit(ds, { fields: changed, ...(Object.keys(access).length ? { access } : {}) }) };
  },
});

/** Take a published dataset off the public site with a reason (data kept), or restore it. */
export const retractDataset = defineAction({
  name: 'dataset.retract',
  input: z.object({
    slug: slugSchema,
    retract: z.boolean().default(true),
    reason: z.string().trim().max(2000).default(''),
  }),
  load: (tx, input) => lockDataset(tx, input.slug),
  authorize: (actor, ds) => (canViewWork(actor, ds) ? canRetractDataset(actor, ds) : datasetNotFound()),
  async run({ tx, db, config, afterCommit }, _actor, ds, input) {
    afterCommit(refreshSoon(db, config.timeZone, [ds.id]));
    if (input.retract) {
      if (!input.reason) throw new Invalid('Alasan penarikan wajib diisi.', 'A reason is required.', [{ path: 'reason', message: 'required' }]);
      if (ds.retracted_at) throw new Conflict('Dataset sudah ditarik.', 'The dataset is already retracted.');
      if (!ds.current_version_id) throw new Conflict('Dataset belum terbit.', 'The dataset is not published.');
    } else if (!ds.retracted_at) {
      throw new Conflict('Dataset tidak sedang ditarik.', 'The dataset is not retracted.');
    }
    await notify(tx, {
      kind: 'retracted',
      recipients: await producersOf(tx, ds.organization_id),
      actorId: _actor.id,
      datasetId: ds.id,
      details: { title: ds.title, retracted: input.retract, reason: input.reason || null },
    });
    const [updated] = await tx('datasets')
      .where({ id: ds.id })
      .update(
        input.retract
          ? { retracted_at: tx.fn.now(), retracted_reason: input.reason, updated_at: tx.fn.now() }
          : { retracted_at: null, retracted_reason: null, updated_at: tx.fn.now() },
      )
      .returning('*');
    return { result: updated as DatasetRow, audit: datasetAudit(ds, input.retract ? { retracted: true, reason: input.reason } : { retracted: false }) };
  },
});
