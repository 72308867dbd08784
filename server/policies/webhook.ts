import { type Actor, isCustodian, isProducerOf } from './actor';

/** What a webhook listens to: the whole public catalog, one organization, or one dataset. */
export interface WebhookScope {
  organizationId: number | null;
  /** The organization of the dataset, when the scope is one dataset. */
  datasetOrganizationId: number | null;
}

/**
 * Subscribe to public events. They carry only what the public catalog shows, but a subscription
 * is an outbound channel the portal keeps calling: the custodian and the operator may subscribe
 * to anything (the national portal, the service bus); a producer to its own OPD's datasets (its
 * application); nobody without an account.
 */
export function canCreateWebhook(actor: Actor | null, scope: WebhookScope): boolean {
  if (!actor?.id) return false;
  if (isCustodian(actor)) return true;
  if (actor.role !== 'produsen') return false;
  const org = scope.datasetOrganizationId ?? scope.organizationId;
  return org !== null && isProducerOf(actor, org);
}

/** See or remove a webhook and its deliveries: whoever made it, and the operator. */
export function canManageWebhook(actor: Actor | null, hook: { owner_id: number }): boolean {
  if (!actor?.id) return false;
  return actor.role === 'admin' || actor.id === hook.owner_id;
}

/** Open the webhooks page (one's subscriptions and their deliveries): those who may subscribe — producers, the custodian. */
export function canUseWebhookPage(actor: Actor | null): boolean {
  return !!actor?.id && !actor.system && (isCustodian(actor) || actor.role === 'produsen');
}

/** The organizations a person's subscription form offers: the producer's own OPD; every one for the custodian. */
export function canSubscribeTo(actor: Actor | null, org: { id: number }): boolean {
  return canCreateWebhook(actor, { organizationId: org.id, datasetOrganizationId: null });
}
