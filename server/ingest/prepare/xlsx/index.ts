// XLSX → CSV for the loader: one sheet of a workbook becomes a UTF-8 CSV file, streamed, with the
// container checked for bombs first. Runs in a worker thread with a heap limit, so that a
// workbook no check foresaw can only end its own thread, never the server.
import fs from 'node:fs';
import path from 'node:path';
import { runIsolated, IsolatedOutOfMemory } from '../../../jobs/isolate';
import { readWorkbookParts } from './parts';
import { XlsxRefused, isRefusal } from './refused';
import { writeSheetCsv } from './sheet';
import { DEFAULT_XLSX_LIMITS, Zip, type XlsxLimits } from './zip';

export { XlsxRefused, DEFAULT_XLSX_LIMITS, type XlsxLimits };

/** The result of turning one XLSX sheet into CSV. */
export interface SheetExport {
  sheets: string[];
  sheet: string;
  rows: number;
}

/**
 * A sheet's CSV may grow to the ratio limit times the upload's size (with a floor for small
 * files), never past maxOutputBytes: shared strings let a 100 KB workbook point at one 32 KB
 * string twenty thousand times — 640 MB of CSV from compressed parts no ratio check would flag.
 */
export function outputLimit(fileSize: number, limits: XlsxLimits): { bytes: number; refusal: 'xlsx_bomb' | 'xlsx_too_large' } {
  const byRatio = Math.max(OUTPUT_FLOOR_BYTES, fileSize * limits.maxRatio);
  return byRatio < limits.maxOutputBytes ? { bytes: byRatio, refusal: 'xlsx_bomb' } : { bytes: limits.maxOutputBytes, refusal: 'xlsx_too_large' };
}

/** The CSV any workbook may be read into, however small it is. */
const OUTPUT_FLOOR_BYTES = 64 * 1024 * 1024;

/**
 * Writes one sheet (by 1-based number or name; the first by default) of `file` as CSV to `out`,
 * in this thread. Returns null when the workbook has no such sheet; throws XlsxRefused.
 */
export async function convertSheet(file: string, out: string, sheet: string | number | undefined, limits: XlsxLimits): Promise<SheetExport | null> {
  const zip = await Zip.open(file, limits);
  try {
    const parts = await readWorkbookParts(zip, limits.maxSharedStringsBytes);
    const names = parts.sheets.map((s) => s.name);
    if (parts.sheets.length === 0) throw new XlsxRefused('bad_xlsx');
    const index = sheet === undefined ? 0 : typeof sheet === 'number' ? sheet - 1 : names.indexOf(sheet);
    const ref = parts.sheets[index];
    if (!ref) return null;
    const rows = await writeSheetCsv(zip, ref.part, parts, out, outputLimit((await fs.promises.stat(file)).size, limits));
    return { sheets: names, sheet: ref.name, rows };
  } finally {
    zip.close();
  }
}

const HEAP_LIMIT_MB = 768;

/** convertSheet in a worker thread with a heap limit; running out of it is a refusal, not a crash. */
export async function xlsxToCsv(
  file: string,
  out: string,
  sheet?: string | number,
  limits: XlsxLimits = DEFAULT_XLSX_LIMITS,
): Promise<SheetExport | null> {
  try {
    return await runIsolated<SheetExport | null>(path.join(__dirname, 'index.ts'), 'convertSheet', [file, out, sheet, limits], { maxHeapMb: HEAP_LIMIT_MB });
  } catch (err) {
    if (err instanceof IsolatedOutOfMemory) throw new XlsxRefused('xlsx_out_of_memory');
    const code = (err as { code?: unknown }).code;
    if (isRefusal(code)) throw new XlsxRefused(code);
    throw err;
  }
}
