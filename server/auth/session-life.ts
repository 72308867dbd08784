import type { Request } from 'express';

const regenerate = (req: Request) => new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
const save = (req: Request) => new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));

/** Signs a user in on this browser under a new session id (an id planted before is worth nothing). */
export async function startSession(req: Request, userId: number): Promise<void> {
  await regenerate(req);
  req.session.userId = userId;
  req.session.signedInAt = Date.now();
  await save(req);
}

/**
 * A new session id for the same sign-in (after a password or privilege change, or signing out
 * elsewhere): the old id is worth nothing; the sign-in time, and so the absolute expiry, stays.
 */
export async function rotateSession(req: Request): Promise<void> {
  const { userId, signedInAt } = req.session;
  await regenerate(req);
  if (userId !== undefined) {
    req.session.userId = userId;
    req.session.signedInAt = signedInAt ?? Date.now();
  }
  await save(req);
}

/** True when a signed-in session is past its absolute lifetime (or predates the sign-in time being kept). */
export function sessionTooOld(req: Request, maxMs: number, now = Date.now()): boolean {
  const at = req.session?.signedInAt;
  return typeof at !== 'number' || now - at > maxMs;
}
