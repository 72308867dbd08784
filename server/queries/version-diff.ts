import type { Knex } from 'knex';
import { Conflict } from '../errors';
import type { DatasetRow, VersionRow } from '../db/rows';
import type { Actor } from '../policies/actor';
import { findVersion, versionColumns } from './datasets';
import { changedCells, diffVersions, type DiffSide, type VersionDiff } from './diff';

export interface VersionDiffParams {
  key?: string[];
  /** Compare with this version number instead (one the actor may see), e.g. the previous submission. */
  against?: number;
  cells_limit?: number;
  cells_offset?: number;
}

/**
 * What version `v` is compared against: the current published version when that is another one;
 * for the current published version itself, the latest superseded version before it; else none.
 */
export async function diffBaseFor(db: Knex, dataset: DatasetRow, v: VersionRow): Promise<VersionRow | null> {
  if (dataset.current_version_id && dataset.current_version_id !== v.id) {
    return db('versions').where({ id: dataset.current_version_id }).first();
  }
  if (dataset.current_version_id === v.id) {
    const prev = await db('versions')
      .where({ dataset_id: dataset.id, state: 'superseded' })
      .where('number', '<', v.number)
      .orderBy('number', 'desc')
      .first();
    return prev ?? null;
  }
  return null;
}

/** One side of a diff: a loaded version's table and columns. */
export async function diffSide(db: Knex, v: VersionRow): Promise<DiffSide> {
  const columns = await versionColumns(db, v.id);
  return { number: Number(v.number), table_name: v.table_name, columns: columns.map((c) => ({ name: c.name, type: c.type, role: c.role })) };
}

/**
 * The version submitted before `v` (the one a reviewer sent back, or an earlier approved one), if any:
 * what a resubmission is compared with besides the published version.
 */
export async function previousSubmission(db: Knex, v: VersionRow): Promise<VersionRow | null> {
  return (
    (await db('versions')
      .where({ dataset_id: v.dataset_id })
      .where('number', '<', v.number)
      .whereNotNull('submitted_at')
      .whereNotNull('table_name')
      .orderBy('number', 'desc')
      .first()) ?? null
  );
}

/**
 * The diff of version `n` of a dataset the actor may see against its base (see diffBaseFor, or `against`),
 * with a page of changed cells when `cells_limit` is given.
 */
export async function versionDiff(
  db: Knex,
  actor: Actor | null,
  slug: string,
  n: number,
  p: VersionDiffParams = {},
): Promise<VersionDiff & { cells?: Awaited<ReturnType<typeof changedCells>>['cells']; cells_total?: number }> {
  const { dataset, version } = await findVersion(db, actor, slug, n);
  if (!version.table_name) {
    throw new Conflict(`Versi ${n} tidak memiliki tabel data untuk dibandingkan.`, `Version ${n} has no data table to compare.`);
  }
  const baseRow = p.against !== undefined && p.against !== n ? (await findVersion(db, actor, slug, p.against)).version : await diffBaseFor(db, dataset, version);
  const [base, target] = await Promise.all([baseRow ? diffSide(db, baseRow) : null, diffSide(db, version)]);
  const diff = await diffVersions(db, base, target, { key: p.key });
  if (p.cells_limit === undefined) return diff;
  const page =
    base && diff.rows.key_unique && diff.rows.key.length
      ? await changedCells(db, base, target, diff.rows.key, { limit: p.cells_limit, offset: p.cells_offset ?? 0 })
      : { cells: [], total: 0 };
  return { ...diff, cells: page.cells, cells_total: page.total };
}
