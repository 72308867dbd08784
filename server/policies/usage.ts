import { Actor, isCustodian } from './actor';

/**
 * See the portal's usage: views and downloads per dataset, and what the public searched for
 * without finding it — the custodian (walidata, admin), who plans the data list with it.
 */
export function canViewUsage(actor: Actor | null): boolean {
  return isCustodian(actor) && !actor?.system;
}
