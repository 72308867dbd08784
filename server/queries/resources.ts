import type { Knex } from 'knex';
import type { ColumnRow, VersionRow } from '../db/rows';
import { csvExportDigests, type ExportDigest } from './export-csv';

/** A published (current or older) version with its columns and CSV digest: a catalog resource. */
export interface PublishedVersion extends VersionRow {
  columns: ColumnRow[];
  digest: ExportDigest | null;
}

/**
 * The published and superseded versions of the given datasets, newest first, with their columns
 * and the size and sha256 of their CSV download. Callers have checked the datasets' visibility:
 * published versions are exactly as visible as their dataset (policies/version.ts).
 */
export async function publishedVersions(db: Knex, datasetIds: number[]): Promise<Map<number, PublishedVersion[]>> {
  const out = new Map<number, PublishedVersion[]>();
  if (!datasetIds.length) return out;
  const versions: VersionRow[] = await db('versions')
    .whereIn('dataset_id', datasetIds)
    .whereIn('state', ['published', 'superseded'])
    .orderBy([{ column: 'dataset_id' }, { column: 'number', order: 'desc' }]);
  const columns: ColumnRow[] = versions.length ? await db('version_columns').whereIn('version_id', versions.map((v) => v.id)).orderBy(['version_id', 'position']) : [];
  const withColumns = versions.map((v) => ({ ...v, columns: columns.filter((c) => c.version_id === v.id) }));
  const digests = await csvExportDigests(db, withColumns);
  for (const v of withColumns) {
    const list = out.get(v.dataset_id) ?? [];
    list.push({ ...v, digest: digests.get(v.id) ?? null });
    out.set(v.dataset_id, list);
  }
  return out;
}
