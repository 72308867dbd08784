import { inferColumn, type InferHints, type InferredColumn } from './infer';

/** A row-level transformation applied before typing (used to reshape wide tables). */
export type RowExpander = (cells: string[]) => string[][];

const YEAR_LABEL = /^(?:tahun\s+|th\.?\s*)?((?:19|20)\d{2})$/i;

/** The year in a wide table's column label (`2020`, `Tahun 2021`), or null. */
export function yearOfLabel(label: string): number | null {
  const m = YEAR_LABEL.exec(label.trim());
  return m ? Number(m[1]) : null;
}

/** Columns of a wide table: two or more whose labels are years. */
export function wideColumns(columns: InferredColumn[]): InferredColumn[] {
  const years = columns.filter((c) => yearOfLabel(c.label) !== null);
  return years.length >= 2 ? years : [];
}

/**
 * The long form of a wide table: the other columns, then `var_name` (the year) and `value_name`
 * (the value), one row per year column. `sample` holds sampled cells of the file's kept columns.
 */
export function reshapeToLong(
  columns: InferredColumn[],
  sample: string[][],
  hints: InferHints,
  names: { var_name: string; value_name: string },
): { columns: InferredColumn[]; expand: RowExpander } | null {
  const wide = wideColumns(columns);
  if (wide.length === 0) return null;
  const ids = columns.filter((c) => !wide.includes(c));
  const pos = new Map(columns.map((c, i) => [c, i]));
  const valueCells = sample.flatMap((row) => wide.map((c) => row[pos.get(c)!] ?? ''));
  const varCol: InferredColumn = {
    ...inferColumn({ name: names.var_name, label: names.var_name }, -1, wide.map((c) => String(yearOfLabel(c.label))), hints),
    type: 'year',
    role: 'time',
  };
  const valueCol = inferColumn({ name: names.value_name, label: names.value_name }, -1, valueCells, hints);
  const taken = new Set(ids.map((c) => c.name));
  for (const c of [varCol, valueCol]) if (taken.has(c.name)) c.name = `${c.name}_2`;
  const expand: RowExpander = (cells) =>
    wide.map((c) => [...ids.map((id) => cells[id.index] ?? ''), String(yearOfLabel(c.label)), cells[c.index] ?? '']);
  return { columns: [...ids, varCol, valueCol], expand };
}
