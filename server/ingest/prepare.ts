// Stage 1, prepare. In: the stored upload (path, name) and the producer's choices of sheet and
// encoding. Out: a prepared source — a text file the later stages can read (the upload itself,
// or a UTF-8 copy: an XLSX sheet, UTF-16, CR-only line ends), its encoding, the windows of bytes
// the sniffer looks at (head, chunks of the middle, tail), and what the raw file was — or the
// reason it cannot be read (empty, binary, a broken or hostile workbook).
import fs from 'node:fs';
import iconv from 'iconv-lite';
import { HEAD_BYTES, MIDDLE_CHUNK_BYTES, MIDDLE_CHUNKS, TAIL_BYTES } from './limits';
import type { Encoding, LoadOptions } from './options';
import { done, failedWith, type Staged } from './outcome';
import { detectBinary, detectEncoding, isByteEncoding, looksLikeXlsx } from './prepare/detect';
import { readRange, toUtf8 } from './prepare/utf8';
import { xlsxToCsv, XlsxRefused, type XlsxLimits } from './prepare/xlsx';
import { problem } from './problems';

/** A window of a file's bytes. */
export interface ByteWindow {
  offset: number;
  bytes: Buffer;
}

/** What the later stages read. */
export interface PreparedSource {
  /** The text file to load: the upload, or its UTF-8 copy. */
  file: string;
  size: number;
  /** The encoding of `file` as detected (or chosen by the producer). */
  encoding: Encoding;
  /** What the raw file was: a workbook and its sheets, or the line ends of a converted text. */
  origin: { format?: 'xlsx'; sheets?: string[]; sheet?: string; line_ending?: 'cr' | 'crlf' | 'lf'; converted_from?: Encoding };
  head: Buffer;
  /** The last bytes of the file, from `tail.offset` (the head again when the file is small). */
  tail: ByteWindow;
  /** Chunks between head and tail, for a sample that stands for the whole file. */
  middle: ByteWindow[];
}

export interface PrepareInput {
  file: string;
  filename: string;
  options: Pick<LoadOptions, 'sheet' | 'encoding'>;
  /** Where converted copies are written. */
  derivedPath: (suffix: string) => string;
  xlsxLimits?: XlsxLimits;
}

/** Where the middle chunks of a file of `size` bytes start (none when head and tail cover it). */
export function middleOffsets(size: number): number[] {
  const from = HEAD_BYTES;
  const to = size - TAIL_BYTES - MIDDLE_CHUNK_BYTES;
  if (to <= from) return [];
  return Array.from({ length: MIDDLE_CHUNKS }, (_, i) => Math.round(from + ((to - from) * (i + 0.5)) / MIDDLE_CHUNKS));
}

/** Turns an upload into a prepared source (see the top of this file). */
export async function prepare(input: PrepareInput): Promise<Staged<PreparedSource>> {
  let file = input.file;
  let size = (await fs.promises.stat(file)).size;
  if (size === 0) return failedWith('prepare', problem('empty_file', {}));
  let head = await readRange(file, 0, Math.min(size, HEAD_BYTES));
  const origin: PreparedSource['origin'] = {};

  if (looksLikeXlsx(head, input.filename)) {
    // Not named after the sheet: a workbook's sheet names are the uploader's text ("../..").
    const out = input.derivedPath('sheet.csv');
    let sheet;
    try {
      sheet = await xlsxToCsv(file, out, input.options.sheet, input.xlsxLimits);
    } catch (err) {
      fs.rmSync(out, { force: true });
      return failedWith('prepare', problem(err instanceof XlsxRefused ? err.code : 'bad_xlsx'));
    }
    if (sheet === null) return failedWith('prepare', problem('no_such_sheet', { sheet: String(input.options.sheet) }));
    Object.assign(origin, { format: 'xlsx', sheets: sheet.sheets, sheet: sheet.sheet });
    file = out;
    size = (await fs.promises.stat(file)).size;
    if (size === 0) return failedWith('prepare', problem('empty_file', { sheet: sheet.sheet }));
    head = await readRange(file, 0, Math.min(size, HEAD_BYTES));
  }

  let encoding: Encoding = input.options.encoding ?? detectEncoding(head).encoding;
  if (isByteEncoding(encoding)) {
    const binary = detectBinary(head);
    if (binary) return failedWith('prepare', binary);
  }
  const crOnly = !head.includes(0x0a) && head.includes(0x0d);
  if (!isByteEncoding(encoding) || crOnly) {
    const out = input.derivedPath('utf8.csv');
    // The copy has LF line ends: note the raw file's own.
    origin.line_ending = crOnly ? 'cr' : iconv.decode(head, encoding).includes('\r\n') ? 'crlf' : 'lf';
    origin.converted_from = encoding;
    await toUtf8(file, encoding, out);
    file = out;
    encoding = 'utf-8';
    size = (await fs.promises.stat(file)).size;
    head = await readRange(file, 0, Math.min(size, HEAD_BYTES));
    // UTF-16 is full of zero bytes, so it is checked for binary content once it is UTF-8 (a NUL
    // character would otherwise reach the header's label and PostgreSQL, which refuses it).
    const binary = detectBinary(head);
    if (binary) return failedWith('prepare', binary);
  }

  const tailOffset = size > HEAD_BYTES ? size - TAIL_BYTES : 0;
  const tail = { offset: tailOffset, bytes: tailOffset > 0 ? await readRange(file, tailOffset, TAIL_BYTES) : head };
  const middle = await Promise.all(middleOffsets(size).map(async (offset) => ({ offset, bytes: await readRange(file, offset, MIDDLE_CHUNK_BYTES) })));
  return done({ file, size, encoding, origin, head, tail, middle });
}
