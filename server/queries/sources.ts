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
