import { Actor, automationActor, isAdmin, isProducerOf } from './actor';
import { canAutoSubmit } from './automation';
import { reviewStatesFor } from './review';
import { canViewDataset, canViewWork } from './dataset';
import type { DatasetRecord, VersionRecord } from './records';
import { mayPushTo } from './service-account';

/** Published versions (current or older) are as visible as their dataset; other states are work. */
export function canViewVersion(actor: Actor | null, ds: DatasetRecord, v: VersionRecord): boolean {
  const work = canViewWork(actor, ds) && (actor?.role !== 'pembina' || v.pembina_stage === true);
  if (v.state === 'published' || v.state === 'superseded') return canViewDataset(actor, ds) || work;
  return work;
}

/**
 * Open a version's workspace page (the producer's preview, the reviewer's check): it shows the
 * review history and comments, which are work — so only those who see the dataset's work, and
 * of the versions they may see (a published version's public face is on /dataset/:slug).
 */
export function canOpenVersionPage(actor: Actor | null, ds: DatasetRecord, v: VersionRecord): boolean {
  return canViewWork(actor, ds) && canViewVersion(actor, ds, v);
}

/**
 * Submit, withdraw or reload a version: the dataset's OPD producers, or the operator. A service
 * account only for its chosen datasets (and only submits: see policies/service-account.ts).
 */
export function canManageVersion(actor: Actor | null, ds: DatasetRecord): boolean {
  return isAdmin(actor) || (isProducerOf(actor, ds.organization_id) && mayPushTo(actor, ds));
}

/** The review stage a version in this state is waiting for, if any. */
export function reviewStage(v: VersionRecord): 'walidata' | 'pembina' | null {
  if (v.state === 'submitted') return 'walidata';
  if (v.state === 'verified') return 'pembina';
  return null;
}

/** Separation of duties: nobody reviews a version they uploaded or submitted. */
export function isOwnWork(actor: Actor | null, v: VersionRecord): boolean {
  return actor?.id != null && (actor.id === v.uploaded_by || actor.id === v.submitted_by);
}

/**
 * Decide on a version (approve, request changes, reject): the walidata at the first stage, the
 * pembina at the second (priority data); the operator does what the walidata does, so it decides
 * at the first stage only — never on one's own work.
 */
export function canDecideVersion(actor: Actor | null, ds: DatasetRecord, v: VersionRecord): boolean {
  if (!actor || isOwnWork(actor, v)) return false;
  const mine = reviewStatesFor(actor);
  if (mine.length === 0) return false;
  // The pembina's second check is for priority data only (SPEC §1): any other dataset is not its to decide on.
  if (actor.role === 'pembina' && !ds.prioritas) return false;
  if (reviewStage(v) !== null) return mine.includes(v.state);
  // Not awaiting review: allowed to ask, so the action can answer with a 409 for the state.
  return true;
}

/** May the actor submit this version for review (policy; the state machine checks its state)? */
export function canSubmitVersion(actor: Actor | null, ds: DatasetRecord, _v: VersionRecord): boolean {
  // The portal itself submits only where the dataset asks for it (auto_submit).
  if (actor === automationActor) return canAutoSubmit(actor, ds);
  return canManageVersion(actor, ds);
}

/** May the actor withdraw this version's submission? */
export function canWithdrawVersion(actor: Actor | null, ds: DatasetRecord, _v: VersionRecord): boolean {
  return canManageVersion(actor, ds);
}

/** May the actor reload this version with other reading options? */
export function canReloadVersion(actor: Actor | null, ds: DatasetRecord, _v: VersionRecord): boolean {
  return canManageVersion(actor, ds);
}

/** States from which a version may be submitted / withdrawn / reloaded (SPEC §3). */
export const SUBMITTABLE: readonly VersionRecord['state'][] = ['draft', 'changes_requested'];
export const WITHDRAWABLE: readonly VersionRecord['state'][] = ['submitted'];
export const RELOADABLE: readonly VersionRecord['state'][] = ['draft', 'failed'];

/** Comment on a version: anyone who may see its work (producer answers, reviewers ask). */
export function canCommentVersion(actor: Actor | null, ds: DatasetRecord, _v: VersionRecord): boolean {
  return canViewWork(actor, ds);
}
