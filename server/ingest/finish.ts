// Stage 5, finish. In: how the run ended (a committed table, or none and its problems), the
// plan, the layout and the report so far. Out: the load's result — the report made whole
// (footnotes with their lines, reference codes checked, in one report however the file was
// refused), the table with its statistics, the columns with their reference schemes, and the
// dialect facts of the raw file. A table whose reference codes are wrong is dropped: a draft then
// has a report but no table. The table's indexes are built after the version is a draft
// (buildIndexes, by the load job): nothing in the report needs them.
import type { Knex } from 'knex';
import { dropTable } from '../db/datastore';
import { withClient } from '../db/knex';
import { checkRegions, judgeRegionColumn, pairedNameColumn, type Wilayah } from './finish/regions';
import { columnStats, type ColumnStats } from './finish/stats';
import type { Encoding } from './options';
import type { InferredColumn, LoadPlan } from './plan';
import { wideColumns } from './plan/reshape';
import type { PreparedSource } from './prepare';
import { problem } from './problems';
import type { Report, ReportBuilder } from './report';
import type { RunOutcome } from './run';
import type { Layout } from './sniff';

/** What reading a file produced. */
export interface LoadResult {
  state: 'draft' | 'failed';
  report: Report;
  /** The raw file's text encoding (null for a workbook, or when it could not be told). */
  encoding: Encoding | null;
  dialect: Record<string, unknown> | null;
  columns: InferredColumn[];
  stats: Record<string, ColumnStats>;
  table: string | null;
  rows: number | null;
  /** The first rows as read, for a preview when no table was kept. */
  sample: string[][];
}

/** Progress of a load, reported as it goes. */
export interface LoadProgress {
  phase: 'reading' | 'loading' | 'checking' | 'indexing';
  bytes_done: number;
  bytes_total: number;
  rows: number;
}

export interface FinishInput {
  db: Knex;
  table: string;
  outcome: Extract<RunOutcome, { kind: 'loaded' | 'rejected' }>;
  source: PreparedSource;
  layout: Layout;
  plan: LoadPlan;
  encoding: Encoding;
  /** Read as Windows-1252 after UTF-8 failed. */
  fallback: boolean;
  report: ReportBuilder;
  wilayah: Wilayah[];
  onProgress: (p: LoadProgress) => void;
  lap: (name: string) => void;
}

/** Footnotes are reported once the data's lines are counted: in a large file only then is their line known. */
function reportFootnotes(layout: Layout, dataLines: number | undefined, report: ReportBuilder): void {
  for (const s of layout.skipped) {
    if (s.kind !== 'footnote') continue;
    const line = s.line ?? (dataLines !== undefined && s.trailerIndex !== undefined ? layout.dataStartLine + dataLines + s.trailerIndex : undefined);
    report.warning(problem('footnote_skipped', { text: s.text }, { line, value: s.text }));
  }
}

/** The dialect facts stored with the version. */
function dialectOf(input: FinishInput): Record<string, unknown> {
  const { source, layout, plan, outcome } = input;
  // A workbook has no text encoding or delimiter: those of the CSV made from its sheet are not the file's.
  const xlsx = source.origin.format === 'xlsx';
  return {
    ...source.origin,
    ...(input.fallback ? { encoding_fallback: true } : {}),
    ...(xlsx ? {} : { delimiter: layout.delimiter, quote: '"', line_ending: source.origin.line_ending ?? layout.lineEnding }),
    header_line: layout.headerLine,
    data_start_line: layout.dataStartLine,
    path: outcome.path === 'parallel' ? 'fast' : outcome.path,
    parts: outcome.path === 'parallel' ? 2 : 1,
    number_formats: Object.fromEntries(plan.columns.filter((c) => c.type === 'integer' || c.type === 'number').map((c) => [c.name, c.numberFormat])),
    reshaped: Boolean(plan.expand),
    wide_columns: plan.expand ? [] : wideColumns(plan.columns).map((c) => c.name),
  };
}

/** The finish stage (see the top of this file). */
export async function finish(input: FinishInput): Promise<LoadResult> {
  const { db, table, outcome, report, plan } = input;
  reportFootnotes(input.layout, outcome.dataLines, report);
  const base: LoadResult = {
    state: 'draft',
    report: report.toJSON(),
    encoding: input.source.origin.format === 'xlsx' ? null : (input.source.origin.converted_from ?? input.encoding),
    dialect: dialectOf(input),
    columns: plan.columns,
    stats: {},
    table: null,
    rows: null,
    sample: input.layout.sample.slice(0, 20).map((r) => r.cells),
  };
  const withSchemes = (schemes: Map<string, 'bps' | 'kemendagri'>) => plan.columns.map((c) => (schemes.has(c.name) ? { ...c, refScheme: schemes.get(c.name)! } : c));

  if (outcome.kind === 'rejected') {
    // Refused for other problems: still say which reference codes are wrong, all in one report.
    const schemes = new Map<string, 'bps' | 'kemendagri'>();
    for (const col of plan.columns.filter((c) => c.role === 'region')) {
      const scheme = outcome.regions ? judgeRegionColumn(col, pairedNameColumn(col, plan.columns), outcome.regions.rows(col.name), input.wilayah, report) : null;
      if (scheme) schemes.set(col.name, scheme);
    }
    return { ...base, report: report.toJSON(), columns: withSchemes(schemes) };
  }

  // The table is committed but invisible (the version is still `processing`). The reference
  // codes are checked while ANALYZE and the scan counting the column figures run, each on its own
  // connection (three at once on a large table; the scan needs no statistics). The
  // indexes are not built here: the draft's report does not need them (see buildIndexes).
  const { rows, lineMap } = outcome;
  const progress = (phase: LoadProgress['phase']) => input.onProgress({ phase, bytes_done: input.source.size, bytes_total: input.source.size, rows });
  try {
    progress('checking');
    const [schemes, stats] = await Promise.all([
      withClient(db, (client) => checkRegions(client, table, plan.columns, input.wilayah, lineMap, report)),
      columnStats(db, table, plan.columns, rows),
    ]);
    input.lap('check_stats_ms');
    const columns = withSchemes(schemes);
    if (report.errorCount > 0) {
      await dropTable(db, table);
      return { ...base, report: report.toJSON(), columns };
    }
    return { ...base, report: report.toJSON(), columns, stats, table, rows };
  } catch (err) {
    await dropTable(db, table).catch(() => undefined);
    throw err;
  }
}
