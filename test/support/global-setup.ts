import crypto from 'node:crypto';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../server/db/embedded';
import { configuredTestServer } from './db-url';
import { createMigratedDatabase } from './isolated-db';

/** Creates a fresh database for this run (on the configured server, else an embedded one) and migrates it once. */
export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  // The test workers run in a zone far from UTC and from the portal's (Asia/Jakarta): a time
  // shown or filtered in the server's zone instead of TIME_ZONE fails some test.
  process.env.TZ ||= 'Pacific/Honolulu';
  let server = configuredTestServer();
  if (!server) {
    const embedded = await startEmbeddedPostgres(path.join(__dirname, '..', '..', 'data', 'test-postgres'), 'postgres');
    (globalThis as { __embedded?: unknown }).__embedded = embedded;
    server = embedded.adminUrl;
  }
  const name = `satudata_test_${Date.now()}_${crypto.randomBytes(3).toString('hex')}`;
  process.env.SATUDATA_TEST_DB = await createMigratedDatabase(server, name);
  process.env.SATUDATA_TEST_ADMIN_DB = server;
  process.env.SATUDATA_TEST_DB_NAME = name;
}
