import type { Actor } from './actor';

/** Change a password knowing the current one: only one's own, as a person (not the CLI). */
export function canChangeOwnPassword(actor: Actor | null, userId: number | null): boolean {
  return actor?.id != null && !actor.system && actor.id === userId;
}

/** Ask for a reset link by e-mail: anyone, signed in or not (what it does never depends on who asks). */
export function canRequestPasswordReset(actor: Actor | null): boolean {
  return actor !== null;
}

/** Use a reset link: the person it was made for (the link itself is the proof). */
export function canResetWithLink(actor: Actor | null, userId: number): boolean {
  return actor?.id != null && !actor.system && actor.id === userId;
}
