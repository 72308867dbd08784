import type { Knex } from 'knex';

// What a pulled source's run (source_runs, pull.ts) and a harvest (harvest_runs, harvest.ts)
// have in common: the columns of a logged run, how a run is ended, and a failed run's reason.

/** The columns every logged run has. */
export interface LoggedRun {
  id: number;
  source_id: number;
  trigger: 'schedule' | 'manual';
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  error: string | null;
  error_en: string | null;
}

/** Ends logged run `id` of `table` with `fields`, its finish time and its duration since `started` (ms). */
export async function finishRun<R extends LoggedRun>(db: Knex, table: 'source_runs' | 'harvest_runs', id: number, started: number, fields: Record<string, unknown>): Promise<R> {
  const [done] = await db(table)
    .where({ id })
    .update({ ...fields, finished_at: db.fn.now(), duration_ms: Date.now() - started })
    .returning('*');
  return done as R;
}

/** A failed run's reason in both languages: the known failure's, else the unexpected error's (2,000 characters at most). */
export function failedRunError(known: { id: string; en: string } | null, err: unknown): { error: string; error_en: string } {
  return {
    error: (known?.id ?? `Galat tak terduga: ${(err as Error).message}`).slice(0, 2000),
    error_en: (known?.en ?? `Unexpected error: ${(err as Error).message}`).slice(0, 2000),
  };
}
