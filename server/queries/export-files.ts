import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { qualified } from '../db/datastore';
import { applyFilters, parseSort, type QueryColumn } from './rows';
import { streamCsvExport, type ExportSelection } from './export-csv';

export const EXPORT_FORMATS = ['csv', 'json', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Text a spreadsheet would run as a formula: `=`, `+`, `-`, `@`, tab or CR first. */
const FORMULA = /^[-=+@\t\r]/;

/** A text cell made safe for a spreadsheet (an apostrophe first, as the CSV export does). */
export function neutralise(v: string): string {
  return FORMULA.test(v) ? `'${v}` : v;
}

/** The selected rows of a version's table, streamed in order (the database cursor keeps memory flat). */
function rowStream(db: Knex, table: string, columns: QueryColumn[], s: ExportSelection) {
  const order = parseSort(columns, s.sort);
  return db
    .from(qualified(table))
    .select(columns.map((c) => c.name))
    .modify((qb) => applyFilters(qb, columns, { filter: s.filter, q: s.q }))
    .orderBy([...order.map((o) => ({ column: o.column, order: o.order, nulls: 'last' as const })), { column: '_id', order: 'asc' }])
    .stream();
}

/** A `yyyy-mm-dd` date as the Excel date of that calendar day (midnight UTC, as ExcelJS writes it). */
function excelDate(v: string): Date {
  return new Date(`${v}T00:00:00Z`);
}

/**
 * Writes a version's rows (all, or the reader's selection) to `out` in one of the download
 * formats, streaming: CSV straight from PostgreSQL's COPY (the Excel dialect with a BOM first),
 * JSON as an array of objects with numbers as numbers, XLSX with numbers as numbers, dates as
 * real Excel dates and text (codes such as `1801` or `0012` included) as text cells.
 */
export async function streamExport(
  db: Knex,
  format: ExportFormat,
  table: string,
  columns: QueryColumn[],
  out: Writable,
  s: ExportSelection = {},
  cacheKey?: string | null,
): Promise<void> {
  if (format === 'csv') {
    if (s.dialect === 'excel') out.write('\ufeff');
    await streamCsvExport(db, table, columns, out, s, cacheKey);
    return;
  }
  const rows = rowStream(db, table, columns, s);
  if (format === 'json') {
    let first = true;
    const toJson = new Transform({
      writableObjectMode: true,
      transform(row, _e, cb) {
        cb(null, (first ? '[\n' : ',\n') + JSON.stringify(row));
        first = false;
      },
      flush(cb) {
        cb(null, first ? '[]\n' : '\n]\n');
      },
    });
    await pipeline(rows, toJson, out);
    return;
  }
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  const ws = wb.addWorksheet('data');
  ws.columns = columns.map((c) => ({
    key: c.name,
    width: Math.min(40, Math.max(10, c.name.length + 2)),
    ...(c.type === 'date' ? { style: { numFmt: 'yyyy-mm-dd' } } : {}),
    ...(c.type === 'text' ? { style: { numFmt: '@' } } : {}),
  }));
  ws.addRow(columns.map((c) => c.name)).commit();
  const cell = columns.map((c) => {
    if (c.type === 'date') return (v: unknown) => (typeof v === 'string' ? excelDate(v) : v);
    if (c.type === 'text') return (v: unknown) => (typeof v === 'string' ? neutralise(v) : v);
    return (v: unknown) => v;
  });
  for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
    ws.addRow(columns.map((c, i) => (row[c.name] == null ? null : cell[i](row[c.name])))).commit();
  }
  ws.commit();
  await wb.commit();
}
