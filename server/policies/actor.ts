export const ROLES = ['admin', 'walidata', 'pembina', 'produsen'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: a signed-in user, the operator's CLI (system), or nobody (null = public). */
export interface Actor {
  id: number | null;
  role: Role;
  organizationId: number | null;
  email: string;
  name: string;
  /** The operator's command line: acts with admin rights, recorded as "cli" in the audit log. */
  system?: boolean;
  /** Set when the actor came by an API token: which one, and what it may do (`read`: nothing that changes state). */
  token?: { id: number; scope: TokenScope };
  /**
   * Set for an OPD application's service account (issue 12): it acts for its OPD but may only
   * push and submit versions of these datasets (see policies/service-account.ts).
   */
  service?: { datasetIds: number[] };
}

export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** True when the actor may change state: everyone but the holder of a read-only token. */
export function mayWrite(actor: Actor | null): boolean {
  return actor?.token?.scope !== 'read';
}

/** The actor of operator commands (`npm run cli`). */
export const systemActor: Actor = { id: null, role: 'admin', organizationId: null, email: 'cli', name: 'CLI', system: true };

/** True for the operator's command line itself (not the portal's own system actors: scheduler, automation, harvester). */
export function isOperatorCommand(actor: Actor | null): boolean {
  return actor?.system === true && actor.email === systemActor.email;
}

/**
 * The release scheduler: publishes `scheduled` versions when their time comes, from any app or
 * worker process. Recorded in the audit log as `sistem:jadwal-rilis`.
 */
export const schedulerActor: Actor = { id: null, role: 'admin', organizationId: null, email: 'sistem:jadwal-rilis', name: 'Sistem (jadwal rilis)', system: true };

/**
 * Someone without an account using the one thing the public may do that changes state: asking
 * for data (SPEC §5 `POST /api/v1/requests`). Its policies allow only that; recorded as `publik`.
 */
export const requesterActor: Actor = { id: null, role: 'produsen', organizationId: null, email: 'publik', name: 'Publik' };

/** True for the platform operator. */
export function isAdmin(actor: Actor | null): boolean {
  return actor?.role === 'admin';
}

/** True for the data custodian and the operator, who may see every dataset. */
export function isCustodian(actor: Actor | null): boolean {
  return actor?.role === 'admin' || actor?.role === 'walidata';
}

/** True when the actor is a producer of the given organization. */
export function isProducerOf(actor: Actor | null, organizationId: number): boolean {
  return actor?.role === 'produsen' && actor.organizationId === organizationId;
}

/**
 * The portal acting on a dataset's automation settings (issue 12): submits a clean pushed or
 * pulled version when `auto_submit` is on, and publishes one that only adds new periods when
 * `auto_publish` is. Recorded in the audit log as `sistem:otomatis`.
 */
export const automationActor: Actor = { id: null, role: 'admin', organizationId: null, email: 'sistem:otomatis', name: 'Sistem (otomatis)', system: true };
