// The validation report of a version: problems grouped by code with counts, the first examples
// of each kind kept. Texts come from the catalogue (problems.ts).
import type { Problem } from './problems';

export type { Problem } from './problems';

/** The validation report of a version, as stored and returned by the API. */
export interface Report {
  errors: Problem[];
  warnings: Problem[];
  /** Problems per code, including those past the examples kept. */
  counts: { errors: Record<string, number>; warnings: Record<string, number> };
}

/** How many examples of each kind of problem a report keeps. */
export const EXAMPLES_PER_CODE = 10;

/** How many problems of one kind (`errors` or `warnings`) a report holds, examples or not. */
export function problemCount(report: Pick<Report, 'counts'> | null | undefined, kind: 'errors' | 'warnings'): number {
  return Object.values(report?.counts?.[kind] ?? {}).reduce((a, b) => a + b, 0);
}

/** Collects problems, keeping counts of all and the first examples of each kind. */
export class ReportBuilder {
  private readonly report: Report = { errors: [], warnings: [], counts: { errors: {}, warnings: {} } };

  error(p: Problem): void {
    this.add('errors', p);
  }

  warning(p: Problem): void {
    this.add('warnings', p);
  }

  /** Adds `n` occurrences of one problem at once (e.g. counted by SQL). */
  addCount(kind: 'errors' | 'warnings', code: string, n: number): void {
    this.report.counts[kind][code] = (this.report.counts[kind][code] ?? 0) + n;
  }

  get errorCount(): number {
    return problemCount(this.report, 'errors');
  }

  /** The codes of the errors found so far. */
  errorCodes(): string[] {
    return Object.keys(this.report.counts.errors);
  }

  toJSON(): Report {
    return this.report;
  }

  private add(kind: 'errors' | 'warnings', p: Problem): void {
    const n = (this.report.counts[kind][p.code] ?? 0) + 1;
    this.report.counts[kind][p.code] = n;
    if (n <= EXAMPLES_PER_CODE) {
      this.report[kind].push(p.value !== undefined && p.value.length > 200 ? { ...p, value: `${p.value.slice(0, 200)}…` } : p);
    }
  }
}

/** A report with a single error: the file could not be read at all. */
export function failure(p: Problem): Report {
  const r = new ReportBuilder();
  r.error(p);
  return r.toJSON();
}
