// Stage 3, plan. In: the layout, the prepared source, the encoding being read and the producer's
// choices (decimal mark, column types and roles, reshape). Out: a load plan — the table's
// columns with their types, roles and number formats, the reshape of a wide table, the warnings
// the plan gives (dropped empty columns, numbers read as text, a wide table), and which path
// loads the rows: `fast` (COPY straight from the file's bytes), `parallel` (the same in two
// parts at once) or `validating` (every cell checked in a stream) — or why it cannot be done (a
// reshape asked of a table that is not wide).
import type { InferredColumn } from './plan/infer';
import { inferColumn, mostlyNumeric } from './plan/infer';
import { reshapeToLong, wideColumns, type RowExpander } from './plan/reshape';
import { findSplit, PARALLEL_MIN_BYTES } from './plan/split';
import type { ColumnOverride, Encoding, LoadOptions } from './options';
import { done, failedWith, type Staged } from './outcome';
import { isByteEncoding } from './prepare/detect';
import type { PreparedSource } from './prepare';
import { problem, type Problem } from './problems';
import type { Layout } from './sniff';

export type { InferredColumn } from './plan/infer';

/** How the rows are loaded. */
export type LoadPath = 'fast' | 'parallel' | 'validating';

/** What the run stage does. */
export interface LoadPlan {
  /** The table's columns in order (after a reshape: the other columns, the year, the value). */
  columns: InferredColumn[];
  /** Turns one file row into the table's rows (a reshape), or null. */
  expand: RowExpander | null;
  path: LoadPath;
  /** Where the parallel path cuts the data in two. */
  split: { at: number; linesBefore: number } | null;
  /** Names of the placeholder columns that absorb dropped fields in a fast COPY, by field position. */
  placeholders: Map<number, string>;
  /** Warnings of the plan. */
  notes: Problem[];
}

/** What the plan may follow besides the file. */
export interface PlanChoice {
  encoding: Encoding;
  options: Pick<LoadOptions, 'decimal' | 'reshape'>;
  /** The producer's column choices, and any widening a run asked for (never mutated). */
  overrides: Record<string, ColumnOverride>;
  parallelMinBytes?: number;
}

/** Names of the placeholder columns that absorb dropped fields during a fast COPY. */
export function placeholderNames(layout: Pick<Layout, 'keep' | 'fieldCount'>): Map<number, string> {
  const kept = new Set(layout.keep);
  const out = new Map<number, string>();
  for (let i = 0; i < layout.fieldCount; i++) if (!kept.has(i)) out.set(i, `_skip_${i}`);
  return out;
}

function pickOverride(o: ColumnOverride | undefined): Partial<InferredColumn> {
  if (!o) return {};
  const out: Partial<InferredColumn> = {};
  if (o.type) out.type = o.type;
  if (o.role) out.role = o.role;
  if (o.unit !== undefined) out.unit = o.unit;
  if (o.description !== undefined) out.description = o.description;
  if (o.ref_scheme !== undefined) out.refScheme = o.ref_scheme;
  return out;
}

/** The plan stage (see the top of this file). */
export async function plan(layout: Layout, source: PreparedSource, choice: PlanChoice): Promise<Staged<LoadPlan>> {
  const { options, overrides } = choice;
  const notes: Problem[] = [];
  const dropped = layout.fieldCount - layout.keep.length;
  if (dropped > 0) notes.push(problem('empty_columns_dropped', { count: dropped }));

  const hints = { indonesian: layout.delimiter === ';' || options.decimal === ',', decimal: options.decimal };
  const sampleRows = layout.sample.map((r) => r.cells);
  let columns = layout.headers.map((h, i) =>
    inferColumn(h, layout.keep[i], sampleRows.map((cells) => cells[i] ?? ''), hints, overrides[h.name]),
  );
  columns.forEach((c, i) => {
    const words = mostlyNumeric(c, layout.sample, i);
    if (!words) return;
    const examples = words.slice(0, 3).map((x) => `"${x.value}"`).join(', ');
    notes.push(problem('mostly_numeric_text', { label: c.label, examples }, { column: c.name, line: words[0].line || undefined, value: words[0].value }));
  });

  let expand: RowExpander | null = null;
  if (options.reshape) {
    const long = reshapeToLong(columns, sampleRows, hints, options.reshape);
    if (!long) return failedWith('plan', problem('not_wide'));
    expand = long.expand;
    columns = long.columns.map((c) => ({ ...c, ...pickOverride(overrides[c.name]) }));
  } else if (wideColumns(columns).length > 0) {
    notes.push(problem('wide_table'));
  }

  // COPY reads the bytes as they are: a byte encoding, values already in PostgreSQL's forms.
  const fast = !expand && isByteEncoding(choice.encoding) && layout.lineEnding !== 'cr' && columns.every((c) => c.canonical);
  const minParallel = choice.parallelMinBytes ?? PARALLEL_MIN_BYTES;
  const split = fast && layout.dataEndByte - layout.dataStartByte >= minParallel ? await findSplit(source.file, layout.dataStartByte, layout.dataEndByte) : null;
  return done({
    columns,
    expand,
    path: split ? 'parallel' : fast ? 'fast' : 'validating',
    split,
    placeholders: fast ? placeholderNames(layout) : new Map(),
    notes,
  });
}
