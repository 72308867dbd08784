import type { Express } from 'express';
import { createApp } from '../../server/app';
import { makeWorld, type World } from './factories';
import { tokenFor } from './http';
import { testServices, type TestServices } from './services';

/** What a test file usually works with: real services, the app, and people of every role. */
export interface TestWorld {
  svc: TestServices;
  app: Express;
  w: World;
  /** The Authorization header of a fresh API token of `u`. */
  bearer(u: { email: string; password: string }): Promise<{ Authorization: string }>;
}

/**
 * The usual set-up of a test file: services on the run's database, the app and a world of users,
 * made before the file's tests and closed after them. Use its fields inside tests and hooks.
 */
export function testWorld(opts: Parameters<typeof testServices>[0] = {}): TestWorld {
  const t = {
    async bearer(u: { email: string; password: string }) {
      return { Authorization: `Bearer ${await tokenFor(t.app, u.email, u.password)}` };
    },
  } as TestWorld;
  beforeAll(async () => {
    t.svc = testServices(opts);
    t.app = createApp(t.svc);
    t.w = await makeWorld(t.svc);
  });
  afterAll(() => t.svc.close());
  return t;
}
