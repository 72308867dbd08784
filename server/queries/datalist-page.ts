import type { Knex } from 'knex';
import type { DataListItemRow } from '../actions/datalist';
import type { OrganizationRow, TopicRow } from '../db/rows';
import { localDay } from '../manage/calendar';
import type { Actor } from '../policies/actor';
import { visibleDatasetsScope } from '../policies/dataset';
import { listOpds, topicsInOrder } from './catalog';
import { dataList, dataListYears, type DataListEntry } from './datalist';

/** What the data-list pages (public and workspace) show for one year. */
export interface DataListPage {
  year: number;
  /** The years that have items, newest first. */
  years: number[];
  thisYear: number;
  /** Every item of the year the reader may see (for the counts); `entries`, those of the asked status. */
  all: DataListEntry[];
  entries: DataListEntry[];
  organizations: OrganizationRow[];
}

/** A dataset an item could be linked to. */
export interface LinkableDataset {
  slug: string;
  title: string;
}

/** The year asked for, else this year when it has items, else the newest year that has, else this year. */
export async function loadDataListPage(
  db: Knex,
  actor: Actor | null,
  p: { year?: number; organization?: string; status?: string; organizationId?: number; timeZone: string },
): Promise<DataListPage> {
  const thisYear = Number(localDay(new Date(), p.timeZone).slice(0, 4));
  const years = await dataListYears(db);
  const year = p.year ?? (years.includes(thisYear) ? thisYear : (years[0] ?? thisYear));
  const [all, organizations] = await Promise.all([
    dataList(db, actor, { year, timeZone: p.timeZone, organization: p.organization, organizationId: p.organizationId }),
    listOpds(db),
  ]);
  return { year, years, thisYear, all, entries: p.status ? all.filter((e) => e.status === p.status) : all, organizations };
}

/** The choices of the item form: OPDs and topics. */
export async function loadDataListForm(db: Knex): Promise<{ organizations: OrganizationRow[]; topics: TopicRow[] }> {
  const [organizations, topics] = await Promise.all([listOpds(db), topicsInOrder(db)]);
  return { organizations, topics };
}

/** Datasets an item of this OPD could be linked to: those whose work the actor sees, by title. */
export function linkableDatasets(db: Knex, actor: Actor | null, organizationId: number): Promise<LinkableDataset[]> {
  return db('datasets as d').modify(visibleDatasetsScope(actor, { work: true })).where('d.organization_id', organizationId).orderBy('d.title').select('d.slug', 'd.title') as Promise<LinkableDataset[]>;
}

/** A stored data-list item with the slugs of its OPD and topic, or null. */
export async function findDataListItem(db: Knex, id: number): Promise<(DataListItemRow & { organization_slug: string; topic_slug: string | null }) | null> {
  const row = (await db('data_list_items as i')
    .join('organizations as o', 'o.id', 'i.organization_id')
    .leftJoin('topics as t', 't.id', 'i.topic_id')
    .where('i.id', id)
    .first('i.*', 'o.slug as organization_slug', 't.slug as topic_slug')) as (DataListItemRow & { organization_slug: string; topic_slug: string | null }) | undefined;
  return row ?? null;
}

/** The linkable datasets of each of the given OPDs (one query per OPD, not per item). */
export async function linkableByOrganization(db: Knex, actor: Actor | null, organizationIds: number[]): Promise<Map<number, LinkableDataset[]>> {
  const ids = [...new Set(organizationIds)];
  const lists = await Promise.all(ids.map((id) => linkableDatasets(db, actor, id)));
  return new Map(ids.map((id, i) => [id, lists[i]]));
}
