import type PgBoss from 'pg-boss';
import { perform } from '../actions/action';
import { publishDueVersion } from '../actions/versions';
import { log } from '../log';
import { schedulerActor } from '../policies/actor';
import type { Services } from '../services';
import { refreshAllQuality } from '../quality/refresh';

// The release calendar's publisher (jadwal rilis). Each scheduled version gets a queue job that
// starts at its `publish_at`; every worker also sweeps for versions whose time has passed (a job
// lost to an unschedule-and-reschedule, a queue that was down). Either way the publication goes
// through one guarded action, so however many processes try, a version is published once.

export const RELEASE_QUEUE = 'publish-release';

/** Creates the release queue (idempotent). */
export async function createReleaseQueue(boss: PgBoss): Promise<void> {
  await boss.createQueue(RELEASE_QUEUE, { name: RELEASE_QUEUE, retryLimit: 3, retryDelay: 5, expireInSeconds: 600 });
}

/** Queues the publication of a version at `at` (one job per version and time). */
export async function sendRelease(boss: PgBoss, versionId: number, at: Date): Promise<void> {
  await boss.send(RELEASE_QUEUE, { versionId }, { startAfter: at, singletonKey: `release-${versionId}-${at.getTime()}` });
}

/** Publishes one scheduled version if its time has come; true when this call published it. */
export async function publishIfDue(services: Services, versionId: number): Promise<boolean> {
  const out = await perform(publishDueVersion, schedulerActor, { version_id: versionId }, services);
  return out.published;
}

/** Publishes every scheduled version whose time has passed (by the database's clock); returns how many this call published. */
export async function publishDue(services: Services): Promise<number> {
  const due: number[] = await services.db('versions').where('state', 'scheduled').whereRaw('publish_at <= now()').orderBy('publish_at').pluck('id');
  let published = 0;
  for (const id of due) {
    try {
      if (await publishIfDue(services, id)) published++;
    } catch (err) {
      log.error({ err, versionId: id }, 'publishing a scheduled version failed');
    }
  }
  return published;
}

/** Works the release queue in this process and sweeps for due versions every `sweepSeconds`. */
export async function workReleases(boss: PgBoss, services: Services, sweepSeconds: number): Promise<NodeJS.Timeout> {
  await boss.work<{ versionId: number }>(RELEASE_QUEUE, { pollingIntervalSeconds: 1, batchSize: 5 }, async (jobs) => {
    for (const job of jobs) await publishIfDue(services, job.data.versionId);
  });
  const sweep = () => publishDue(services).catch((err) => log.error({ err }, 'release sweep failed'));
  await sweep();
  // Timeliness changes with the calendar: every quality score is recomputed hourly (and now).
  let lastQuality = 0;
  const quality = () => {
    if (Date.now() - lastQuality < 3_600_000) return;
    lastQuality = Date.now();
    refreshAllQuality(services.db, services.config.timeZone).catch((err) => log.error({ err }, 'quality refresh failed'));
  };
  quality();
  const timer = setInterval(() => {
    void sweep();
    quality();
  }, sweepSeconds * 1000);
  timer.unref();
  return timer;
}
