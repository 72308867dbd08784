import type { Knex } from 'knex';
import type { DatasetJoinedRow, OrganizationRow } from '../db/rows';
import type { DcatDataset } from '../presenters/dcat';
import { visibleDatasetsScope } from '../policies/dataset';
import { versionExtent, provinceRegion } from './extent';
import { publishedVersions } from './resources';
import { latestDeliveredPeriods } from './datalist';

/**
 * What the DCAT graph of each given (visible, live) dataset is built from. A table without a time
 * column takes its period from the data list (the latest period it delivered), if it is on one.
 */
export async function dcatSources(db: Knex, rows: DatasetJoinedRow[], timeZone: string): Promise<DcatDataset[]> {
  const [versions, orgs, province, delivered] = await Promise.all([
    publishedVersions(db, rows.map((d) => d.id)),
    rows.length ? (db('organizations').whereIn('slug', [...new Set(rows.map((d) => d.org_slug))]) as Promise<OrganizationRow[]>) : Promise.resolve([] as OrganizationRow[]),
    provinceRegion(db),
    latestDeliveredPeriods(db, rows.map((d) => d.id), timeZone),
  ]);
  const out: DcatDataset[] = [];
  for (const d of rows) {
    const vs = versions.get(d.id) ?? [];
    const current = vs.find((v) => v.id === d.current_version_id);
    const extent = current ? await versionExtent(db, current.table_name, current.columns) : { regions: [], start: null, end: null };
    out.push({ row: d, versions: vs, extent, organization: orgs.find((o) => o.slug === d.org_slug) ?? { slug: d.org_slug, name: d.org_name }, province, period: delivered.get(d.id) ?? null });
  }
  return out;
}

/** The catalog's own publisher (the walidata organization), when there is one. */
export async function catalogPublisher(db: Knex): Promise<OrganizationRow | undefined> {
  return db('organizations').where({ kind: 'walidata' }).orderBy('id').first();
}

/** When the catalog first published anything open (its dct:issued). */
export async function catalogIssued(db: Knex): Promise<Date | null> {
  const row = await db('versions as v')
    .join('datasets as d', 'd.id', 'v.dataset_id')
    .modify(visibleDatasetsScope(null))
    .whereIn('v.state', ['published', 'superseded'])
    .min<{ at: Date | null }>('v.published_at as at')
    .first();
  return row?.at ?? null;
}
