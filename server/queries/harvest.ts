import type { Knex } from 'knex';
import type { HarvestSourceRow } from '../actions/harvest';
import type { DatasetHarvestRow, HarvestRunRow } from '../exchange/harvest';
import { Forbidden, NotFound, Unauthenticated } from '../errors';
import type { Actor } from '../policies/actor';
import { canManageHarvest } from '../policies/harvest';

export type HarvestSourceListed = HarvestSourceRow & { org_slug: string; org_name: string };

const sources = (db: Knex) => db('harvest_sources as s').join('organizations as o', 'o.id', 's.organization_id').select('s.*', 'o.slug as org_slug', 'o.name as org_name');

/** Harvest sources and their logs are the custodian's (canManageHarvest): refuses anyone else. */
function mayRead(actor: Actor | null): void {
  if (!actor) throw new Unauthenticated();
  if (!canManageHarvest(actor)) throw new Forbidden();
}

/** Every harvest source, by name. */
export function listHarvestSources(db: Knex, actor: Actor | null): Promise<HarvestSourceListed[]> {
  mayRead(actor);
  return sources(db).orderBy('s.name') as Promise<HarvestSourceListed[]>;
}

/** One harvest source (NotFound when unknown). */
export async function findHarvestSource(db: Knex, actor: Actor | null, id: number): Promise<HarvestSourceListed> {
  mayRead(actor);
  const s = (await sources(db).where('s.id', id).first()) as HarvestSourceListed | undefined;
  if (!s) throw new NotFound('Sumber panen tidak ditemukan.', 'Harvest source not found.');
  return s;
}

/** A source's runs, newest first. */
export function harvestRunsOf(db: Knex, sourceId: number, limit = 50): Promise<HarvestRunRow[]> {
  return db('harvest_runs').where({ source_id: sourceId }).orderBy('id', 'desc').limit(limit) as Promise<HarvestRunRow[]>;
}

/** Where a dataset was harvested from, if it was. */
export async function harvestOriginOf(db: Knex, datasetId: number): Promise<(DatasetHarvestRow & { source_name: string }) | null> {
  const row = await db('dataset_harvests as h').join('harvest_sources as s', 's.id', 'h.source_id').where('h.dataset_id', datasetId).first('h.*', 's.name as source_name');
  return (row as (DatasetHarvestRow & { source_name: string }) | undefined) ?? null;
}
