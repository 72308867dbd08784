// Loading a stored upload into a typed table, one way through five stages:
//   prepare (prepare.ts) → sniff (sniff.ts) → plan (plan.ts) → run (run.ts) → finish (finish.ts)
// Each stage takes what the one before it made and gives its value or a failure of one shape.
// A run may ask for a re-plan (read the bytes as Windows-1252; widen an integer column to
// number): that is a typed value, and the next attempt gets new choices — nothing here changes
// the caller's options. A file with errors leaves no table behind.
import type { Knex } from 'knex';
import { log } from '../log';
import { finish, type LoadProgress, type LoadResult } from './finish';
import type { Wilayah } from './finish/regions';
import type { ColumnOverride, Encoding, LoadOptions } from './options';
import type { Failed } from './outcome';
import { plan } from './plan';
import { prepare } from './prepare';
import type { XlsxLimits } from './prepare/xlsx';
import { problem } from './problems';
import { ReportBuilder } from './report';
import { run } from './run';
import { sniff } from './sniff';

export type { LoadProgress, LoadResult } from './finish';
export { buildIndexes } from './finish/indexes';

export interface LoadInput {
  db: Knex;
  /** The raw file as stored. */
  file: string;
  filename: string;
  /** Where converted copies (an XLSX sheet as CSV, UTF-16 as UTF-8) are written. */
  derivedPath: (suffix: string) => string;
  table: string;
  options: LoadOptions;
  onProgress: (p: LoadProgress) => void;
  /** Clean data ranges from this size on load in two parts at once. */
  parallelMinBytes?: number;
  /** How far an XLSX upload may unpack (defaults: DEFAULT_XLSX_LIMITS). */
  xlsxLimits?: XlsxLimits;
}

/** The result of a file that cannot become a table. */
function failedResult(f: Failed, encoding: Encoding | null = null): LoadResult {
  return { state: 'failed', report: f.report, encoding, dialect: null, columns: [], stats: {}, table: null, rows: null, sample: [] };
}

/** The options after a run asked to widen integer columns to number: a new object, the old one untouched. */
function widened(overrides: Record<string, ColumnOverride>, columns: string[]): Record<string, ColumnOverride> {
  return { ...overrides, ...Object.fromEntries(columns.map((name) => [name, { ...overrides[name], type: 'number' as const }])) };
}

/** How many times a load may be planned again before it gives up (an encoding, then a widening, with room). */
const MAX_PLANS = 4;

/** Reads a stored file into a new typed table `datastore.<table>` (see the top of this file). */
export async function loadFile(input: LoadInput, wilayah: Wilayah[]): Promise<LoadResult> {
  const { options } = input;
  const timings: Record<string, number> = {};
  let mark = process.hrtime.bigint();
  const lap = (name: string) => {
    const now = process.hrtime.bigint();
    timings[name] = (timings[name] ?? 0) + Number(now - mark) / 1e6;
    mark = now;
  };

  const prepared = await prepare(input);
  if (!prepared.ok) return failedResult(prepared);
  const source = prepared.value;
  let encoding = source.encoding;
  let fallback = false;
  let overrides: Record<string, ColumnOverride> = options.columns ?? {};
  let layout = sniff(source, { encoding, delimiter: options.delimiter });
  lap('prepare_sniff_ms');

  for (let attempt = 0; attempt < MAX_PLANS; attempt++) {
    if (!layout.ok) return failedResult(layout, encoding);
    const planned = await plan(layout.value, source, { encoding, options, overrides, parallelMinBytes: input.parallelMinBytes });
    if (!planned.ok) return failedResult(planned, encoding);
    lap('plan_ms');

    const report = new ReportBuilder();
    if (fallback) report.warning(problem('encoding_fallback'));
    for (const s of layout.value.skipped) {
      if (s.kind === 'title') report.warning(problem('title_skipped', { text: s.text }, { line: s.line, value: s.text }));
      if (s.kind === 'column_numbers') report.warning(problem('column_numbers_skipped', { text: s.text }, { line: s.line, value: s.text }));
    }
    for (const note of planned.value.notes) report.warning(note);

    const progress = (bytes: number, rows: number) => input.onProgress({ phase: 'loading', bytes_done: bytes, bytes_total: source.size, rows });
    const ran = await run({ db: input.db, table: input.table, source, layout: layout.value, plan: planned.value, encoding, report, onProgress: progress });
    lap('copy_ms');
    if (!ran.ok) return failedResult(ran, encoding);
    const outcome = ran.value;
    if (outcome.kind === 'replan') {
      if (outcome.because === 'not_utf8') {
        // The same bytes, sniffed again in the encoding they turned out to be in.
        encoding = 'windows-1252';
        fallback = true;
        layout = sniff(source, { encoding, delimiter: options.delimiter });
      } else {
        overrides = widened(overrides, outcome.columns);
      }
      continue;
    }
    const result = await finish({
      db: input.db,
      table: input.table,
      outcome,
      source,
      layout: layout.value,
      plan: planned.value,
      encoding,
      fallback,
      report,
      wilayah,
      onProgress: input.onProgress,
      lap,
    });
    if (result.table) log.info({ table: input.table, rows: result.rows, path: outcome.path, ...timings }, 'loaded');
    return result;
  }
  throw new Error('loading did not settle');
}
