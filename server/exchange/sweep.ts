import type { Services } from '../services';
import { nextRun } from './schedule';

/**
 * Claims and runs every scheduled row of `table` (pulled sources, harvest sources) whose time
 * has come. Each is claimed by moving its next run forward in the same statement that finds it
 * (skipping rows another worker holds), so however many workers sweep, a due run happens once.
 */
export async function sweepDue(services: Services, table: 'dataset_sources' | 'harvest_sources', run: (id: number) => Promise<unknown>): Promise<number> {
  let ran = 0;
  for (;;) {
    const claimed = await services.db.transaction(async (tx) => {
      const due = (await tx(table).where('enabled', true).whereRaw('next_run_at <= now()').orderBy('next_run_at').forUpdate().skipLocked().first('id', 'schedule')) as { id: number; schedule: string } | undefined;
      if (!due) return null;
      await tx(table).where({ id: due.id }).update({ next_run_at: nextRun(due.schedule, new Date(), services.config.timeZone) });
      return due;
    });
    if (!claimed) return ran;
    await run(claimed.id);
    ran++;
  }
}
