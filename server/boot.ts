import type { Knex } from 'knex';
import pg from 'pg';
import type { Config } from './config';
import { createDb, migrate, migrationConfig } from './db/knex';
import { ownsSchema } from './db/roles';
import { seedReference } from '../seeds';
import type { Jobs, Services } from './services';
import { log } from './log';
import { createStorage } from './storage-create';
import { sweepLeftIncoming } from './storage';
import { UsageRecorder } from './usage/recorder';

/** Services plus the means to close what they hold open. */
export interface Booted extends Services {
  close(): Promise<void>;
}

/**
 * Connects to the database at `url`, migrates it and seeds reference rows (when connected as
 * the schema's owner; the app's own role only checks that nothing is pending), and builds the
 * services.
 */
export async function boot(config: Config, url: string, jobs: Jobs, opts: { poolMax?: number } = {}): Promise<Booted> {
  const db: Knex = createDb(url, opts.poolMax);
  try {
    if (await ownsSchema(db)) {
      await migrate(db);
      await seedReference(db);
    } else {
      await assertMigrated(db);
    }
  } catch (err) {
    await db.destroy();
    throw err;
  }
  let storage;
  try {
    storage = await createStorage(config);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  void sweepLeftIncoming(storage);
  const sessionPool = new pg.Pool({ connectionString: url, max: 3 });
  // An idle client dropped by the server (a restart) is an event to log, not a crash: the pool
  // replaces it, and requests meanwhile answer 503.
  sessionPool.on('error', (err) => log.warn({ reason: err.message }, 'session store connection lost'));
  const usage = new UsageRecorder(db, { flushSeconds: config.usageFlushSeconds, timeZone: config.timeZone });
  return {
    db,
    config,
    storage,
    jobs,
    sessionPool,
    usage,
    async close() {
      await usage.close();
      await sessionPool.end();
      await db.destroy();
    },
  };
}

/** The app's role cannot migrate: refuse to run against an older schema, saying what to do. */
async function assertMigrated(db: Knex): Promise<void> {
  const [, pending] = (await db.migrate.list(migrationConfig())) as [unknown[], unknown[]];
  if (pending.length) {
    throw new Error(
      `The database schema is ${pending.length} migration(s) behind and this role may not migrate it. ` +
        'Run `npm run cli -- db:app-role --role <this role>` with DATABASE_URL of the owner first (see README, "The app\'s database role").',
    );
  }
}
