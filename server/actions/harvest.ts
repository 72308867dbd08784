import { z } from 'zod';
import { Conflict, Invalid, NotFound } from '../errors';
import { BadSchedule, nextRun } from '../exchange/schedule';
import { problemCount } from '../ingest/report';
import { canHarvest, canManageHarvest } from '../policies/harvest';
import { refreshSoon } from '../quality/refresh';
import { defineAction } from './action';
import { datasetAudit, insertDataset, lockDataset } from './datasets';
import { datasetFieldsSchema, httpUrlSchema, slugSchema } from './schemas';
import { slugify } from './slug';
import { publish } from './version-state';
import type { VersionRow } from './versions';

/** A harvest source as stored. */
export interface HarvestSourceRow {
  id: number;
  kind: 'ckan' | 'dcat';
  url: string;
  name: string;
  review: boolean;
  schedule: string;
  organization_id: number;
  enabled: boolean;
  owner_id: number | null;
  next_run_at: Date | null;
  failures: number;
  created_at: Date;
  updated_at: Date;
}

export const HARVEST_KINDS = ['ckan', 'dcat'] as const;

export const harvestSourceInput = z.object({
  kind: z.enum(HARVEST_KINDS),
  url: httpUrlSchema,
  name: z.string().trim().min(3).max(200),
  /** true: what the source brings waits in the walidata's queue; false: published by the harvester at once. */
  review: z.boolean().default(true),
  schedule: z.string().trim().min(1).max(100).default('daily 02:00'),
  /** The "harvested" organization (kind kabkota) to file under; by default one named after the source, made if missing. */
  organization: slugSchema.optional(),
  enabled: z.boolean().default(true),
});

function nextRunOf(schedule: string, timeZone: string): Date {
  try {
    return nextRun(schedule, new Date(), timeZone);
  } catch (err) {
    if (err instanceof BadSchedule) throw new Invalid(err.id, err.message, [{ path: 'schedule', message: err.message }]);
    throw err;
  }
}

/** Register a kabupaten/kota portal to harvest (walidata, admin). Makes its "harvested" organization if missing. */
export const createHarvestSource = defineAction({
  name: 'harvest_source.create',
  input: harvestSourceInput,
  load: async () => null,
  authorize: (actor) => canManageHarvest(actor),
  async run(ctx, actor, _rec, input) {
    const { tx } = ctx;
    const next = nextRunOf(input.schedule, ctx.config.timeZone);
    if (await tx('harvest_sources').where({ url: input.url }).first('id')) {
      throw new Conflict('Sumber panen dengan URL ini sudah terdaftar.', 'A harvest source with this URL is already registered.');
    }
    const slug = input.organization ?? slugify(input.name);
    let org = await tx('organizations').where({ slug }).first();
    let madeOrg = false;
    if (org && org.kind !== 'kabkota') {
      throw new Invalid(
        `Organisasi ${slug} bukan organisasi kabupaten/kota; sebutkan "organization" lain.`,
        `Organization ${slug} is not a kabupaten/kota organization; name another "organization".`,
        [{ path: 'organization', message: 'not kabkota' }],
      );
    }
    if (!org) {
      if (input.organization) throw new NotFound(`Organisasi ${slug} tidak ditemukan.`, `Organization ${slug} not found.`);
      [org] = await tx('organizations')
        .insert({ slug, name: input.name, kind: 'kabkota', description: `Data yang dipanen dari ${input.url}` })
        .returning('*');
      madeOrg = true;
    }
    const [source] = await tx('harvest_sources')
      .insert({
        kind: input.kind,
        url: input.url,
        name: input.name,
        review: input.review,
        schedule: input.schedule,
        organization_id: org.id,
        enabled: input.enabled,
        owner_id: actor.id,
        next_run_at: input.enabled ? next : null,
      })
      .returning('*');
    return {
      result: { ...(source as HarvestSourceRow), organization: { slug: org.slug as string, name: org.name as string } },
      audit: {
        targetType: 'harvest_source',
        targetId: source.id,
        organizationId: org.id,
        details: { kind: input.kind, url: input.url, name: input.name, review: input.review, schedule: input.schedule, organization: org.slug, organization_created: madeOrg },
      },
    };
  },
});

/** Ask for a run of a harvest source now (the run itself is `runHarvest`). */
export const requestHarvestRun = defineAction({
  name: 'harvest_source.run',
  input: z.object({ id: z.coerce.number().int().positive() }),
  async load(tx, input) {
    const source = (await tx('harvest_sources').where({ id: input.id }).forUpdate().first()) as HarvestSourceRow | undefined;
    if (!source) throw new NotFound('Sumber panen tidak ditemukan.', 'Harvest source not found.');
    return source;
  },
  authorize: (actor) => canManageHarvest(actor),
  async run(_ctx, _actor, source) {
    return { result: source, audit: { targetType: 'harvest_source', targetId: source.id, organizationId: source.organization_id, details: { url: source.url } } };
  },
});

/** The metadata of a remote dataset, as the harvester maps it to ours. */
export const harvestedFields = datasetFieldsSchema.omit({ topic: true }).extend({ topic: z.string().trim().min(1).optional() });

/**
 * File a remote dataset as a dataset of the source's "harvested" organization, with the link to
 * its origin (the harvester only). Its data comes as versions; its later metadata changes go
 * through `dataset.update`, so the change feed shows them as any other.
 */
export const harvestDataset = defineAction({
  name: 'harvest.dataset',
  input: harvestedFields.extend({
    source_id: z.number().int().positive(),
    remote_id: z.string().trim().min(1).max(500),
    remote_name: z.string().trim().max(500).nullable(),
    remote_url: z.string().trim().max(2000).nullable(),
  }),
  async load(tx, input) {
    const source = (await tx('harvest_sources').where({ id: input.source_id }).first()) as HarvestSourceRow | undefined;
    if (!source) throw new NotFound('Sumber panen tidak ditemukan.', 'Harvest source not found.');
    return source;
  },
  authorize: (actor) => canHarvest(actor),
  async run({ tx }, actor, source, input) {
    const exists = await tx('dataset_harvests').where({ source_id: source.id, remote_id: input.remote_id }).first('dataset_id');
    if (exists) throw new Conflict('Dataset ini sudah dipanen.', 'This dataset was already harvested.');
    const { source_id: _s, remote_id, remote_name, remote_url, topic, ...fields } = input;
    const topicRow = topic ? await tx('topics').where({ slug: topic }).first('id') : null;
    const ds = await insertDataset(tx, fields, { organizationId: source.organization_id, topicId: topicRow?.id ?? null, createdBy: actor.id });
    await tx('dataset_harvests').insert({ dataset_id: ds.id, source_id: source.id, remote_id, remote_name, remote_url });
    return { result: ds, audit: datasetAudit(ds, { title: ds.title, harvest_source: source.id, remote_id, remote_url }) };
  },
});

/**
 * Publish a harvested version of a source the walidata lets through without review: from draft,
 * clean of errors, by the harvester only. The previous version becomes `superseded` as always.
 */
export const publishHarvestedVersion = defineAction({
  name: 'version.publish_harvested',
  input: z.object({ slug: slugSchema, number: z.number().int().positive() }),
  async load(tx, input) {
    const ds = await lockDataset(tx, input.slug);
    const v = (await tx('versions').where({ dataset_id: ds.id, number: input.number }).forUpdate().first()) as VersionRow | undefined;
    if (!v) throw new NotFound();
    const link = await tx('dataset_harvests as h').join('harvest_sources as s', 's.id', 'h.source_id').where('h.dataset_id', ds.id).first('s.review', 's.id');
    return { ds, v, link: link as { review: boolean; id: number } | undefined };
  },
  authorize: (actor) => canHarvest(actor),
  async run(ctx, _actor, { ds, v, link }) {
    if (!link || link.review) throw new Conflict('Dataset ini tidak dipanen dari sumber tanpa tinjauan.', 'This dataset was not harvested from a source without review.');
    if (problemCount(v.report, 'errors') > 0 || !v.table_name) {
      throw new Conflict('Versi masih memiliki galat validasi.', 'The version still has validation errors.', { errors: problemCount(v.report, 'errors') });
    }
    await publish(ctx.tx, ds, v, ['draft']);
    ctx.afterCommit(refreshSoon(ctx.db, ctx.config.timeZone, [ds.id]));
    return {
      result: { state: 'published' as const },
      audit: { targetType: 'version', targetId: v.number, datasetId: ds.id, versionId: v.id, organizationId: ds.organization_id, details: { from: 'draft', to: 'published', harvest_source: link.id, review: false } },
    };
  },
});
