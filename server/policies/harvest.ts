import { type Actor, isCustodian } from './actor';

/**
 * The harvester: reads kabupaten/kota portals on their schedule and files what it finds under
 * their "harvested" organizations. Recorded in the audit log as `sistem:panen`.
 */
export const harvesterActor: Actor = { id: null, role: 'admin', organizationId: null, email: 'sistem:panen', name: 'Sistem (panen data kabupaten/kota)', system: true };

/** True for the harvester itself (and nobody else: a person never acts as it). */
export function isHarvester(actor: Actor | null): boolean {
  return actor?.system === true && actor.email === harvesterActor.email;
}

/**
 * Register, list and run harvest sources: the custodian (walidata) and the operator. A source
 * brings another portal's catalog into this one, so it is the walidata's decision (SPEC §5).
 */
export function canManageHarvest(actor: Actor | null): boolean {
  return isCustodian(actor) && !isHarvester(actor);
}

/** File or update a harvested dataset, or publish what a source without review brought: the harvester only. */
export function canHarvest(actor: Actor | null): boolean {
  return isHarvester(actor);
}
