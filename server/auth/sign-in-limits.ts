import type { Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config';

/** A refusal for now, and when to try again. */
export interface Wait {
  retryAfterSeconds: number;
  reason: 'address' | 'account';
}

/** The longest an account is locked after failures in a row. */
const MAX_LOCK_SECONDS = 3600;

/**
 * Sign-in limits in PostgreSQL (rate-limiter-flexible's store), shared by every app process:
 * failures per address (SIGN_IN_ATTEMPTS in 15 minutes), and per account (after
 * LOGIN_ACCOUNT_FREE_FAILURES failures in a row, each further one locks the account for 1, 2, 4…
 * minutes, at most an hour; a success clears it). The account is the e-mail as typed (lower
 * case), whether or not it exists, so a lock tells nothing about which accounts exist.
 */
export class SignInLimits {
  private readonly byAddress: RateLimiterPostgres;
  private readonly failures: RateLimiterPostgres;
  private readonly locks: RateLimiterPostgres;
  private readonly resets: RateLimiterPostgres;
  private readonly freeFailures: number;

  constructor(db: Knex, config: Config) {
    // Expired counters are deleted by the workers' sweep (clearExpiredRateLimits), once for all
    // processes, not by a timer per limiter in every web process.
    const store = { storeClient: db, storeType: 'knex', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false };
    const ns = config.rateLimitNamespace;
    this.byAddress = new RateLimiterPostgres({ ...store, keyPrefix: `${ns}:login-ip`, points: config.loginIpLimit, duration: 15 * 60 });
    this.failures = new RateLimiterPostgres({ ...store, keyPrefix: `${ns}:login-fail`, points: 1_000_000, duration: 24 * 3600 });
    this.locks = new RateLimiterPostgres({ ...store, keyPrefix: `${ns}:login-lock`, points: 1, duration: MAX_LOCK_SECONDS });
    this.resets = new RateLimiterPostgres({ ...store, keyPrefix: `${ns}:reset-ip`, points: config.resetRequestsPerHour, duration: 3600 });
    this.freeFailures = config.loginAccountFreeFailures;
  }

  /** Whether a sign-in from this address for this e-mail must wait (checked before the password). */
  async check(ip: string, email: string): Promise<Wait | null> {
    const [address, lock] = await Promise.all([this.byAddress.get(ip), this.locks.get(accountKey(email))]);
    if (lock && lock.consumedPoints > 0 && lock.msBeforeNext > 0) return { retryAfterSeconds: Math.ceil(lock.msBeforeNext / 1000), reason: 'account' };
    if (address && address.consumedPoints >= this.byAddress.points && address.msBeforeNext > 0) return { retryAfterSeconds: Math.ceil(address.msBeforeNext / 1000), reason: 'address' };
    return null;
  }

  /** Counts a failed sign-in; from the free failures on, locks the account for a doubling time. */
  async failed(ip: string, email: string): Promise<void> {
    const key = accountKey(email);
    await this.byAddress.penalty(ip, 1);
    const res = await this.failures.penalty(key, 1);
    const beyond = res.consumedPoints - this.freeFailures;
    if (beyond >= 0) await this.locks.block(key, Math.min(60 * 2 ** beyond, MAX_LOCK_SECONDS));
  }

  /** A successful sign-in clears the account's failures (the address's stay counted). */
  async succeeded(email: string): Promise<void> {
    const key = accountKey(email);
    await Promise.all([this.failures.delete(key), this.locks.delete(key)]);
  }

  /** Counts a reset-link request from an address; a wait when it has asked too often. */
  async resetRequested(ip: string): Promise<Wait | null> {
    try {
      await this.resets.consume(ip);
      return null;
    } catch (err) {
      if (err instanceof RateLimiterRes) return { retryAfterSeconds: Math.ceil(err.msBeforeNext / 1000), reason: 'address' };
      throw err;
    }
  }
}

const accountKey = (email: string) => email.trim().toLowerCase().slice(0, 200);

const perServices = new WeakMap<object, SignInLimits>();

/** The sign-in limits of an app's services (one set of limiters per database handle). */
export function signInLimitsOf(services: { db: Knex; config: Config }): SignInLimits {
  let l = perServices.get(services.db);
  if (!l) {
    l = new SignInLimits(services.db, services.config);
    perServices.set(services.db, l);
  }
  return l;
}

/** The message of a wait, in both languages. */
export function waitMessage(w: Wait): { id: string; en: string } {
  const minutes = Math.max(1, Math.ceil(w.retryAfterSeconds / 60));
  return w.reason === 'account'
    ? { id: `Terlalu banyak percobaan masuk yang gagal untuk akun ini; coba lagi dalam ${minutes} menit.`, en: `Too many failed sign-ins for this account; try again in ${minutes} minutes.` }
    : { id: `Terlalu banyak percobaan dari alamat ini; coba lagi dalam ${minutes} menit.`, en: `Too many attempts from this address; try again in ${minutes} minutes.` };
}
