import type { Knex } from 'knex';
import { Actor, isAdmin, isCustodian, isProducerOf } from './actor';
import type { DatasetRecord, OrganizationRecord } from './records';
import { datasetStageCondition } from '../queries/stage';
import { mayPushTo } from './service-account';

/** Published and not retracted: the dataset has a public face. */
export function isLive(ds: DatasetRecord): boolean {
  return ds.current_version_id !== null && !ds.retracted_at;
}

/** May the actor see the dataset's public face (metadata and current published data)? */
export function canViewDataset(actor: Actor | null, ds: DatasetRecord): boolean {
  if (canViewWork(actor, ds)) return true;
  if (!isLive(ds)) return false;
  if (ds.access_level === 'terbuka') return true;
  return actor !== null && ds.access_level === 'terbatas';
}

/**
 * May the actor see the dataset's unpublished work (drafts, submissions, reports)? Its own OPD
 * and the custodian. The pembina gives priority data its second check after the walidata: it
 * sees a priority dataset's work once a version has reached it, and then only such versions
 * (see canViewVersion) — never drafts or submissions the walidata has not passed.
 */
export function canViewWork(actor: Actor | null, ds: DatasetRecord): boolean {
  if (!actor) return false;
  if (isCustodian(actor) || isProducerOf(actor, ds.organization_id)) return true;
  return actor.role === 'pembina' && ds.prioritas && ds.pembina_stage === true;
}

/** Create a dataset for an organization: that OPD's producers, or the operator. */
export function canCreateDataset(actor: Actor | null, org: OrganizationRecord): boolean {
  if (org.kind !== 'opd') return false;
  return isAdmin(actor) || isProducerOf(actor, org.id);
}

/** Change a dataset's metadata: its OPD's producers, the custodian, the operator. */
export function canUpdateDataset(actor: Actor | null, ds: DatasetRecord): boolean {
  return isCustodian(actor) || isProducerOf(actor, ds.organization_id);
}

const ACCESS_RANK = { terbuka: 0, terbatas: 1, tertutup: 2 } as const;

/**
 * Change who may read a dataset (access level) or whether it gets the pembina's second check
 * (prioritas). Before anything is published the OPD decides freely: the review comes later. Once
 * a version is published, only the custodian may open a dataset up or change its prioritas flag;
 * the OPD may still close it further at once (never a way around review).
 */
export function canChangeAccess(
  actor: Actor | null,
  ds: DatasetRecord,
  to: { access_level?: DatasetRecord['access_level']; prioritas?: boolean },
): boolean {
  if (isCustodian(actor)) return true;
  if (!isProducerOf(actor, ds.organization_id)) return false;
  if (ds.current_version_id === null) return true;
  if (to.prioritas !== undefined && to.prioritas !== ds.prioritas) return false;
  if (to.access_level !== undefined && ACCESS_RANK[to.access_level] < ACCESS_RANK[ds.access_level]) return false;
  return true;
}

/** Upload a new version: its OPD's producers (a service account: of its chosen datasets), or the operator. */
export function canUploadVersion(actor: Actor | null, ds: DatasetRecord): boolean {
  return isAdmin(actor) || (isProducerOf(actor, ds.organization_id) && mayPushTo(actor, ds));
}

/**
 * Give a dataset a pulled source, or run it: whoever may upload its versions (the source's runs
 * upload as the person who set it, and what they make still goes through review).
 */
export function canManageSource(actor: Actor | null, ds: DatasetRecord): boolean {
  return canUploadVersion(actor, ds);
}

/** Take a published dataset off the public site (or put it back): the custodian. */
export function canRetractDataset(actor: Actor | null, _ds: DatasetRecord): boolean {
  return isCustodian(actor);
}

/**
 * Listing rules as SQL over `datasets` (aliased `d`). The catalog lists live datasets the actor
 * may read (canViewDataset for live ones); `work` lists datasets whose unpublished work the
 * actor may see (canViewWork), for dashboards and queues.
 */
export function visibleDatasetsScope(actor: Actor | null, opts: { publicOnly?: boolean; work?: boolean } = {}) {
  return (qb: Knex.QueryBuilder): void => {
    if (opts.work) {
      if (!actor) void qb.whereRaw('false');
      else if (isCustodian(actor)) return;
      else if (actor.role === 'produsen') void qb.where('d.organization_id', actor.organizationId ?? -1);
      else if (actor.role === 'pembina') void qb.where('d.prioritas', true).whereRaw(datasetStageCondition('d'));
      else void qb.whereRaw('false');
      return;
    }
    void qb.whereNotNull('d.current_version_id').whereNull('d.retracted_at');
    if (opts.publicOnly || !actor) {
      void qb.where('d.access_level', 'terbuka');
      return;
    }
    if (isCustodian(actor)) return;
    void qb.where((w) => {
      void w.whereIn('d.access_level', ['terbuka', 'terbatas']);
      if (actor.role === 'produsen') void w.orWhere('d.organization_id', actor.organizationId ?? -1);
      if (actor.role === 'pembina') void w.orWhere((p) => p.where('d.prioritas', true).whereRaw(datasetStageCondition('d')));
    });
  };
}

/**
 * Open the producer's workspace to start a dataset (the "new dataset" form): a producer, or the
 * operator. Which organizations the form offers is canCreateDataset's answer per organization.
 */
export function canUseProducerWorkspace(actor: Actor | null): boolean {
  return !!actor && !actor.system && (actor.role === 'produsen' || actor.role === 'admin');
}

/** The organizations a dataset form offers: the producer's own OPD; every OPD for the custodian. */
export function canFileUnder(actor: Actor | null, org: OrganizationRecord): boolean {
  return org.kind === 'opd' && (isCustodian(actor) || (actor !== null && isProducerOf(actor, org.id)));
}
