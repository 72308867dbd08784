import { boot, type Booted } from './boot';
import { loadConfig } from './config';
import { startEmbeddedPostgres } from './db/embedded';
import { prepareEmbeddedAppRole } from './db/roles';
import { JobQueue } from './jobs/queue';
import { log } from './log';
import { surviveDatabaseOutages } from './outages';

/**
 * A worker process without HTTP (`npm run worker`): works the load queue against DATABASE_URL
 * (or attaches to the embedded cluster of DATA_DIR). Add more to load in parallel.
 */
async function main(): Promise<void> {
  surviveDatabaseOutages();
  const config = loadConfig();
  const url =
    config.databaseUrl ??
    (await prepareEmbeddedAppRole((await startEmbeddedPostgres(config.dataDir, 'satudata', { attach: true })).url, config.dataDir));
  const queue = await JobQueue.start(url);
  const services: Booted = await boot(config, url, queue, { poolMax: 6 });
  await queue.work(services);
  log.info('worker ready');
  const stop = async () => {
    await queue.stop().catch(() => undefined);
    await services.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  log.error({ err }, 'the worker could not start');
  process.exit(1);
});
