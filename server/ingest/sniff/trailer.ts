// The end of a file and chunks of its middle, read as whole records: footnotes below the data,
// and rows for the sample from beyond the head.
import iconv from 'iconv-lite';
import type { Encoding } from '../options';
import { lineStarts, parseRecords } from './records';
import { filledCount, isFootnote, lineText, type BodyShape } from './shape';

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
  let from = -1;
  if (tailOffset === 0) from = 0;
  else {
    let quotes = 0;
    for (let i = tail.indexOf(0x22); i !== -1; i = tail.indexOf(0x22, i + 1)) quotes++;
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
  // A BOM decoded away shifts no line starts: they are byte offsets of the raw part.
  const text = iconv.decode(part, encoding, { stripBOM: tailOffset === 0 });
  return parseRecords(text, delimiter).map((r) => ({
    cells: r.cells.map((c) => c.replace(/\r$/, '')),
    at: tailOffset + from + (starts[r.startLine - 1] ?? part.length),
    lineInTail: r.startLine - 1,
  }));
}

/** The end of the data, the footnotes below it and late rows for the sample. */
export interface Trailer {
  /** The byte where the data ends (exclusive). */
  dataEndByte: number;
  /** Footnotes, top to bottom, with their line below the end of the data (0 = the first line after it). */
  footnotes: Array<{ text: string; linesBelow: number; lineInTail: number }>;
  /** Rows just above the trailer with the header's field count. */
  lateRows: string[][];
}

/**
 * Reads the file's last records upwards: a record belongs to the trailer (blank lines and
 * footnotes) only if every record below it does; the data ends where the trailer begins.
 */
export function readTrailer(
  tail: { offset: number; bytes: Buffer },
  size: number,
  opts: { encoding: Encoding; delimiter: string; dataStartByte: number; headerFields: number; body: BodyShape },
): Trailer {
  const ends = tailRecords(tail.bytes, tail.offset, opts.encoding, opts.delimiter);
  let dataEndByte = size;
  let inTrailer = true;
  const notes: Array<{ text: string; lineInTail: number }> = [];
  let firstTrailer: number | null = null;
  const lateRows: string[][] = [];
  for (let i = ends.length - 1; i >= 0 && lateRows.length < 200; i--) {
    const rec = ends[i];
    if (rec.at < opts.dataStartByte) break;
    if (inTrailer) {
      const blank = filledCount(rec.cells) === 0;
      if (blank || isFootnote(rec.cells, opts.headerFields, notes.length > 0, opts.body)) {
        if (!blank) notes.unshift({ text: lineText(rec.cells, opts.delimiter), lineInTail: rec.lineInTail });
        dataEndByte = rec.at;
        firstTrailer = rec.lineInTail;
        continue;
      }
      inTrailer = false;
    }
    if (rec.cells.length === opts.headerFields && filledCount(rec.cells) > 0) lateRows.unshift(rec.cells);
  }
  return {
    dataEndByte,
    footnotes: notes.map((n) => ({ ...n, linesBelow: n.lineInTail - (firstTrailer ?? 0) })),
    lateRows,
  };
}

/** Records of one middle chunk: only when nearly all of them have the header's field count. */
export function middleRecords(bytes: Buffer, encoding: Encoding, delimiter: string, fields: number): string[][] {
  const first = bytes.indexOf(0x0a);
  const last = bytes.lastIndexOf(0x0a);
  if (first === -1 || last <= first) return [];
  const text = iconv.decode(bytes.subarray(first + 1, last + 1), encoding);
  const records = parseRecords(text, delimiter).map((r) => r.cells);
  const fit = records.filter((cells) => cells.length === fields && filledCount(cells) > 0);
  // Started inside a quoted field, the parse comes out askew: such a chunk says nothing reliable.
  return records.length > 0 && fit.length >= records.length * 0.9 ? fit : [];
}
