import { Actor, isCustodian } from './actor';

/** Choose the home page's headline indicators: the custodian (walidata, admin), a person, not a command. */
export function canManageHeadlines(actor: Actor | null): boolean {
  return isCustodian(actor) && !actor?.system;
}
