import { Forbidden } from '../errors';
import { type Actor, isAdmin } from './actor';
import type { DatasetRecord } from './records';

// An OPD application's service account (issue 12 "Push"): it reads what its OPD reads, and of
// everything a producer may do it does two things only — push a version (`version.upload`) and
// submit it (`version.submit`) — and only for the datasets it was given. Every other action is
// refused before anything is loaded (403), so a policy written for people never has to know of it.

/** The actions a service account may perform at all (its datasets only: see mayPushTo). */
export const SERVICE_ACTIONS: ReadonlySet<string> = new Set(['version.upload', 'version.submit']);

/** True for an OPD application's service account. */
export function isServiceAccount(actor: Actor | null): boolean {
  return actor?.service !== undefined;
}

/** May the actor perform this action at all? Everyone but a service account, which has SERVICE_ACTIONS. */
export function serviceMayPerform(actor: Actor | null, actionName: string): boolean {
  return !isServiceAccount(actor) || SERVICE_ACTIONS.has(actionName);
}

/** The refusal a service account gets for anything but pushing and submitting. */
export function serviceRefusal(): Forbidden {
  return new Forbidden(
    'Akun layanan hanya dapat mengirim dan mengajukan versi dataset yang ditetapkan untuknya.',
    'A service account may only push and submit versions of the datasets it was given.',
  );
}

/** Within the actor's dataset scope: always for people; for a service account, its chosen datasets only. */
export function mayPushTo(actor: Actor | null, ds: Pick<DatasetRecord, 'id'>): boolean {
  return !actor?.service || actor.service.datasetIds.includes(ds.id);
}

/** The HTML pages are for people: a service account's token opens none of them (it reads as the public there). */
export function mayUseWebPages(actor: Actor | null): boolean {
  return !isServiceAccount(actor);
}

/** Create, rotate, revoke service accounts and choose their datasets: the operator. */
export function canManageServiceAccounts(actor: Actor | null): boolean {
  return isAdmin(actor);
}
