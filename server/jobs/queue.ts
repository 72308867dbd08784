import PgBoss from 'pg-boss';
import { clearExpiredRateLimits } from '../auth/rate-limit-sweep';
import { loadVersion, recoverStalledLoads } from './load-version';
import { log } from '../log';
import { untilReachable } from '../outages';
import { orphanRawSweeper } from '../ops/raw-sweep';
import { sweepLeftIncoming } from '../storage';
import type { Jobs, Services } from '../services';
import { createReleaseQueue, sendRelease, workReleases } from './releases';
import { pullDueSources } from '../exchange/pull';
import { sweepWebhooks } from '../exchange/webhooks';
import { harvestDueSources } from '../exchange/harvest';

const LOAD_QUEUE = 'load-version';

/** The job queue (pg-boss, in PostgreSQL): loads survive restarts and any app process may work them. */
export class JobQueue implements Jobs {
  private workerId: string | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private releaseSweeper: NodeJS.Timeout | null = null;
  private sourceSweeper: NodeJS.Timeout | null = null;
  private stopping = false;

  private constructor(private readonly boss: PgBoss) {
    // While stopping (Ctrl-C also stops PostgreSQL), dropped connections are expected, not errors.
    boss.on('error', (err: Error & { code?: string }) => {
      if (!this.stopping) log.error({ code: err.code, message: err.message }, 'job queue error');
    });
  }

  /** Connects to the queue's schema (created on first start). */
  static async start(connectionString: string): Promise<JobQueue> {
    const boss = new PgBoss({ connectionString, max: 4, application_name: 'satudata-jobs' });
    const queue = new JobQueue(boss);
    await boss.start();
    await createQueues(boss);
    return queue;
  }

  /**
   * As the database's owner: creates the queue's schema and queues (each queue is a table of
   * its own), so that the app's role, which may not create tables there, finds them made.
   */
  static async install(ownerUrl: string): Promise<void> {
    const boss = new PgBoss({ connectionString: ownerUrl, max: 2, application_name: 'satudata-jobs-install', supervise: false, schedule: false });
    await boss.start();
    try {
      await createQueues(boss);
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  }

  async enqueueLoad(versionId: number): Promise<void> {
    await this.boss.send(LOAD_QUEUE, { versionId }, { singletonKey: `load-${versionId}` });
    if (this.workerId) this.boss.notifyWorker(this.workerId);
  }

  async schedulePublication(versionId: number, at: Date): Promise<void> {
    await sendRelease(this.boss, versionId, at);
  }

  /** Works load jobs one at a time in this process, and picks up loads whose worker died; publishes scheduled releases. */
  async work(services: Services): Promise<void> {
    this.workerId = await this.boss.work<{ versionId: number }>(
      LOAD_QUEUE,
      { pollingIntervalSeconds: 2, batchSize: 1 },
      async ([job]) => {
        try {
          await loadVersion(services, job.data.versionId);
        } finally {
          // The queue marks the job done as soon as this returns: after a database outage, only
          // once the database answers again (the version itself is picked up by the stall sweep).
          await untilReachable(services.db);
        }
      },
    );
    const sweepOrphans = orphanRawSweeper(services);
    const sweep = async () => {
      await recoverStalledLoads(services).catch((err) => log.error({ err }, 'recovering stalled loads failed'));
      await clearExpiredRateLimits(services.db).catch((err) => log.error({ err }, 'clearing expired rate limits failed'));
      // A process that is never restarted still sweeps what killed ones left (one listing of incoming/).
      await sweepLeftIncoming(services.storage);
      // Raw files adopted by a process that died before writing the row naming them (a day old).
      void sweepOrphans();
    };
    await sweep();
    this.sweeper = setInterval(sweep, Math.min(30, services.config.loadStallSeconds) * 1000);
    this.sweeper.unref();
    this.releaseSweeper = await workReleases(this.boss, services, services.config.releaseSweepSeconds);
    // Pulled sources, harvests and webhooks: every worker looks for due work as often as for due
    // releases; claims in the database make each run and each delivery happen once.
    let pulling = false;
    const pull = async () => {
      if (pulling || this.stopping) return;
      pulling = true;
      try {
        await pullDueSources(services);
        await harvestDueSources(services);
        await sweepWebhooks(services);
      } catch (err) {
        log.error({ err }, 'pulling due sources or sending webhooks failed');
      } finally {
        pulling = false;
      }
    };
    this.sourceSweeper = setInterval(() => void pull(), services.config.releaseSweepSeconds * 1000);
    this.sourceSweeper.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.releaseSweeper) clearInterval(this.releaseSweeper);
    if (this.sourceSweeper) clearInterval(this.sourceSweeper);
    await this.boss.stop({ graceful: true, timeout: 5000, wait: true });
  }
}

/** Every queue the portal uses (idempotent: an existing queue is left as it is). */
async function createQueues(boss: PgBoss): Promise<void> {
  await boss.createQueue(LOAD_QUEUE, { name: LOAD_QUEUE, retryLimit: 0, expireInSeconds: 6 * 3600 });
  await createReleaseQueue(boss);
}
