import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../../server/config';
import { createDb } from '../../server/db/knex';
import { InlineJobs } from '../../server/jobs/inline';
import type { Jobs, Services } from '../../server/services';
import { LocalStorage } from '../../server/storage-local';
import { UsageRecorder } from '../../server/usage/recorder';

export interface TestServices extends Services {
  close(): Promise<void>;
  dataDir: string;
}

/**
 * Real services on the run's database: knex, storage in a temporary directory, and loads run
 * inline (tests of the queue pass the real JobQueue as `jobs`). `realLimits`: the rate limits at
 * their defaults (the suite otherwise raises the sign-in limit).
 */
export function testServices(opts: { jobs?: Jobs; env?: Record<string, string>; url?: string; realLimits?: boolean } = {}): TestServices {
  const url = opts.url ?? process.env.SATUDATA_TEST_DB;
  if (!url) throw new Error('SATUDATA_TEST_DB is not set: run the tests through jest (global setup)');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-test-'));
  // The suite signs in hundreds of times from one address: the sign-in limit is raised, unless a
  // test asks for the limits at their real (default) values.
  // Each file's rate-limit counters apart too: the files share one database and one address.
  const raised = opts.realLimits ? {} : { SIGN_IN_ATTEMPTS: '1000' };
  const config: Config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, SCRYPT_LOG_N: '10', RATE_LIMIT_NAMESPACE: `test-${path.basename(dataDir)}`, ...raised, ...opts.env });
  const db = createDb(url, 6);
  const sessionPool = new pg.Pool({ connectionString: url, max: 2 });
  const jobs = opts.jobs ?? new InlineJobs();
  const services: TestServices = {
    db,
    config,
    storage: new LocalStorage(config.storageDir),
    jobs,
    sessionPool,
    // No timer: tests write the counts when they want to look at them (usage.flush()).
    usage: new UsageRecorder(db, { flushSeconds: 0, timeZone: config.timeZone }),
    dataDir,
    async close() {
      await services.usage.close();
      await sessionPool.end();
      await db.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (jobs instanceof InlineJobs) jobs.bind(services);
  return services;
}
