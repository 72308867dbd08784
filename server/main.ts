import { applyTimeouts } from './http-timeouts';
import { createApp } from './app';
import { bannerLines } from './banner';
import { boot, type Booted } from './boot';
import { loadConfig } from './config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './db/embedded';
import { prepareEmbeddedAppRole } from './db/roles';
import { demoAccounts, loadDemo } from './demo';
import { JobQueue } from './jobs/queue';
import { log } from './log';
import { surviveDatabaseOutages } from './outages';

/** Starts the portal: database (embedded unless DATABASE_URL), migrations, demo content, worker, HTTP. */
async function main(): Promise<void> {
  surviveDatabaseOutages();
  const config = loadConfig();
  let embedded: EmbeddedPostgresHandle | null = null;
  let url = config.databaseUrl;
  if (!url) {
    log.info({ dataDir: config.dataDir }, 'no DATABASE_URL: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres(config.dataDir);
    // Migrations as the cluster's owner; the app itself connects as a role that owns nothing.
    url = await prepareEmbeddedAppRole(embedded.url, config.dataDir);
  }

  let services: Booted | null = null;
  let queue: JobQueue | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    server?.close();
    await queue?.stop().catch(() => undefined);
    await services?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    process.exit(0);
  };
  let server: ReturnType<ReturnType<typeof createApp>['listen']> | null = null;
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  queue = await JobQueue.start(url);
  services = await boot(config, url, queue);
  if (config.runWorker) await queue.work(services);

  const wantDemo = config.loadDemo === 'yes' || (config.loadDemo === 'auto' && !config.databaseUrl);
  let demoLoaded = false;
  if (wantDemo) {
    const [{ n }] = await services.db('organizations').count<{ n: number }[]>({ n: '*' });
    if (Number(n) === 0 || config.loadDemo === 'yes') {
      log.info('loading the demo content through upload → review → publish');
      const made = await loadDemo(services, config.demoPassword);
      log.info(made, 'demo content loaded');
    }
    demoLoaded = true;
  }

  const app = createApp(services);
  server = app.listen(config.port, () => {
    const lines = bannerLines({
      url: config.publicUrl ?? `http://localhost:${config.port}`,
      dataDir: config.dataDir,
      clusterDir: embedded?.clusterDir,
      demo: demoLoaded ? { password: config.demoPassword, accounts: demoAccounts() } : undefined,
    });
    process.stdout.write(lines.join('\n'));
  });
  applyTimeouts(server, config.maxUploadBytes);
}

main().catch((err) => {
  log.error({ err }, 'the portal could not start');
  process.stderr.write(`\nThe portal could not start: ${(err as Error)?.message ?? err}\n`);
  process.exit(1);
});
