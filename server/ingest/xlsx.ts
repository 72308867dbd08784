import fs from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';

/** The result of turning one XLSX sheet into CSV. */
export interface SheetExport {
  sheets: string[];
  sheet: string;
  rows: number;
}

/** Cell value → CSV text: numbers as written by JS (dot decimal), dates as ISO, formulas by result. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') {
    if ('result' in v) return cellText((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('richText' in v) return (v as ExcelJS.CellRichTextValue).richText.map((r) => r.text).join('');
    if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text);
    if ('error' in v) return '';
  }
  return String(v);
}

/** Writes rows of a sheet as CSV; sparse rows keep their line numbers (blank rows written between). */
async function writeSheet(rows: AsyncIterable<ExcelJS.Row> | Iterable<ExcelJS.Row>, out: string): Promise<number> {
  const csv = stringify({ record_delimiter: '\n' });
  const dest = fs.createWriteStream(out);
  csv.pipe(dest);
  let written = 0;
  let pendingBlank = 0;
  for await (const row of rows) {
    const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
    const gap = row.number - 1 - written - pendingBlank;
    pendingBlank += Math.max(0, gap);
    while (values.length && values[values.length - 1] === '') values.pop();
    if (values.length === 0) {
      pendingBlank++;
      continue;
    }
    for (; pendingBlank > 0; pendingBlank--) {
      written++;
      if (!csv.write([''])) await once(csv, 'drain');
    }
    written++;
    if (!csv.write(values)) await once(csv, 'drain');
  }
  csv.end();
  await once(dest, 'finish');
  return written;
}

const wantedSheet = (sheet: string | number | undefined, position: number, name: string) =>
  sheet === undefined ? position === 1 : typeof sheet === 'number' ? position === sheet : name === sheet;

/** Streams the sheet row by row: memory stays flat however large the workbook. */
async function streamSheet(file: string, out: string, sheet?: string | number): Promise<SheetExport | null> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const names: string[] = [];
  let exported: SheetExport | null = null;
  let position = 0;
  for await (const ws of reader) {
    position++;
    const name = (ws as unknown as { name: string }).name ?? `Sheet${position}`;
    names.push(name);
    if (!wantedSheet(sheet, position, name) || exported) {
      // Read every other sheet through: exceljs may have parked it in a temporary file whose
      // read stream opens lazily, and deletes that file as soon as we move on; a sheet skipped
      // unread then fails with ENOENT as an unhandled stream error.
      for await (const _row of ws as AsyncIterable<ExcelJS.Row>) void _row;
      continue;
    }
    exported = { sheets: names, sheet: name, rows: await writeSheet(ws as AsyncIterable<ExcelJS.Row>, out) };
  }
  if (exported) exported.sheets = names;
  return exported;
}

/** Reads the whole workbook into memory: slower on big files, but not subject to stream races. */
async function readSheet(file: string, out: string, sheet?: string | number): Promise<SheetExport | null> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const names = wb.worksheets.map((ws) => ws.name);
  const ws = wb.worksheets.find((w, i) => wantedSheet(sheet, i + 1, w.name));
  if (!ws) return null;
  const rows: ExcelJS.Row[] = [];
  ws.eachRow({ includeEmpty: false }, (row) => rows.push(row));
  return { sheets: names, sheet: ws.name, rows: await writeSheet(rows, out) };
}

/** Workbooks up to this size may be read whole when streaming them fails. */
const WHOLE_READ_MAX_BYTES = 50 * 1024 * 1024;

/**
 * Streams one sheet of an XLSX file (by 1-based number or name; the first by default) into a
 * UTF-8 CSV file, row by row. Returns null when the workbook has no such sheet. exceljs's stream
 * reader now and then fails on workbooks whose workbook.xml comes last (as Excel writes them)
 * when the machine is busy; such a workbook is then read whole, if it is not too large.
 */
export async function xlsxToCsv(file: string, out: string, sheet?: string | number): Promise<SheetExport | null> {
  try {
    return await streamSheet(file, out, sheet);
  } catch (err) {
    if ((await fs.promises.stat(file)).size > WHOLE_READ_MAX_BYTES) throw err;
    return readSheet(file, out, sheet);
  }
}
