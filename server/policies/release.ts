import { Actor, isCustodian, schedulerActor } from './actor';
import type { DatasetRecord, VersionRecord } from './records';

/**
 * Take a scheduled version back (to the queue it came from) or publish it at once: the
 * custodian — the walidata, who runs the release calendar, and the operator.
 */
export function canManageRelease(actor: Actor | null, _ds: DatasetRecord, _v: VersionRecord): boolean {
  return isCustodian(actor) && !actor?.system;
}

/** Publish a scheduled version whose time has come: the scheduler only (never a person, never the public). */
export function canPublishDue(actor: Actor | null): boolean {
  return actor !== null && actor.system === true && actor.email === schedulerActor.email;
}
