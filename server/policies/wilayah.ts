import { Actor, isCustodian } from './actor';

/** Manage the reference codes (kode referensi): the custodian (walidata, admin), a person, not a command. */
export function canManageWilayah(actor: Actor | null): boolean {
  return isCustodian(actor) && !actor?.system;
}
