import type { Knex } from 'knex';
import { localDay } from '../manage/calendar';
import { periodsFor } from '../datalist/periods';
import { itemStatus, periodStatus, type ItemStatus, type PeriodStatus, type VersionFacts } from '../datalist/status';
import type { Frequency } from '../metadata';
import type { Actor } from '../policies/actor';
import { canViewDataset, canViewWork } from '../policies/dataset';
import type { DatasetRecord } from '../policies/records';
import { coveredUntil } from './coverage';
import { datasetStage } from './stage';

/** A data-list item with its deliveries' statuses, as of `today`. */
export interface DataListEntry {
  id: number;
  year: number;
  name: string;
  organization: { id: number; slug: string; name: string; short_name: string | null };
  topic: { slug: string; name_id: string; name_en: string } | null;
  frequency: Frequency;
  prioritas: boolean;
  statistics_class: string;
  due_month: number | null;
  notes: string | null;
  /** The fulfilling dataset; `visible` whether the reader may see it (else only its existence shows through the statuses). */
  dataset: { slug: string; title: string; visible: boolean; work: boolean } | null;
  periods: PeriodStatus[];
  status: ItemStatus;
}

/** The facts the statuses need of each version of the given datasets, by dataset id. */
export async function versionFactsOf(db: Knex, datasetIds: number[]): Promise<Map<number, VersionFacts[]>> {
  const out = new Map<number, VersionFacts[]>();
  if (!datasetIds.length) return out;
  const versions = await db('versions').whereIn('dataset_id', datasetIds).whereNotIn('state', ['failed', 'rejected']).orderBy('number').select('id', 'dataset_id', 'state', 'created_at', 'published_at', 'table_name');
  const columns = await db('version_columns').whereIn('version_id', versions.filter((v) => v.table_name).map((v) => v.id)).select('version_id', 'name', 'type', 'role', 'stats');
  for (const v of versions) {
    const cols = columns.filter((c) => c.version_id === v.id);
    const covered = v.table_name ? await coveredUntil(db, v.table_name, cols) : null;
    const facts: VersionFacts = {
      state: v.state,
      created_at: new Date(v.created_at).toISOString(),
      published_at: v.published_at ? new Date(v.published_at).toISOString() : null,
      covered_until: covered ? covered.toISOString().slice(0, 10) : null,
    };
    (out.get(v.dataset_id) ?? out.set(v.dataset_id, []).get(v.dataset_id)!).push(facts);
  }
  return out;
}

/**
 * The data list of a year (optionally one OPD's), each item with the status of every delivery,
 * computed from its dataset's versions as of `today` (a `YYYY-MM-DD` in the portal's zone,
 * `timeZone`, in which the versions' days are counted too).
 */
export async function dataList(db: Knex, actor: Actor | null, p: { year: number; timeZone: string; organization?: string; organizationId?: number; today?: string; ids?: number[] }): Promise<DataListEntry[]> {
  const q = db('data_list_items as i')
    .join('organizations as o', 'o.id', 'i.organization_id')
    .leftJoin('topics as t', 't.id', 'i.topic_id')
    .leftJoin('datasets as d', 'd.id', 'i.dataset_id')
    .where('i.year', p.year)
    .orderBy('o.name')
    .orderBy('i.name')
    .select(
      'i.*', 'o.slug as org_slug', 'o.name as org_name', 'o.short_name as org_short_name',
      't.slug as topic_slug', 't.name_id as topic_name_id', 't.name_en as topic_name_en',
      'd.slug as ds_slug', 'd.title as ds_title', 'd.organization_id as ds_org', 'd.access_level as ds_access', 'd.prioritas as ds_prioritas',
      'd.current_version_id as ds_current', 'd.retracted_at as ds_retracted', datasetStage(db, 'd'),
    );
  if (p.organization) q.where('o.slug', p.organization);
  if (p.organizationId) q.where('i.organization_id', p.organizationId);
  if (p.ids) q.whereIn('i.id', p.ids);
  const rows = await q;
  const facts = await versionFactsOf(db, [...new Set(rows.map((r) => r.dataset_id).filter((x): x is number => x !== null))]);
  const today = p.today ?? localDay(new Date(), p.timeZone);
  const localDayOf = (iso: string) => localDay(new Date(iso), p.timeZone);
  return rows.map((r) => {
    const periods = periodsFor(r.year, r.frequency, r.due_month).map((per) => periodStatus(per, r.dataset_id ? (facts.get(r.dataset_id) ?? []) : [], today, localDayOf));
    const record: DatasetRecord | null = r.dataset_id
      ? { id: r.dataset_id, organization_id: r.ds_org, access_level: r.ds_access, prioritas: r.ds_prioritas, current_version_id: r.ds_current, retracted_at: r.ds_retracted, pembina_stage: r.pembina_stage }
      : null;
    return {
      id: r.id,
      year: r.year,
      name: r.name,
      organization: { id: r.organization_id, slug: r.org_slug, name: r.org_name, short_name: r.org_short_name },
      topic: r.topic_slug ? { slug: r.topic_slug, name_id: r.topic_name_id, name_en: r.topic_name_en } : null,
      frequency: r.frequency,
      prioritas: r.prioritas,
      statistics_class: r.statistics_class,
      due_month: r.due_month,
      notes: r.notes,
      dataset: record ? { slug: r.ds_slug, title: r.ds_title, visible: canViewDataset(actor, record), work: canViewWork(actor, record) } : null,
      periods,
      status: itemStatus(periods),
    };
  });
}

/** The years that have a data list, newest first. */
export function dataListYears(db: Knex, organizationId?: number): Promise<number[]> {
  return db('data_list_items')
    .modify((q) => (organizationId === undefined ? q : q.where({ organization_id: organizationId })))
    .distinct('year').orderBy('year', 'desc').pluck('year');
}

/**
 * The latest data-list period each given dataset has delivered (a publication covering it), by
 * dataset id: what a table without a time column covers, as far as the data list can tell.
 */
export async function latestDeliveredPeriods(db: Knex, datasetIds: number[], timeZone: string): Promise<Map<number, { start: string; end: string }>> {
  const out = new Map<number, { start: string; end: string }>();
  if (!datasetIds.length) return out;
  const items: Array<{ dataset_id: number; year: number; frequency: Frequency; due_month: number | null }> = await db('data_list_items')
    .whereIn('dataset_id', datasetIds)
    .select('dataset_id', 'year', 'frequency', 'due_month');
  if (!items.length) return out;
  const facts = await versionFactsOf(db, [...new Set(items.map((i) => i.dataset_id))]);
  const today = localDay(new Date(), timeZone);
  const day = (iso: string) => localDay(new Date(iso), timeZone);
  for (const i of items) {
    for (const p of periodsFor(i.year, i.frequency, i.due_month)) {
      const s = periodStatus(p, facts.get(i.dataset_id) ?? [], today, day);
      if (s.status !== 'terbit' && s.status !== 'terbit_terlambat') continue;
      const best = out.get(i.dataset_id);
      if (!best || p.end > best.end) out.set(i.dataset_id, { start: p.start, end: p.end });
    }
  }
  return out;
}
