import type { Knex } from 'knex';
import type { z } from 'zod';
import { Conflict, Forbidden, Invalid, NotFound, Unauthenticated } from '../errors';
import { mayWrite, type Actor } from '../policies/actor';
import type { Services } from '../services';
import { recordAudit, type AuditEntry } from '../audit';
import { serviceMayPerform, serviceRefusal } from '../policies/service-account';

export type { AuditEntry };

/** Everything an action's run step may use: the open transaction and the app's services. */
export interface ActionContext extends Services {
  tx: Knex.Transaction;
  ip?: string;
  /** Work to do once the transaction has committed (enqueue a job, notify a worker). */
  afterCommit(fn: () => unknown): void;
}

/**
 * true: allowed; false: forbidden (401 for the public); 'hidden' or a NotFound: the actor may not
 * know it exists (404 — the given one, so that it reads as what a missing record gets).
 */
export type Verdict = boolean | 'hidden' | NotFound;

/** A verb of the portal: the only way state changes. Every action names its policy. */
export interface Action<S extends z.ZodType, R, O> {
  name: string;
  input: S;
  /** Loads (and locks, where needed) the records the policy looks at; throws NotFound. */
  load(tx: Knex.Transaction, input: z.output<S>, actor: Actor | null): Promise<R>;
  /** The permission check: a call into server/policies, pure. */
  authorize(actor: Actor | null, record: R, input: z.output<S>): Verdict;
  /** The change and its audit entry; `audit: null` only when nothing changed (nothing is recorded). */
  run(ctx: ActionContext, actor: Actor, record: R, input: z.output<S>): Promise<{ result: O; audit: AuditEntry | null }>;
}

/** Declares an action (identity function that keeps the types). */
export function defineAction<S extends z.ZodType, R, O>(def: Action<S, R, O>): Action<S, R, O> {
  return def;
}

declare const untrustedBrand: unique symbol;

/**
 * Input from outside the program (a form, a command line, a manifest file): its shape is unknown
 * until the action's schema parses it, which perform always does. Marking it so keeps perform's
 * type check for the program's own calls without casting what arrives from outside.
 */
export type Untrusted = { readonly [untrustedBrand]: true };

/** Marks input from outside as such (see Untrusted). */
export const untrusted = (input: unknown): Untrusted => input as Untrusted;

/** Options of one performance of an action. */
export interface PerformOptions {
  ip?: string;
}

/**
 * Runs an action: validate the input, then in one transaction load → authorize → run → audit.
 * Nothing reaches `run` without the policy's yes.
 */
export async function perform<S extends z.ZodType, R, O>(
  action: Action<S, R, O>,
  actor: Actor | null,
  rawInput: z.input<S> | Untrusted,
  services: Services,
  opts: PerformOptions = {},
): Promise<O> {
  const parsed = action.input.safeParse(rawInput);
  if (!parsed.success) {
    throw new Invalid('Masukan tidak valid.', 'Invalid input.', zodIssues(parsed.error));
  }
  const input = parsed.data as z.output<S>;
  // Every action changes state: a read-only token never reaches one.
  if (!mayWrite(actor)) throw readOnlyToken();
  // A service account pushes and submits, nothing else (policies/service-account.ts).
  if (!serviceMayPerform(actor, action.name)) throw serviceRefusal();
  const after: Array<() => unknown> = [];
  const result = await services.db
    .transaction(async (tx) => {
      const record = await action.load(tx, input, actor);
      enforce(action.authorize(actor, record, input), actor);
      const ctx: ActionContext = { ...services, tx, ip: opts.ip, afterCommit: (fn) => after.push(fn) };
      const { result: out, audit } = await action.run(ctx, actor, record, input);
      if (audit) await recordAudit(tx, actor, action.name, audit, opts.ip);
      return out;
    })
    .catch((err: unknown) => {
      throw madeMeanwhile(err) ?? err;
    });
  for (const fn of after) await fn();
  return result;
}

/**
 * A unique index refused the change: another request made the same record (an e-mail, a slug, a
 * code) between this action's check and its insert. Someone else was first: a 409, not a 500.
 */
function madeMeanwhile(err: unknown): Conflict | null {
  const e = err as { code?: string; constraint?: string };
  if (e?.code !== '23505') return null;
  return new Conflict(
    'Data yang sama baru saja dibuat oleh permintaan lain. Muat ulang halaman lalu periksa kembali.',
    'The same record was just made by another request. Reload the page and check again.',
    { constraint: e.constraint ?? null },
  );
}

/** The refusal a read-only token gets for anything that writes. */
export function readOnlyToken(): Forbidden {
  return new Forbidden('Token ini hanya untuk membaca (scope read); perubahan memerlukan token dengan scope write.', 'This token may only read (scope read); changes need a token with scope write.');
}

/** Turns a policy's verdict into the refusal the caller gets (404 for what they may not know of). */
function enforce(verdict: Verdict, actor: Actor | null): asserts actor is Actor {
  if (verdict instanceof NotFound) throw verdict;
  if (verdict === 'hidden') throw new NotFound();
  if (verdict !== true || !actor) throw actor ? new Forbidden() : new Unauthenticated();
}

/**
 * An action's permission stage alone (load → authorize, nothing run or recorded), for work that
 * must not begin unless the action would be allowed, such as receiving an upload's bytes. The
 * action checks again when it is performed. `input` needs only what `load` and `authorize` read.
 */
export async function preflight<S extends z.ZodType, R, O>(
  action: Action<S, R, O>,
  actor: Actor | null,
  input: Partial<z.output<S>>,
  services: Services,
): Promise<void> {
  if (!mayWrite(actor)) throw readOnlyToken();
  if (!serviceMayPerform(actor, action.name)) throw serviceRefusal();
  await services.db.transaction(async (tx) => {
    const record = await action.load(tx, input as z.output<S>, actor);
    enforce(action.authorize(actor, record, input as z.output<S>), actor);
  });
}

/** zod issues as `{path, message}` pairs for the error `details`. */
export function zodIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}
