import { z } from 'zod';
import { Invalid, datasetNotFound } from '../errors';
import { canManageSource, canViewWork } from '../policies/dataset';
import { BadSchedule, nextRun } from '../exchange/schedule';
import { seal } from '../exchange/seal';
import { defineAction } from './action';
import { datasetAudit, lockDataset } from './datasets';
import { httpUrlSchema, slugSchema } from './schemas';

/** A dataset's pulled source as stored (headers stay sealed). */
export interface SourceRow {
  id: number;
  dataset_id: number;
  kind: 'url' | 'json_api';
  url: string;
  schedule: string;
  records_path: string | null;
  fields: Record<string, string> | null;
  headers_sealed: string | null;
  header_names: string[];
  enabled: boolean;
  owner_id: number;
  next_run_at: Date | null;
  failures: number;
  created_at: Date;
  updated_at: Date;
}

const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name (letters, digits, -)');

export const sourceInput = z.object({
  kind: z.enum(['url', 'json_api']),
  url: httpUrlSchema,
  schedule: z.string().trim().min(1).max(100),
  records_path: z.string().trim().max(300).optional(),
  fields: z.record(z.string().min(1).max(63), z.string().min(1).max(300)).optional(),
  /** Headers sent with every fetch (an API key): stored sealed, never shown again; omitted → kept. */
  headers: z.record(headerName, z.string().max(4000)).optional(),
  enabled: z.boolean().default(true),
});

/** Set (create or replace) the dataset's pulled source. */
export const setSource = defineAction({
  name: 'source.set',
  input: sourceInput.extend({ slug: slugSchema }),
  load: (tx, input) => lockDataset(tx, input.slug),
  authorize: (actor, ds) => (canViewWork(actor, ds) ? canManageSource(actor, ds) : datasetNotFound()),
  async run(ctx, actor, ds, input) {
    const { tx } = ctx;
    let next: Date;
    try {
      next = nextRun(input.schedule, new Date(), ctx.config.timeZone);
    } catch (err) {
      if (err instanceof BadSchedule) throw new Invalid(err.id, err.message, [{ path: 'schedule', message: err.message }]);
      throw err;
    }
    if (input.kind === 'url' && (input.records_path || input.fields)) {
      throw new Invalid('records_path dan fields hanya untuk sumber json_api.', 'records_path and fields are for json_api sources only.');
    }
    const existing = (await tx('dataset_sources').where({ dataset_id: ds.id }).first()) as SourceRow | undefined;
    const headers =
      input.headers === undefined
        ? { headers_sealed: existing?.headers_sealed ?? null, header_names: existing?.header_names ?? [] }
        : { headers_sealed: Object.keys(input.headers).length ? seal(input.headers, ctx.config.sessionSecret) : null, header_names: Object.keys(input.headers).sort() };
    const row = {
      dataset_id: ds.id,
      kind: input.kind,
      url: input.url,
      schedule: input.schedule,
      records_path: input.records_path || null,
      fields: input.fields ? JSON.stringify(input.fields) : null,
      ...headers,
      enabled: input.enabled,
      owner_id: actor.id,
      next_run_at: input.enabled ? next : null,
      updated_at: tx.fn.now(),
    };
    const [saved] = existing
      ? await tx('dataset_sources').where({ id: existing.id }).update({ ...row, failures: 0 }).returning('*')
      : await tx('dataset_sources').insert(row).returning('*');
    return {
      result: saved as SourceRow,
      // Header values are secrets: only their names reach the audit log.
      audit: datasetAudit(ds, { kind: input.kind, url: input.url, schedule: input.schedule, header_names: headers.header_names, enabled: input.enabled }),
    };
  },
});

/** Ask for a run of the dataset's source now (the run itself is `runSource`). */
export const requestSourceRun = defineAction({
  name: 'source.run',
  input: z.object({ slug: slugSchema }),
  load: (tx, input) => lockDataset(tx, input.slug),
  authorize: (actor, ds) => (canViewWork(actor, ds) ? canManageSource(actor, ds) : datasetNotFound()),
  async run({ tx }, _actor, ds) {
    const source = (await tx('dataset_sources').where({ dataset_id: ds.id }).first()) as SourceRow | undefined;
    if (!source) throw new Invalid('Dataset ini belum memiliki sumber data otomatis.', 'This dataset has no pulled source yet.');
    return { result: source, audit: datasetAudit(ds, { source_id: source.id }) };
  },
});
