import { dropDatabase } from './isolated-db';

/** Drops the run's database and stops the embedded server if one was started. */
export default async function globalTeardown(): Promise<void> {
  const server = process.env.SATUDATA_TEST_ADMIN_DB;
  const name = process.env.SATUDATA_TEST_DB_NAME;
  if (server && name && !process.env.KEEP_TEST_DB) await dropDatabase(server, name);
  const embedded = (globalThis as { __embedded?: { stop(): Promise<void> } }).__embedded;
  if (embedded) await embedded.stop();
}
