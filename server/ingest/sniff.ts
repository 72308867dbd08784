import chardet from 'chardet';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { HeaderName, nameHeaders } from './headers';
import type { Delimiter, Encoding } from './options';
import { DELIMITERS } from './options';
import { bodyShape, filledCount, isFootnote, isTitle, lineText } from './shape';

export const MAX_COLUMNS = 1000;
/** Rows of the head sampled for type inference. */
export const SAMPLE_ROWS = 5000;
export const MAX_FIELD_BYTES = 1024 * 1024;
/** How many bytes from the end are read to find footnotes and sample late rows. */
export const TAIL_BYTES = 64 * 1024;
/**
 * How many bytes from the start of a file are read to sniff it: a little more than the largest
 * record allowed, so a head holding no whole record after the header means that record is too large.
 */
export const HEAD_BYTES = MAX_FIELD_BYTES + TAIL_BYTES;
/** Chunks of the middle of a large file read for the sample, and their size. */
export const MIDDLE_CHUNKS = 8;
export const MIDDLE_CHUNK_BYTES = 64 * 1024;

/** Where the middle chunks of a file of `size` bytes start (none when head and tail cover it). */
export function middleOffsets(size: number): number[] {
  const from = HEAD_BYTES;
  const to = size - TAIL_BYTES - MIDDLE_CHUNK_BYTES;
  if (to <= from) return [];
  return Array.from({ length: MIDDLE_CHUNKS }, (_, i) => Math.round(from + ((to - from) * (i + 0.5)) / MIDDLE_CHUNKS));
}

/** Why a file is not a text table, or null when it looks like one. */
export function detectBinary(head: Buffer): { code: string; message: string; message_en: string } | null {
  const magic: Array<[number[], string]> = [
    [[0x25, 0x50, 0x44, 0x46], 'PDF'],
    [[0x1f, 0x8b], 'GZIP'],
    [[0x89, 0x50, 0x4e, 0x47], 'PNG'],
    [[0xff, 0xd8, 0xff], 'JPEG'],
    [[0x50, 0x4b, 0x03, 0x04], 'ZIP'],
  ];
  if (head.length >= 4 && head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    return {
      code: 'legacy_xls',
      message: 'Berkas .xls (Excel 97–2003) tidak didukung. Simpan ulang sebagai .xlsx atau CSV.',
      message_en: 'Legacy .xls files are not supported. Save the file as .xlsx or CSV.',
    };
  }
  for (const [bytes, kind] of magic) {
    if (bytes.every((b, i) => head[i] === b)) {
      return {
        code: 'binary_file',
        message: `Berkas ini bukan teks CSV (terdeteksi ${kind}).`,
        message_en: `This file is not CSV text (looks like ${kind}).`,
      };
    }
  }
  let control = 0;
  for (const b of head) {
    if (b === 0) return binaryMessage();
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return head.length > 0 && control / head.length > 0.005 ? binaryMessage() : null;
}

function binaryMessage() {
  return {
    code: 'binary_file',
    message: 'Berkas ini bukan teks CSV (berisi data biner).',
    message_en: 'This file is not CSV text (it contains binary data).',
  };
}

/** True for the start of an XLSX (a ZIP holding an Office document). */
export function looksLikeXlsx(head: Buffer, filename: string): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === 0x04034b50 && /\.(xlsx|xlsm)$/i.test(filename);
}

/** The encoding of a file from its first bytes: BOM, then strict UTF-8, then chardet. */
export function detectEncoding(head: Buffer): { encoding: Encoding; bom: boolean } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  if (isUtf8(head)) return { encoding: 'utf-8', bom: false };
  const guess = (chardet.detect(head) ?? '').toLowerCase();
  if (guess === 'iso-8859-1') return { encoding: 'windows-1252', bom: false }; // 1252 is its superset
  if (guess === 'utf-16le' || guess === 'utf-16be') return { encoding: guess, bom: false };
  return { encoding: 'windows-1252', bom: false };
}

/** Strict UTF-8 check that tolerates a multi-byte sequence cut off at the end of a chunk. */
export function isUtf8(buf: Buffer): boolean {
  let end = buf.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = buf[end - i];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    if ((b & 0xe0) === 0xc0 && i < 2) end -= i;
    else if ((b & 0xf0) === 0xe0 && i < 3) end -= i;
    else if ((b & 0xf8) === 0xf0 && i < 4) end -= i;
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** One parsed record with the physical lines it spans (1-based). */
export interface RawRecord {
  cells: string[];
  startLine: number;
  endLine: number;
}

/** Parses CSV text leniently (ragged rows allowed), keeping line numbers; stops at a broken quote. */
export function parseRecords(text: string, delimiter: string, limit = Infinity): RawRecord[] {
  const opts = {
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    info: true,
    bom: true,
    ...(Number.isFinite(limit) ? { to: limit } : {}),
  } as const;
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, opts) as never;
  } catch (err) {
    // A quoted field cut by the end of the sniffed bytes: keep the records before it.
    const line = (err as { lines?: number }).lines;
    if (!line || line <= 1) return [];
    try {
      rows = parse(text, { ...opts, to_line: line - 1 }) as never;
    } catch {
      return [];
    }
  }
  const out: RawRecord[] = [];
  let prevEnd = 0;
  for (const r of rows) {
    // Lines are counted from the cells, not from csv-parse's info.lines: inside a quoted field
    // csv-parse counts CR and LF each as a line, so a CRLF there would count twice.
    const endLine = prevEnd + 1 + lineBreaks(r.record);
    out.push({ cells: r.record, startLine: prevEnd + 1, endLine });
    prevEnd = endLine;
  }
  return out;
}

/** How many LF line breaks the cells of one record hold (a record spans that many more lines). */
export function lineBreaks(cells: string[]): number {
  let n = 0;
  for (const c of cells) for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) n++;
  return n;
}


/** The delimiter that splits the records most consistently into more than one field. */
export function detectDelimiter(text: string): Delimiter {
  // 200 records are plenty to tell; parsing more only costs time.
  const cut = nthLineEnd(text, 200);
  const head = cut > 0 ? text.slice(0, cut) : text;
  let best: { d: Delimiter; score: number; width: number } = { d: ',', score: -1, width: 1 };
  for (const d of DELIMITERS) {
    const recs = parseRecords(head, d, 200).filter((r) => filledCount(r.cells) > 0);
    if (recs.length === 0) continue;
    const counts = new Map<number, number>();
    for (const r of recs) counts.set(r.cells.length, (counts.get(r.cells.length) ?? 0) + 1);
    const [width, hits] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
    if (width < 2) continue;
    const score = hits / recs.length;
    if (score > best.score + 1e-9 || (Math.abs(score - best.score) < 1e-9 && width > best.width)) {
      best = { d, score, width };
    }
  }
  return best.d;
}

/** Index just past the n-th newline of `text` (or -1 when it has fewer lines). */
function nthLineEnd(text: string, n: number): number {
  let i = -1;
  for (let k = 0; k < n; k++) {
    i = text.indexOf('\n', i + 1);
    if (i === -1) return -1;
  }
  return i + 1;
}

/** A line above the header or below the data that is not part of the table. */
export interface SkippedLine {
  line?: number;
  text: string;
  kind: 'title' | 'column_numbers' | 'footnote' | 'blank';
  /**
   * Footnotes: the line's position below the end of the data (0 = the first line after it), so
   * its line number can be worked out once the data's lines are counted (when `line` is unknown).
   */
  trailerIndex?: number;
}

/** What sniffing learned about a text file. */
export interface Sniffed {
  delimiter: Delimiter;
  lineEnding: 'crlf' | 'lf' | 'cr';
  /** Number of fields of the header record (including dropped empty ones). */
  fieldCount: number;
  /** Positions of the fields that become columns. */
  keep: number[];
  headers: HeaderName[];
  headerLine: number;
  /** First physical line (1-based) and byte of the data; the byte where the data ends (exclusive). */
  dataStartLine: number;
  dataStartByte: number;
  dataEndByte: number;
  skipped: SkippedLine[];
  /** Sampled data rows (kept fields only); `line` is 0 for rows sampled from the tail. */
  sample: Array<{ line: number; cells: string[] }>;
  /** Every data row is in the sample (so what inference saw holds for the whole file). */
  sampledAll: boolean;
}

export type SniffOutcome = { ok: true; sniffed: Sniffed } | { ok: false; code: string; message: string; message_en: string; line?: number };

const COLUMN_NUMBER = /^\(\d{1,3}\)$/;

/** Byte offsets at which each line starts (lines split on LF). */
function lineStarts(buf: Buffer): number[] {
  const starts = [0];
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) starts.push(i + 1);
  return starts;
}

/** Bytes of the middle of a file read for the sample (chunks at even distances between head and tail). */
export interface MiddleChunk {
  offset: number;
  bytes: Buffer;
}

/** A record of the tail with where it starts in the file. */
interface TailRecord {
  cells: string[];
  /** Byte offset in the file of its first byte. */
  at: number;
  /** Its first physical line, counted from the first whole record of the tail (0-based). */
  lineInTail: number;
}

/**
 * The records of the file's last bytes. The tail starts anywhere, perhaps inside a quoted field;
 * the first line start with an even number of quote characters after it is outside quotes (a
 * well-formed file ends outside quotes), so parsing from there reads whole records only.
 */
function tailRecords(tail: Buffer, tailOffset: number, encoding: Encoding, delimiter: string): TailRecord[] {
  let quotes = 0;
  for (let i = tail.indexOf(0x22); i !== -1; i = tail.indexOf(0x22, i + 1)) quotes++;
  let from = -1;
  if (tailOffset === 0) from = 0;
  else {
    let seen = 0;
    let q = tail.indexOf(0x22);
    for (let lf = tail.indexOf(0x0a); lf !== -1; lf = tail.indexOf(0x0a, lf + 1)) {
      while (q !== -1 && q < lf) {
        seen++;
        q = tail.indexOf(0x22, q + 1);
      }
      if ((quotes - seen) % 2 === 0) {
        from = lf + 1;
        break;
      }
    }
  }
  if (from < 0 || from >= tail.length) return [];
  const part = tail.subarray(from);
  const starts = lineStarts(part);
  const text = iconv.decode(part, encoding, { stripBOM: tailOffset === 0 });
  // A BOM decoded away shifts no line starts: they are byte offsets of the raw part.
  return parseRecords(text, delimiter).map((r) => ({
    cells: r.cells.map((c) => c.replace(/\r$/, '')),
    at: tailOffset + from + (starts[r.startLine - 1] ?? part.length),
    lineInTail: r.startLine - 1,
  }));
}

/** Records of one middle chunk: only when nearly all of them have the header's field count. */
function middleRecords(chunk: MiddleChunk, encoding: Encoding, delimiter: string, fields: number): string[][] {
  const first = chunk.bytes.indexOf(0x0a);
  const last = chunk.bytes.lastIndexOf(0x0a);
  if (first === -1 || last <= first) return [];
  const text = iconv.decode(chunk.bytes.subarray(first + 1, last + 1), encoding);
  const records = parseRecords(text, delimiter).map((r) => r.cells);
  const fit = records.filter((cells) => cells.length === fields && filledCount(cells) > 0);
  // Started inside a quoted field, the parse comes out askew: such a chunk says nothing reliable.
  return records.length > 0 && fit.length >= records.length * 0.9 ? fit : [];
}

/**
 * Reads the head (and tail, and chunks of the middle) of a text file: delimiter, title lines
 * above the header, the header, a column-number row under it, trailing empty columns, footnotes
 * below the data, and a sample of data rows for type inference drawn from the whole file. `head`
 * is the first bytes of the file, `tail` the last ones starting at `tailOffset` (the same bytes
 * as head when the file is small).
 */
export function sniffText(input: {
  head: Buffer;
  tail: Buffer;
  tailOffset: number;
  size: number;
  encoding: Encoding;
  delimiter?: Delimiter;
  middle?: MiddleChunk[];
}): SniffOutcome {
  const { head, tail, tailOffset, size, encoding } = input;
  const complete = head.length >= size;
  let headText = iconv.decode(head, encoding, { stripBOM: true });
  if (!complete) headText = headText.slice(0, headText.lastIndexOf('\n') + 1); // whole lines only
  if (headText.trim() === '') {
    return { ok: false, code: 'empty_file', message: 'Berkas kosong.', message_en: 'The file is empty.' };
  }
  const crlf = (headText.match(/\r\n/g) ?? []).length;
  const lf = (headText.match(/\n/g) ?? []).length;
  const cr = (headText.match(/\r/g) ?? []).length;
  const lineEnding = lf === 0 && cr > 0 ? 'cr' : crlf > 0 && crlf >= lf / 2 ? 'crlf' : 'lf';

  const delimiter = input.delimiter ?? detectDelimiter(headText);
  // Parse only what the sample needs; the rest of the head adds time, not knowledge.
  const cut = nthLineEnd(headText, SAMPLE_ROWS + 100);
  const partial = !complete || (cut > 0 && cut < headText.length);
  const records = parseRecords(cut > 0 ? headText.slice(0, cut) : headText, delimiter);
  if (!complete && cut <= 0) {
    // Few lines in a whole head: the bytes after the last whole record belong to one record still
    // going on; past the limit, that record is too large (and no later one could be sniffed anyway).
    const lastLine = records.at(-1)?.endLine ?? 0;
    const covered = lineStarts(head)[lastLine] ?? head.length;
    if (head.length - covered > MAX_FIELD_BYTES) {
      return {
        ok: false,
        code: 'field_too_large',
        message: `Baris ${lastLine + 1} lebih dari 1 MB (mungkin tanda kutip tidak ditutup).`,
        message_en: `Line ${lastLine + 1} is larger than 1 MB (perhaps an unclosed quote).`,
        line: lastLine + 1,
      };
    }
  }
  if (partial && records.length > 1) records.pop(); // may be cut short
  const body = bodyShape(records.slice(0, 1000).map((r) => r.cells));

  // Title lines above the header: blank records, and lines that are not shaped like the table.
  const skipped: SkippedLine[] = [];
  let h = 0;
  while (h < records.length && h < 30) {
    const cells = records[h].cells;
    if (filledCount(cells) === 0) skipped.push({ line: records[h].startLine, text: '', kind: 'blank' });
    else if (isTitle(cells, records.slice(h + 1, h + 12).map((r) => r.cells), body)) {
      skipped.push({ line: records[h].startLine, text: lineText(cells, delimiter), kind: 'title' });
    } else break;
    h++;
  }
  if (h >= records.length) {
    return { ok: false, code: 'no_header', message: 'Baris judul kolom (header) tidak ditemukan.', message_en: 'No header row found.' };
  }
  const header = records[h];
  if (header.cells.length > MAX_COLUMNS) {
    return {
      ok: false,
      code: 'too_many_columns',
      message: `Berkas memiliki ${header.cells.length} kolom; batasnya ${MAX_COLUMNS}.`,
      message_en: `The file has ${header.cells.length} columns; the limit is ${MAX_COLUMNS}.`,
    };
  }
  let dataIdx = h + 1;
  const next = records[dataIdx];
  if (next && isColumnNumberRow(next.cells)) {
    skipped.push({ line: next.startLine, text: next.cells.join(delimiter), kind: 'column_numbers' });
    dataIdx++;
  }
  const dataStartLine = records[dataIdx]?.startLine ?? header.endLine + 1;
  const starts = lineStarts(head);
  const dataStartByte = dataStartLine - 1 < starts.length ? starts[dataStartLine - 1] : head.length;

  // Footnotes and trailing blank lines, read upwards from the end of the file by whole records:
  // a record belongs to the trailer only if every record below it does.
  const ends = tailRecords(tail, tailOffset, encoding, delimiter);
  let dataEndByte = size;
  let inTrailer = true;
  const footnotes: Array<{ text: string; lineInTail: number }> = [];
  let firstTrailer: number | null = null;
  const lateRows: string[][] = [];
  for (let i = ends.length - 1; i >= 0 && lateRows.length < 200; i--) {
    const rec = ends[i];
    if (rec.at < dataStartByte) break;
    if (inTrailer) {
      const blank = filledCount(rec.cells) === 0;
      if (blank || isFootnote(rec.cells, header.cells.length, footnotes.length > 0, body)) {
        if (!blank) footnotes.unshift({ text: lineText(rec.cells, delimiter), lineInTail: rec.lineInTail });
        dataEndByte = rec.at;
        firstTrailer = rec.lineInTail;
        continue;
      }
      inTrailer = false;
    }
    if (rec.cells.length === header.cells.length) lateRows.unshift(rec.cells);
  }

  const dataRows = records
    .slice(dataIdx)
    .filter((r) => (starts[r.startLine - 1] ?? Infinity) < dataEndByte && filledCount(r.cells) > 0);
  if (dataRows.length === 0 && lateRows.length === 0) {
    return {
      ok: false,
      code: 'no_data_rows',
      message: 'Berkas hanya berisi judul kolom, tanpa baris data.',
      message_en: 'The file has a header but no data rows.',
    };
  }
  // Chunks of the middle, so that the sample stands for the whole file (a column may be empty
  // for the first thousands of rows, or change its habits halfway).
  const middleRows = partial
    ? (input.middle ?? [])
        .filter((c) => c.offset >= head.length && c.offset + c.bytes.length <= Math.min(dataEndByte, tailOffset))
        .flatMap((c) => middleRecords(c, encoding, delimiter, header.cells.length))
    : [];

  // Drop columns with no header and no values (Excel's trailing delimiters).
  const allRows = [...dataRows.map((r) => r.cells), ...(partial ? [...middleRows, ...lateRows] : [])];
  const keep: number[] = [];
  header.cells.forEach((label, i) => {
    const hasValue = allRows.some((cells) => (cells[i] ?? '').trim() !== '');
    if (label.trim() !== '' || hasValue) keep.push(i);
  });
  const headers = nameHeaders(keep.map((i) => header.cells[i]));
  const pick = (cells: string[]) => keep.map((i) => cells[i] ?? '');
  const sample = [
    ...dataRows.slice(0, SAMPLE_ROWS).map((r) => ({ line: r.startLine, cells: pick(r.cells) })),
    ...(partial ? [...middleRows, ...lateRows].map((cells) => ({ line: 0, cells: pick(cells) })) : []),
  ];
  const huge = (cells: string[]) => cells.some((c) => c.length > MAX_FIELD_BYTES);
  const hugeRecord = huge(header.cells) ? header : dataRows.find((r) => huge(r.cells));
  if (hugeRecord || (partial && lateRows.some(huge))) {
    const line = hugeRecord?.startLine;
    return {
      ok: false,
      code: 'field_too_large',
      message: line ? `Baris ${line}: ada isian kolom yang lebih dari 1 MB.` : 'Ada isian kolom yang lebih dari 1 MB.',
      message_en: line ? `Line ${line}: a field is larger than 1 MB.` : 'A field is larger than 1 MB.',
      line,
    };
  }

  return {
    ok: true,
    sniffed: {
      delimiter,
      lineEnding,
      fieldCount: header.cells.length,
      keep,
      headers,
      headerLine: header.startLine,
      dataStartLine,
      dataStartByte,
      dataEndByte,
      skipped: [
        ...skipped,
        // A tail that starts at byte 0 is the whole file: its line numbers are known already.
        ...footnotes.map((f) => ({
          text: f.text,
          kind: 'footnote' as const,
          trailerIndex: f.lineInTail - (firstTrailer ?? 0),
          ...(tailOffset === 0 ? { line: f.lineInTail + 1 } : {}),
        })),
      ],
      sample,
      sampledAll: !partial && dataRows.length <= SAMPLE_ROWS,
    },
  };
}

function isColumnNumberRow(cells: string[]): boolean {
  const filled = cells.map((c) => c.trim()).filter((c) => c !== '');
  return filled.length >= 2 && filled.every((c) => COLUMN_NUMBER.test(c));
}
