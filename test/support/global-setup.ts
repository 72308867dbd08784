import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { createDb, migrate } from '../../server/db/knex';
import { startEmbeddedPostgres } from '../../server/db/embedded';
import { seedReference } from '../../seeds';
import { configuredTestServer, withDatabase } from './db-url';

/** Creates a fresh database for this run (on the configured server, else an embedded one) and migrates it once. */
export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  let server = configuredTestServer();
  if (!server) {
    const embedded = await startEmbeddedPostgres(path.join(__dirname, '..', '..', 'data', 'test-postgres'), 'postgres');
    (globalThis as { __embedded?: unknown }).__embedded = embedded;
    server = embedded.adminUrl;
  }
  const name = `satudata_test_${Date.now()}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(server, name);
  const db = createDb(url, 2);
  await migrate(db);
  await seedReference(db);
  await db.destroy();
  process.env.SATUDATA_TEST_DB = url;
  process.env.SATUDATA_TEST_ADMIN_DB = server;
  process.env.SATUDATA_TEST_DB_NAME = name;
}
