import type { LoggedRun } from '../exchange/runs';
import { iso } from './time';

/** What every logged run (a pulled source's, a harvest's) shows first: which, why, when, how long. */
export function presentRunTiming(r: LoggedRun) {
  return {
    id: Number(r.id),
    trigger: r.trigger,
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
    duration_ms: r.duration_ms,
  };
}

/** Why a run failed, in the reader's language (the Indonesian text where no English was kept). */
export function runError(r: Pick<LoggedRun, 'error' | 'error_en'>, lang: string): string | null {
  return lang === 'en' ? (r.error_en ?? r.error) : r.error;
}
