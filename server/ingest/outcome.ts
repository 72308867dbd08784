// What a stage hands on: its value, or a failure — one shape from every stage: the file cannot
// become a table (the version ends `failed`), with the report that says why.
import type { Problem } from './problems';
import { ReportBuilder, type Report } from './report';

/** The five stages of a load, in order. */
export type StageName = 'prepare' | 'sniff' | 'plan' | 'run' | 'finish';

/** A stage that could not go on. */
export interface Failed {
  ok: false;
  stage: StageName;
  report: Report;
}

/** A stage's value, or why it stopped. */
export type Staged<T> = { ok: true; value: T } | Failed;

/** The failure of `stage` with one or more problems. */
export function failedWith(stage: StageName, ...problems: Problem[]): Failed {
  const report = new ReportBuilder();
  for (const p of problems) report.error(p);
  return { ok: false, stage, report: report.toJSON() };
}

/** The failure of `stage` with the report gathered so far (warnings included). */
export function failedReport(stage: StageName, report: Report): Failed {
  return { ok: false, stage, report };
}

/** A stage's value. */
export function done<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}
