import { type Actor, automationActor, isCustodian, isProducerOf } from './actor';
import type { DatasetRecord } from './records';

// A dataset's automation (issue 12): `auto_submit` is the OPD's (or the walidata's) choice — a
// clean load goes to the walidata's queue instead of waiting as a draft; `auto_publish` is the
// walidata's (or the admin's) alone, and never for prioritas data, which the pembina checks.

/** Turn auto_submit on or off: the dataset's OPD producers (people, not its applications), the custodian. */
export function canSetAutoSubmit(actor: Actor | null, ds: DatasetRecord): boolean {
  return !actor?.system && (isCustodian(actor) || isProducerOf(actor, ds.organization_id));
}

/** Turn auto_publish on or off: the custodian (walidata, admin) only. */
export function canSetAutoPublish(actor: Actor | null, _ds: DatasetRecord): boolean {
  return !actor?.system && isCustodian(actor);
}

/** Set the automation fields given (only those named are checked). */
export function canSetAutomation(actor: Actor | null, ds: DatasetRecord, to: { auto_submit?: boolean; auto_publish?: boolean }): boolean {
  if (to.auto_submit === undefined && to.auto_publish === undefined) return canSetAutoSubmit(actor, ds) || canSetAutoPublish(actor, ds);
  if (to.auto_submit !== undefined && !canSetAutoSubmit(actor, ds)) return false;
  if (to.auto_publish !== undefined && !canSetAutoPublish(actor, ds)) return false;
  return true;
}

/** Submit or publish on a dataset's automation: the automation actor only, where the dataset asks for it. */
export function canAutoSubmit(actor: Actor | null, ds: DatasetRecord & { auto_submit?: boolean }): boolean {
  return actor === automationActor && ds.auto_submit === true;
}

/** Publish without a person: the automation actor, on a dataset with auto_publish and never prioritas. */
export function canAutoPublish(actor: Actor | null, ds: DatasetRecord & { auto_publish?: boolean }): boolean {
  return actor === automationActor && ds.auto_publish === true && !ds.prioritas;
}
