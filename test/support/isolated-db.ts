import crypto from 'node:crypto';
import pg from 'pg';
import { createDb, migrate } from '../../server/db/knex';
import { seedReference } from '../../seeds';
import { withDatabase } from './db-url';

/** Creates database `name` on `server`, migrated and seeded; returns its URL. */
export async function createMigratedDatabase(server: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(server, name);
  const db = createDb(url, 2);
  await migrate(db);
  await seedReference(db);
  await db.destroy();
  return url;
}

/** Drops database `name` on `server`, closing its connections. */
export async function dropDatabase(server: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

/**
 * A database of its own (migrated and seeded) on the run's server, for tests whose workers sweep
 * the whole database for stalled loads: in the shared one they would pick up other files' loads.
 */
export async function isolatedDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const server = process.env.SATUDATA_TEST_ADMIN_DB;
  if (!server) throw new Error('SATUDATA_TEST_ADMIN_DB is not set: run the tests through jest (global setup)');
  const name = `${process.env.SATUDATA_TEST_DB_NAME}_${crypto.randomBytes(3).toString('hex')}`;
  const url = await createMigratedDatabase(server, name);
  return { url, drop: () => dropDatabase(server, name) };
}
