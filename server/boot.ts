import type { Knex } from 'knex';
import pg from 'pg';
import type { Config } from './config';
import { createDb, migrate } from './db/knex';
import { seedReference } from '../seeds';
import type { Jobs, Services } from './services';
import { Storage } from './storage';
import { UsageRecorder } from './usage/recorder';

/** Services plus the means to close what they hold open. */
export interface Booted extends Services {
  close(): Promise<void>;
}

/** Connects to the database at `url`, migrates it, seeds reference rows, and builds the services. */
export async function boot(config: Config, url: string, jobs: Jobs, opts: { poolMax?: number } = {}): Promise<Booted> {
  const db: Knex = createDb(url, opts.poolMax);
  await migrate(db);
  await seedReference(db);
  const sessionPool = new pg.Pool({ connectionString: url, max: 3 });
  const storage = new Storage(config.storageDir);
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
