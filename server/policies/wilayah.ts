import { Actor, isCustodian, isOperatorCommand } from './actor';

/**
 * Manage the reference codes (kode referensi): the custodian (walidata, admin) as a person, and
 * the operator's command line (`npm run cli -- wilayah:…`); never the portal's own system actors.
 */
export function canManageWilayah(actor: Actor | null): boolean {
  return (isCustodian(actor) && !actor?.system) || isOperatorCommand(actor);
}
