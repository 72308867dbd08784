import type { Knex } from 'knex';
import { z } from 'zod';
import { Conflict, Invalid, NotFound } from '../errors';
import { itemFieldsSchema, yearSchema, type ItemFields } from '../datalist/fields';
import { parseImportRows, type ImportProblem } from '../datalist/import-rows';
import { readSmallTable } from '../datalist/read-table';
import { canViewWork } from '../policies/dataset';
import { canLinkDataListItem, canManageDataList, type DataListItemRecord } from '../policies/datalist';
import type { Actor } from '../policies/actor';
import { STORAGE_KEY } from '../storage';
import { defineAction, type AuditEntry } from './action';
import { datasetStage } from '../queries/stage';
import type { DatasetRow } from '../db/rows';
import { refreshSoon } from '../quality/refresh';

/** A stored row of `data_list_items`. */
export interface DataListItemRow extends DataListItemRecord {
  year: number;
  name: string;
  topic_id: number | null;
  frequency: string;
  prioritas: boolean;
  statistics_class: string;
  due_month: number | null;
  notes: string | null;
  dataset_id: number | null;
}

const itemNotFound = () => new NotFound('Butir daftar data tidak ditemukan.', 'Data-list item not found.');

async function lockItem(tx: Knex.Transaction, id: number): Promise<DataListItemRow> {
  const item = await tx('data_list_items').where({ id }).forUpdate().first();
  if (!item) throw itemNotFound();
  return item as DataListItemRow;
}

async function orgId(tx: Knex.Transaction, slug: string): Promise<number> {
  const org = await tx('organizations').where({ slug, kind: 'opd' }).first('id');
  if (!org) throw new Invalid(`OPD ${slug} tidak dikenal.`, `Unknown OPD ${slug}.`, [{ path: 'organization', message: 'unknown' }]);
  return org.id;
}

async function topicIdOf(tx: Knex.Transaction, slug: string | undefined): Promise<number | null> {
  if (!slug) return null;
  const t = await tx('topics').where({ slug }).first('id');
  if (!t) throw new Invalid(`Topik ${slug} tidak dikenal.`, `Unknown topic ${slug}.`, [{ path: 'topic', message: 'unknown' }]);
  return t.id;
}

/** The dataset `slug` as the fulfilment of an item of organization `organizationId`, checked. */
async function fulfillingDataset(tx: Knex.Transaction, actor: Actor, slug: string, organizationId: number): Promise<DatasetRow> {
  const ds = (await tx('datasets as d').where('d.slug', slug).select('d.*', datasetStage(tx, 'd')).first()) as DatasetRow | undefined;
  if (!ds || !canViewWork(actor, ds)) throw new Invalid(`Dataset ${slug} tidak ditemukan.`, `Dataset ${slug} not found.`, [{ path: 'dataset', message: 'unknown' }]);
  if (ds.organization_id !== organizationId) {
    throw new Invalid('Dataset itu milik OPD lain daripada butir ini.', 'That dataset belongs to another OPD than this item.', [{ path: 'dataset', message: 'other organization' }]);
  }
  return ds;
}

const uniqueConflict = (name: string) =>
  new Conflict(`Butir "${name}" sudah ada di daftar data OPD ini untuk tahun itu.`, `Item "${name}" is already on this OPD's list for that year.`, [{ path: 'name', message: 'duplicate' }]);

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

async function rowFromFields(tx: Knex.Transaction, actor: Actor, f: ItemFields) {
  const organization_id = await orgId(tx, f.organization);
  return {
    name: f.name,
    organization_id,
    topic_id: await topicIdOf(tx, f.topic),
    frequency: f.frequency,
    prioritas: f.prioritas,
    statistics_class: f.statistics_class,
    due_month: f.due_month ?? null,
    notes: f.notes || null,
    dataset_id: f.dataset ? (await fulfillingDataset(tx, actor, f.dataset, organization_id)).id : null,
  };
}

const itemAudit = (item: { id: number; organization_id: number; dataset_id?: number | null }, details: Record<string, unknown>): AuditEntry => ({
  targetType: 'data_list_item',
  targetId: item.id,
  organizationId: item.organization_id,
  datasetId: item.dataset_id ?? null,
  details,
});

/** Add an item to a year's data list (the walidata). */
export const createDataListItem = defineAction({
  name: 'data_list.create',
  input: itemFieldsSchema.extend({ year: yearSchema }),
  load: async () => null,
  authorize: (actor) => canManageDataList(actor),
  async run({ tx, db, config, afterCommit }, actor, _r, input) {
    const row = await rowFromFields(tx, actor, input);
    afterCommit(refreshSoon(db, config.timeZone, [row.dataset_id]));
    try {
      const [item] = await tx('data_list_items').insert({ ...row, year: input.year, created_by: actor.id }).returning('*');
      return { result: item as DataListItemRow, audit: itemAudit(item, { year: input.year, name: input.name }) };
    } catch (err) {
      if (isUniqueViolation(err)) throw uniqueConflict(input.name);
      throw err;
    }
  },
});

/** Change an item of the data list (the walidata). */
export const updateDataListItem = defineAction({
  name: 'data_list.update',
  input: itemFieldsSchema.extend({ id: z.number().int().positive() }),
  load: (tx, input) => lockItem(tx, input.id),
  authorize: (actor) => canManageDataList(actor),
  async run({ tx, db, config, afterCommit }, actor, item, input) {
    const row = await rowFromFields(tx, actor, input);
    afterCommit(refreshSoon(db, config.timeZone, [row.dataset_id, item.dataset_id]));
    const changed = Object.entries(row).filter(([k, v]) => (item as unknown as Record<string, unknown>)[k] !== v).map(([k]) => k);
    try {
      const [updated] = await tx('data_list_items').where({ id: item.id }).update({ ...row, updated_at: tx.fn.now() }).returning('*');
      return { result: updated as DataListItemRow, audit: itemAudit(updated, { year: item.year, name: updated.name, fields: changed }) };
    } catch (err) {
      if (isUniqueViolation(err)) throw uniqueConflict(input.name);
      throw err;
    }
  },
});

/** Take an item off the data list (the walidata). */
export const deleteDataListItem = defineAction({
  name: 'data_list.delete',
  input: z.object({ id: z.number().int().positive() }),
  load: (tx, input) => lockItem(tx, input.id),
  authorize: (actor) => canManageDataList(actor),
  async run({ tx, db, config, afterCommit }, _actor, item) {
    afterCommit(refreshSoon(db, config.timeZone, [item.dataset_id]));
    await tx('data_list_items').where({ id: item.id }).delete();
    return { result: { id: item.id }, audit: itemAudit(item, { year: item.year, name: item.name }) };
  },
});

/** Name (or clear) the dataset that fulfils an item: the walidata, or a producer of the item's OPD. */
export const linkDataListItem = defineAction({
  name: 'data_list.link',
  input: z.object({ id: z.number().int().positive(), dataset: z.string().trim().max(120).nullable() }),
  load: (tx, input) => lockItem(tx, input.id),
  authorize: (actor, item) => canLinkDataListItem(actor, item),
  async run({ tx, db, config, afterCommit }, actor, item, input) {
    const ds = input.dataset ? await fulfillingDataset(tx, actor, input.dataset, item.organization_id) : null;
    const [updated] = await tx('data_list_items').where({ id: item.id }).update({ dataset_id: ds?.id ?? null, updated_at: tx.fn.now() }).returning('*');
    afterCommit(refreshSoon(db, config.timeZone, [ds?.id, item.dataset_id]));
    return {
      result: updated as DataListItemRow,
      audit: itemAudit({ ...item, dataset_id: ds?.id ?? item.dataset_id }, { year: item.year, name: item.name, dataset: ds?.slug ?? null, before: item.dataset_id }),
    };
  },
});

/** What an import did: items added and changed, rows refused with why, lines skipped. */
export interface ImportResult {
  created: number;
  updated: number;
  rows: number;
  problems: ImportProblem[];
  skipped: Array<{ line?: number; text: string; kind: string }>;
}

/**
 * Import a year's data list from a CSV or XLSX file (the walidata), read like any upload. Each
 * good row adds an item, or updates the item of the same OPD and name; each bad row is reported
 * with its line and column and left out. The file is kept, like every upload.
 */
export const importDataList = defineAction({
  name: 'data_list.import',
  input: z.object({
    year: yearSchema,
    file: z.object({ key: z.string().regex(STORAGE_KEY), sha256: z.string().regex(/^[0-9a-f]{64}$/), filename: z.string().trim().min(1).max(255) }),
  }),
  load: async () => null,
  authorize: (actor) => canManageDataList(actor),
  async run(ctx, actor, _r, input) {
    const { tx } = ctx;
    const local = await ctx.storage.localFile(input.file.key);
    const table = await readSmallTable(local.path, input.file.filename, ctx.config.xlsxLimits).finally(() => local.release());
    if (!table.ok) {
      throw new Invalid(table.message, table.message_en, [{ path: 'file', code: table.code, message: table.message_en }]);
    }
    const [organizations, topics] = await Promise.all([tx('organizations').select('slug', 'name', 'short_name', 'kind'), tx('topics').select('slug', 'name_id', 'name_en')]);
    const { items, problems } = parseImportRows(table.headers, table.rows, input.year, { organizations, topics });
    let created = 0;
    let updated = 0;
    for (const { line, fields } of items) {
      let row;
      try {
        row = await rowFromFields(tx, actor, fields);
      } catch (err) {
        if (!(err instanceof Invalid)) throw err;
        problems.push({ line, column: 'dataset', code: 'bad_dataset', message: err.message, message_en: err.messageEn, value: fields.dataset });
        continue;
      }
      const existing = await tx('data_list_items').where({ year: input.year, organization_id: row.organization_id }).whereRaw('lower(name) = lower(?)', [row.name]).first('id');
      if (existing) {
        await tx('data_list_items').where({ id: existing.id }).update({ ...row, updated_at: tx.fn.now() });
        updated++;
      } else {
        await tx('data_list_items').insert({ ...row, year: input.year, created_by: actor.id });
        created++;
      }
    }
    problems.sort((a, b) => a.line - b.line);
    const linked: number[] = await tx('data_list_items').where({ year: input.year }).whereNotNull('dataset_id').pluck('dataset_id');
    ctx.afterCommit(refreshSoon(ctx.db, ctx.config.timeZone, linked));
    const raw = await ctx.storage.adopt(input.file.key, input.file.sha256);
    const result: ImportResult = { created, updated, rows: table.rows.length, problems, skipped: table.skipped };
    return {
      result,
      audit: {
        targetType: 'data_list_item',
        targetId: null,
        details: { year: input.year, filename: input.file.filename, raw_path: raw, format: table.format, created, updated, refused: problems.length, problems: problems.slice(0, 20) },
      },
    };
  },
});
