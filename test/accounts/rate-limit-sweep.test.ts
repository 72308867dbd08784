import { clearExpiredRateLimits, RATE_LIMIT_GRACE_MS } from '../../server/auth/rate-limit-sweep';
import { SignInLimits } from '../../server/auth/sign-in-limits';
import { JobQueue } from '../../server/jobs/queue';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';

// The sign-in counters (rate_limits) must not grow forever: the workers' sweep deletes those that
// ran out, and keeps every counter that still counts.

let svc: TestServices;
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
beforeAll(async () => {
  isolated = await isolatedDatabase();
  svc = testServices({ url: isolated.url, realLimits: true });
});
afterAll(async () => {
  await svc.close();
  await isolated.drop();
});

const ns = () => svc.config.rateLimitNamespace;
const keys = async () => (await svc.db('rate_limits').where('key', 'like', `${ns()}:%`).orderBy('key').pluck('key')) as string[];

/** Failed sign-ins from `ip` for `email`, counted by the real limiter. */
async function failures(limits: SignInLimits, ip: string, email: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await limits.failed(ip, email);
}

describe('expired rate-limit counters', () => {
  it('are deleted an hour after they ran out, while live counters stay and still count', async () => {
    const limits = new SignInLimits(svc.db, svc.config);
    await failures(limits, '198.51.100.7', 'lama@example.test', 1);
    await failures(limits, '198.51.100.8', 'baru@example.test', svc.config.signInAttempts);
    // The old address's counters ran out two hours ago (as they would have, a day later).
    await svc.db('rate_limits').where('key', 'like', `${ns()}:%lama@example.test`).orWhere('key', `${ns()}:login-ip:198.51.100.7`).update({ expire: Date.now() - 2 * 3600_000 });
    const before = await keys();
    expect(before).toEqual(expect.arrayContaining([`${ns()}:login-ip:198.51.100.7`, `${ns()}:login-fail:lama@example.test`, `${ns()}:login-ip:198.51.100.8`, `${ns()}:login-fail:baru@example.test`]));

    const removed = await clearExpiredRateLimits(svc.db);
    expect(removed).toBe(before.filter((k) => k.endsWith('198.51.100.7') || k.endsWith('lama@example.test')).length);
    expect(await keys()).toEqual(before.filter((k) => !k.endsWith('198.51.100.7') && !k.endsWith('lama@example.test')));
    // The live address is still held back: deleting the expired rows took nothing that counts.
    expect(await limits.check('198.51.100.8', 'lain@example.test')).toMatchObject({ reason: 'address' });
    expect(await limits.check('198.51.100.7', 'lama@example.test')).toBeNull();
  });

  it('are kept within the grace after their expiry, and gone after it', async () => {
    const limits = new SignInLimits(svc.db, svc.config);
    await failures(limits, '198.51.100.9', 'tenggang@example.test', 1);
    const key = `${ns()}:login-ip:198.51.100.9`;
    const row = await svc.db('rate_limits').where({ key }).first();
    const expire = Number(row.expire);
    await clearExpiredRateLimits(svc.db, expire + RATE_LIMIT_GRACE_MS - 1000);
    expect(await svc.db('rate_limits').where({ key }).first()).toBeDefined();
    await clearExpiredRateLimits(svc.db, expire + RATE_LIMIT_GRACE_MS + 1000);
    expect(await svc.db('rate_limits').where({ key }).first()).toBeUndefined();
  });

  it('are deleted by a worker’s sweep as it starts', async () => {
    await svc.db('rate_limits').insert({ key: `${ns()}:login-ip:203.0.113.5`, points: 3, expire: Date.now() - 3 * 3600_000 });
    await svc.db('rate_limits').insert({ key: `${ns()}:login-ip:203.0.113.6`, points: 3, expire: Date.now() + 600_000 });
    const queue = await JobQueue.start(isolated.url);
    try {
      await queue.work(svc);
      expect(await keys()).toEqual(expect.arrayContaining([`${ns()}:login-ip:203.0.113.6`]));
      expect(await keys()).not.toContain(`${ns()}:login-ip:203.0.113.5`);
    } finally {
      await queue.stop();
    }
  });
});
