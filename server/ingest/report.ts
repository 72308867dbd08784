/** One problem found in a file. `line` is the physical line in the file (1-based). */
export interface Problem {
  code: string;
  message: string;
  message_en: string;
  line?: number;
  column?: string;
  value?: string;
}

/** The validation report of a version, as stored and returned by the API. */
export interface Report {
  errors: Problem[];
  warnings: Problem[];
  /** Problems per code, including those past the examples kept. */
  counts: { errors: Record<string, number>; warnings: Record<string, number> };
}

/** How many examples of each kind of problem a report keeps. */
export const EXAMPLES_PER_CODE = 10;

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
    return Object.values(this.report.counts.errors).reduce((a, b) => a + b, 0);
  }

  /** True once this many errors are collected: enough to show, no need to read on. */
  saturated(limit = 100_000): boolean {
    return this.errorCount >= limit;
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
export function failure(code: string, message: string, messageEn: string, line?: number): Report {
  const r = new ReportBuilder();
  r.error({ code, message, message_en: messageEn, line });
  return r.toJSON();
}
