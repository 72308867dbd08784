import type { Knex } from 'knex';

// Whether a version (or any version of a dataset) has reached the pembina's second check: it
// waits for it (`verified`) or the pembina has already decided on it. The policies read these
// flags (VersionRecord/DatasetRecord `pembina_stage`); the pembina sees no work before that.

const VERSION_AT_PEMBINA = (v: string) =>
  `(${v}.state = 'verified' OR EXISTS (SELECT 1 FROM reviews pr WHERE pr.version_id = ${v}.id AND pr.stage = 'pembina'))`;

/** `<alias>.pembina_stage` of a version row aliased `alias`. */
export function versionStage(db: Knex, alias: string): Knex.Raw {
  return db.raw(`${VERSION_AT_PEMBINA(alias)} AS pembina_stage`);
}

/** The condition "some version of dataset `alias` reached the pembina", as SQL text. */
export function datasetStageCondition(alias: string): string {
  return `EXISTS (SELECT 1 FROM versions pv WHERE pv.dataset_id = ${alias}.id AND ${VERSION_AT_PEMBINA('pv')})`;
}

/** `pembina_stage` of a dataset row aliased `alias`. */
export function datasetStage(db: Knex, alias: string): Knex.Raw {
  return db.raw(`${datasetStageCondition(alias)} AS pembina_stage`);
}
