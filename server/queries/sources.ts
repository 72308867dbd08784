import type { Knex } from 'knex';
import type { SourceRow } from '../actions/sources';
import type { SourceRunRow } from '../exchange/pull';

/** The dataset's pulled source, if it has one. */
export async function sourceOf(db: Knex, datasetId: number): Promise<SourceRow | null> {
  return ((await db('dataset_sources').where({ dataset_id: datasetId }).first()) as SourceRow | undefined) ?? null;
}

/** The source's runs, newest first. */
export function runsOf(db: Knex, sourceId: number, limit = 20): Promise<SourceRunRow[]> {
  return db('source_runs').where({ source_id: sourceId }).orderBy('id', 'desc').limit(limit) as Promise<SourceRunRow[]>;
}

/** The numbers of the given versions, by version id (a run names the version it made). */
export async function versionNumbers(db: Knex, ids: Array<number | null>): Promise<Map<number, number>> {
  const wanted = ids.filter((x): x is number => x !== null);
  if (!wanted.length) return new Map();
  const rows: Array<{ id: number; number: number }> = await db('versions').whereIn('id', wanted).select('id', 'number');
  return new Map(rows.map((v) => [v.id, Number(v.number)]));
}

/** The workspace's source panel as loaded: the dataset's pulled source, its last runs and the numbers of the versions they made. */
export async function loadSourcePanel(db: Knex, datasetId: number, runs = 10): Promise<{ source: SourceRow | null; runs: SourceRunRow[]; numbers: Map<number, number> }> {
  const source = await sourceOf(db, datasetId);
  const list = source ? await runsOf(db, source.id, runs) : [];
  return { source, runs: list, numbers: await versionNumbers(db, list.map((x) => x.version_id)) };
}

/** The number of the version a run made, or null. */
export async function versionNumberOf(db: Knex, versionId: number | null): Promise<number | null> {
  return (await versionNumbers(db, [versionId])).get(versionId ?? -1) ?? null;
}
