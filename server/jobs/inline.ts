import { loadVersion } from './load-version';
import type { Jobs, Services } from '../services';

/**
 * Runs loads in the calling process right away instead of queueing them: for operator commands
 * and tests that do not exercise the queue. `bind` must be called before use.
 */
export class InlineJobs implements Jobs {
  private services: Services | null = null;

  bind(services: Services): this {
    this.services = services;
    return this;
  }

  /** Nothing to queue: a worker's sweep (or a test's call of publishDue) publishes it when due. */
  async schedulePublication(_versionId: number, _at: Date): Promise<void> {}

  async enqueueLoad(versionId: number): Promise<void> {
    if (!this.services) throw new Error('InlineJobs used before bind()');
    await loadVersion(this.services, versionId);
  }
}
