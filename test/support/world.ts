import type { Express } from 'express';
import { createApp } from '../../server/app';
import { makeWorld, type World } from './factories';
import { tokenFor } from './http';
import { isolatedDatabase } from './isolated-db';
import { testServices, type TestServices } from './services';

/** What a test file usually works with: real services, the app, and people of every role. */
export interface TestWorld {
  svc: TestServices;
  app: Express;
  w: World;
  /** The database the file works on (its own when `isolated`), e.g. for a JobQueue of the test's. */
  url: string;
  /** The Authorization header of a fresh API token of `u`. */
  bearer(u: { email: string; password: string }): Promise<{ Authorization: string }>;
  /** Runs `fn` after the file's tests, before the services close (the last registered first). */
  beforeClose(fn: () => Promise<void> | void): void;
}

/**
 * The usual set-up of a test file: services on the run's database, the app and a world of users,
 * made before the file's tests and closed after them. Use its fields inside tests and hooks.
 * With `isolated`, on a database of the file's own (made before, dropped after), for tests of
 * what sweeps the whole database (the job queue, the webhook dispatcher's cursor).
 */
export function testWorld(opts: Parameters<typeof testServices>[0] & { isolated?: boolean } = {}): TestWorld {
  const { isolated, ...services } = opts;
  let own: Awaited<ReturnType<typeof isolatedDatabase>> | null = null;
  const closers: Array<() => Promise<void> | void> = [];
  const t = {
    async bearer(u: { email: string; password: string }) {
      return { Authorization: `Bearer ${await tokenFor(t.app, u.email, u.password)}` };
    },
    beforeClose(fn: () => Promise<void> | void) {
      closers.unshift(fn);
    },
  } as TestWorld;
  beforeAll(async () => {
    if (isolated) own = await isolatedDatabase();
    t.url = own?.url ?? services.url ?? process.env.SATUDATA_TEST_DB!;
    t.svc = testServices({ ...services, url: t.url });
    t.app = createApp(t.svc);
    t.w = await makeWorld(t.svc);
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await t.svc?.close();
    await own?.drop();
  });
  return t;
}
