// Stage 2, sniff. In: a prepared source's windows of bytes (head, middle, tail) and the encoding
// to read them in (the producer may also fix the delimiter). Out: the layout of the table — the
// dialect, title lines above the header, the header and its safe names, a column-number row,
// empty columns to drop, footnotes below the data, where the data starts and ends (bytes and
// lines), and a sample of rows from the whole file — or why there is no table (empty, no
// header, no rows, too wide, a record over 1 MB). Pure: no I/O, so reading in another encoding
// only sniffs the same bytes again.
import iconv from 'iconv-lite';
import { HEAD_BYTES, MAX_COLUMNS, MAX_FIELD_BYTES, SAMPLE_ROWS, TAIL_BYTES } from './limits';
import type { Delimiter, Encoding } from './options';
import { done, failedWith, type Staged } from './outcome';
import type { ByteWindow, PreparedSource } from './prepare';
import { problem } from './problems';
import { nameHeaders, type HeaderName } from './sniff/headers';
import { countChar, detectDelimiter, lineStarts, nthLineEnd, parseRecords } from './sniff/records';
import { bodyShape, filledCount, isTitle, lineText } from './sniff/shape';
import { middleRecords, readTrailer } from './sniff/trailer';

export { HEAD_BYTES, MAX_COLUMNS, MAX_FIELD_BYTES, SAMPLE_ROWS, TAIL_BYTES };
export { detectDelimiter, lineBreaks, parseRecords, type RawRecord } from './sniff/records';
export { detectBinary, detectEncoding, isUtf8, looksLikeXlsx } from './prepare/detect';

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
export interface Layout {
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
  /** Sampled data rows (kept fields only); `line` is 0 for rows sampled beyond the head. */
  sample: Array<{ line: number; cells: string[] }>;
  /** Every data row is in the sample (so what inference saw holds for the whole file). */
  sampledAll: boolean;
}

const COLUMN_NUMBER = /^\(\d{1,3}\)$/;

function isColumnNumberRow(cells: string[]): boolean {
  const filled = cells.map((c) => c.trim()).filter((c) => c !== '');
  return filled.length >= 2 && filled.every((c) => COLUMN_NUMBER.test(c));
}

/** The blank lines (nothing but spaces and delimiters) at the start of a text: their length and count. */
function leadingBlankLines(text: string): { chars: number; lines: number } {
  const m = /^(?:[ \t,;|]*\r?\n)*/.exec(text);
  const chars = m ? m[0].length : 0;
  return { chars, lines: chars === 0 ? 0 : countChar(text.slice(0, chars), '\n') };
}

/** The sniff stage: the layout of a prepared source read in `encoding`. */
export function sniff(source: PreparedSource, choice: { encoding: Encoding; delimiter?: Delimiter }): Staged<Layout> {
  return sniffText({
    head: source.head,
    tail: source.tail.bytes,
    tailOffset: source.tail.offset,
    size: source.size,
    middle: source.middle,
    ...choice,
  });
}

/**
 * The layout of a text file from its first bytes (`head`), its last ones (`tail`, starting at
 * `tailOffset`; the same bytes as head when the file is small) and chunks of its middle.
 */
export function sniffText(input: {
  head: Buffer;
  tail: Buffer;
  tailOffset: number;
  size: number;
  encoding: Encoding;
  delimiter?: Delimiter;
  middle?: ByteWindow[];
}): Staged<Layout> {
  const { head, tail, tailOffset, size, encoding } = input;
  const complete = head.length >= size;
  let headText = iconv.decode(head, encoding, { stripBOM: true });
  if (!complete) headText = headText.slice(0, headText.lastIndexOf('\n') + 1); // whole lines only
  if (headText.trim() === '') return failedWith('sniff', problem('empty_file', {}));
  const crlf = countChar(headText, '\r\n');
  const lf = countChar(headText, '\n');
  const cr = countChar(headText, '\r');
  const lineEnding = lf === 0 && cr > 0 ? 'cr' : crlf > 0 && crlf >= lf / 2 ? 'crlf' : 'lf';

  // Blank lines above everything (a sheet whose table starts at row 50,000) are skipped before
  // parsing: the sample's line budget and the title search start at the first line with text.
  const lead = leadingBlankLines(headText);
  const text = headText.slice(lead.chars);
  const delimiter = input.delimiter ?? detectDelimiter(text);
  // Parse only what the sample needs; the rest of the head adds time, not knowledge.
  const cut = nthLineEnd(text, SAMPLE_ROWS + 100);
  const partial = !complete || (cut > 0 && cut < text.length);
  const records = parseRecords(cut > 0 ? text.slice(0, cut) : text, delimiter).map((r) => ({ ...r, startLine: r.startLine + lead.lines, endLine: r.endLine + lead.lines }));
  if (!complete && cut <= 0) {
    // Few lines in a whole head: the bytes after the last whole record belong to one record still
    // going on; past the limit, that record is too large (and no later one could be sniffed anyway).
    const lastLine = records.at(-1)?.endLine ?? 0;
    const covered = lineStarts(head, lastLine + 1)[lastLine] ?? head.length;
    if (head.length - covered > MAX_FIELD_BYTES) {
      return failedWith('sniff', problem('field_too_large', { line: lastLine + 1, at: 'line' }, { line: lastLine + 1 }));
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
  if (h >= records.length) return failedWith('sniff', problem('no_header'));
  const header = records[h];
  if (header.cells.length > MAX_COLUMNS) {
    return failedWith('sniff', problem('too_many_columns', { columns: header.cells.length, limit: MAX_COLUMNS }));
  }
  let dataIdx = h + 1;
  const next = records[dataIdx];
  if (next && isColumnNumberRow(next.cells)) {
    skipped.push({ line: next.startLine, text: next.cells.join(delimiter), kind: 'column_numbers' });
    dataIdx++;
  }
  const dataStartLine = records[dataIdx]?.startLine ?? header.endLine + 1;
  // Line starts as far as the parsed records reach (a head of blank lines holds a million).
  const starts = lineStarts(head, (records.at(-1)?.endLine ?? 0) + 2);
  const dataStartByte = dataStartLine - 1 < starts.length ? starts[dataStartLine - 1] : head.length;

  const trailer = readTrailer({ offset: tailOffset, bytes: tail }, size, { encoding, delimiter, dataStartByte, headerFields: header.cells.length, body });
  const { dataEndByte, lateRows } = trailer;
  const dataRows = records
    .slice(dataIdx)
    .filter((r) => (starts[r.startLine - 1] ?? Infinity) < dataEndByte && filledCount(r.cells) > 0);
  if (dataRows.length === 0 && lateRows.length === 0) return failedWith('sniff', problem('no_data_rows', { headerOnly: true }));
  // Chunks of the middle, so that the sample stands for the whole file (a column may be empty
  // for the first thousands of rows, or change its habits halfway).
  const middleRows = partial
    ? (input.middle ?? [])
        .filter((c) => c.offset >= head.length && c.offset + c.bytes.length <= Math.min(dataEndByte, tailOffset))
        .flatMap((c) => middleRecords(c.bytes, encoding, delimiter, header.cells.length))
    : [];

  // Drop columns with no header and no values (Excel's trailing delimiters).
  const beyondHead = partial ? [...middleRows, ...lateRows] : [];
  const allRows = [...dataRows.map((r) => r.cells), ...beyondHead];
  const keep: number[] = [];
  header.cells.forEach((label, i) => {
    const hasValue = allRows.some((cells) => (cells[i] ?? '').trim() !== '');
    if (label.trim() !== '' || hasValue) keep.push(i);
  });
  const headers = nameHeaders(keep.map((i) => header.cells[i]));
  const pick = (cells: string[]) => keep.map((i) => cells[i] ?? '');
  const sample = [
    ...dataRows.slice(0, SAMPLE_ROWS).map((r) => ({ line: r.startLine, cells: pick(r.cells) })),
    ...beyondHead.map((cells) => ({ line: 0, cells: pick(cells) })),
  ];
  const huge = (cells: string[]) => cells.some((c) => c.length > MAX_FIELD_BYTES);
  const hugeRecord = huge(header.cells) ? header : dataRows.find((r) => huge(r.cells));
  if (hugeRecord || (partial && lateRows.some(huge))) {
    const line = hugeRecord?.startLine;
    return failedWith('sniff', problem('field_too_large', { line, at: 'field' }, { line }));
  }

  return done({
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
      ...trailer.footnotes.map((f) => ({
        text: f.text,
        kind: 'footnote' as const,
        trailerIndex: f.linesBelow,
        ...(tailOffset === 0 ? { line: f.lineInTail + 1 } : {}),
      })),
    ],
    sample,
    sampledAll: !partial && dataRows.length <= SAMPLE_ROWS,
  });
}
