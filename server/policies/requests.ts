import { Actor, isCustodian, isProducerOf } from './actor';

/** A data request as the policies see it. */
export interface RequestRecord {
  id: number;
  state: string;
  organization_id: number | null;
  hidden_at: Date | string | null;
}

/** Ask for data or give feedback: anyone, signed in or not (SPEC §5 `POST /api/v1/requests`). */
export function canCreateRequest(_actor: Actor | null): boolean {
  return true;
}

/** Route a request to an OPD, hide spam: the custodian. */
export function canRouteRequest(actor: Actor | null): boolean {
  return isCustodian(actor) && !actor?.system;
}

/** Answer a request: the custodian, or a producer of the OPD it was routed to. */
export function canAnswerRequest(actor: Actor | null, r: RequestRecord): boolean {
  if (canRouteRequest(actor)) return true;
  return r.organization_id !== null && isProducerOf(actor, r.organization_id);
}

/** See a request's handling (requester's contact, internal notes): who may answer it. */
export function canSeeRequestContact(actor: Actor | null, r: RequestRecord): boolean {
  return canAnswerRequest(actor, r);
}

/** The public sees every request that was not hidden as spam. */
export function canViewRequest(actor: Actor | null, r: RequestRecord): boolean {
  return r.hidden_at === null || canRouteRequest(actor);
}

/** Open the requests workspace: the custodian (every request) or a producer (its OPD's). */
export function canUseRequestWorkspace(actor: Actor | null): boolean {
  return canRouteRequest(actor) || (actor !== null && !actor.system && actor.role === 'produsen');
}
