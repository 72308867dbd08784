import fs from 'node:fs';
import { detectBinary, detectEncoding, HEAD_BYTES, looksLikeXlsx, sniffText } from '../ingest/sniff';
import { nameHeaders, type HeaderName } from '../ingest/sniff/headers';
import { DEFAULT_XLSX_LIMITS, XlsxRefused, xlsxToCsv, type XlsxLimits } from '../ingest/prepare/xlsx';
import { problem } from '../ingest/problems';

// A small table (a data-list import) read the way the loader reads uploads: an XLSX sheet is
// turned into CSV first; encoding, delimiter, title lines above the header and footnotes below the
// data are recognised by the loader's sniffer. The rows come back as text with their line numbers.

/** Most rows one import may hold (they are all read into memory). */
export const MAX_IMPORT_ROWS = 5000;
/** Largest import file. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

export type ReadTable =
  | { ok: true; headers: HeaderName[]; rows: Array<{ line: number; cells: string[] }>; skipped: Array<{ line?: number; text: string; kind: string }>; format: 'csv' | 'xlsx' }
  | { ok: false; code: string; message: string; message_en: string };

/** Reads the stored file `file` (named `filename` by its uploader) as a table of text cells. */
export async function readSmallTable(file: string, filename: string, limits: XlsxLimits = DEFAULT_XLSX_LIMITS): Promise<ReadTable> {
  let path = file;
  let size = (await fs.promises.stat(path)).size;
  if (size === 0) return { ok: false, code: 'empty_file', message: 'Berkas kosong.', message_en: 'The file is empty.' };
  if (size > MAX_IMPORT_BYTES) {
    return { ok: false, code: 'too_large', message: 'Berkas impor lebih dari 5 MB.', message_en: 'The import file is larger than 5 MB.' };
  }
  let head = await fs.promises.readFile(path);
  let format: 'csv' | 'xlsx' = 'csv';
  let derived: string | null = null;
  try {
    if (looksLikeXlsx(head.subarray(0, HEAD_BYTES), filename)) {
      derived = `${file}.sheet.csv`;
      let sheet;
      try {
        sheet = await xlsxToCsv(path, derived, undefined, { ...limits, maxOutputBytes: MAX_IMPORT_BYTES * 4 });
      } catch (err) {
        const refused = problem(err instanceof XlsxRefused ? err.code : 'bad_xlsx');
        return { ok: false, code: refused.code, message: refused.message, message_en: refused.message_en };
      }
      if (!sheet) return { ok: false, code: 'bad_xlsx', message: 'Berkas XLSX tidak memiliki lembar.', message_en: 'The workbook has no sheet.' };
      format = 'xlsx';
      path = derived;
      head = await fs.promises.readFile(path);
      size = head.length;
    }
    const { encoding } = detectEncoding(head);
    if (encoding === 'utf-8' || encoding === 'windows-1252' || encoding === 'iso-8859-1') {
      const binary = detectBinary(head);
      if (binary) return { ok: false, code: binary.code, message: binary.message, message_en: binary.message_en };
    }
    const sniff = sniffText({ head, tail: head, tailOffset: 0, size, encoding });
    if (!sniff.ok) {
      const [why] = sniff.report.errors;
      return { ok: false, code: why.code, message: why.message, message_en: why.message_en };
    }
    const s = sniff.value;
    if (!s.sampledAll || s.sample.length > MAX_IMPORT_ROWS) {
      return { ok: false, code: 'too_many_rows', message: `Satu impor paling banyak ${MAX_IMPORT_ROWS} baris.`, message_en: `One import holds at most ${MAX_IMPORT_ROWS} rows.` };
    }
    return {
      ok: true,
      headers: nameHeaders(s.headers.map((h) => h.label)),
      rows: s.sample.filter((r) => r.cells.some((c) => c.trim() !== '')).map((r) => ({ line: r.line, cells: r.cells })),
      skipped: s.skipped.filter((x) => x.kind !== 'blank').map((x) => ({ line: x.line, text: x.text, kind: x.kind })),
      format,
    };
  } finally {
    if (derived) await fs.promises.rm(derived, { force: true });
  }
}
