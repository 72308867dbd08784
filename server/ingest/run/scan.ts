// Byte scanners that follow a CSV stream on its way into COPY: they count lines, watch record
// sizes and blank records, map rows to lines, and look for text cells that need normalizing.
import iconv from 'iconv-lite';
import type { Encoding } from '../options';
import { countLf } from '../bytes';
import { isMissing } from '../values';

export { countLf };

/**
 * Follows raw CSV bytes the way COPY reads them (every quote toggles quoting; an LF outside
 * quotes ends a record). It tells when one record grows past `limit` bytes (COPY itself has no
 * such limit, so without this a field over 1 MB beyond the sniffed head would load), notes blank
 * records (only delimiters, quotes and spaces: COPY would load them as rows of NULLs), and maps
 * rows to lines exactly, records whose quoted cells hold line breaks included.
 */
export class RecordWatch {
  private inQuote = false;
  private run = 0;
  private records = 0;
  /** LF bytes inside quotes in the current record. */
  private inner = 0;
  private offset: number;
  /** The current record has shown only blank bytes so far; where it starts in the chunk. */
  private blankSoFar = true;
  private recordStart = 0;
  /** Row → line breakpoints (see LineMap). */
  readonly breaks: Array<[number, number]>;
  /** A blank record was seen. */
  blankRecord = false;

  constructor(
    private readonly limit: number,
    firstLine = 1,
    private readonly delimiter = 0x2c,
  ) {
    this.offset = firstLine - 1;
    this.breaks = [[1, this.offset]];
  }

  /** Feeds the next chunk; true once a record is too long. */
  feed(chunk: Buffer): boolean {
    let pos = 0;
    let quote = chunk.indexOf(0x22);
    let lf = chunk.indexOf(0x0a);
    this.recordStart = 0;
    for (;;) {
      if (!this.inQuote) {
        if (lf !== -1 && lf < pos) lf = chunk.indexOf(0x0a, pos);
        if (lf !== -1 && (quote === -1 || lf < quote)) {
          if (this.run + (lf - pos) > this.limit) return true;
          this.endRecord(chunk, lf);
          pos = lf + 1;
          lf = chunk.indexOf(0x0a, pos);
          continue;
        }
      } else {
        this.inner += countLf(chunk.subarray(pos, quote === -1 ? chunk.length : quote));
      }
      if (quote === -1) {
        this.run += chunk.length - pos;
        if (this.blankSoFar) this.blankSoFar = this.blank(chunk, this.recordStart, chunk.length);
        return this.run > this.limit;
      }
      this.run += quote + 1 - pos;
      if (this.run > this.limit) return true;
      pos = quote + 1;
      this.inQuote = !this.inQuote;
      quote = chunk.indexOf(0x22, pos);
    }
  }

  /** True when bytes [from, to) are all delimiters, quotes, spaces, tabs or CRs (stops at the first other byte). */
  private blank(chunk: Buffer, from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      const b = chunk[i];
      if (b !== this.delimiter && b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x22) return false;
    }
    return true;
  }

  private endRecord(chunk: Buffer, lf: number): void {
    if (this.blankSoFar && this.blank(chunk, this.recordStart, lf)) this.blankRecord = true;
    this.blankSoFar = true;
    this.recordStart = lf + 1;
    this.records++;
    this.run = 0;
    if (this.inner > 0) {
      this.offset += this.inner;
      this.inner = 0;
      this.breaks.push([this.records + 1, this.offset]);
    }
  }
}

/** A byte as a regular-expression character (the bytes are read as Latin-1 text). */
const reByte = (b: number) => `\\x${b.toString(16).padStart(2, '0')}`;

/**
 * The suspects among a chunk read as Latin-1 (one character per byte): edge whitespace before a
 * boundary (a quote and a CR may lie between), edge whitespace or a UTF-8 no-break space after
 * one, and a short field after one whose first byte may start a missing-value spelling (the
 * UTF-8 and Windows-1252 forms of – — … included), then checked exactly. Each alternative starts
 * with its rare byte, so the engine skips ahead quickly; the boundary is a look-behind.
 */
function suspectPattern(delimiter: number): RegExp {
  const d = reByte(delimiter);
  const space = ['\\x20', '\\x09', '\\xa0'].filter((c) => c !== d).join('');
  const missingFirst = [0x2d, 0x2e, 0x23, 0x6e, 0x4e, 0xe2, 0x85, 0x96, 0x97].map(reByte).join('');
  const boundary = `[${d}\\n]"?`;
  return new RegExp(
    `[${space}](?:(?<=${boundary}.)|(?="?(?:${d}|\\r?\\n)))` +
      `|\\xc2\\xa0(?<=${boundary}..)` +
      `|[${missingFirst}](?<=${boundary}.)[^${d}\\n\\r"]{0,5}(?=[${d}\\n\\r"])`,
    'g',
  );
}

/**
 * A quick look at raw CSV bytes for cells the validating path would change: whitespace next to a
 * field boundary, or a short field spelled like a missing value. It looks only at the bytes
 * beside each delimiter and line break, and may say yes for cells that are fine (a ", " inside a
 * quoted address): it only decides whether the exact check in SQL is worth running. The bytes are
 * searched with one regular expression (a loop over bytes, or a native search per boundary,
 * costs several times more on the fast path's CPU budget).
 */
export class TextSuspects {
  found = false;
  /** Bytes not yet scanned (and a few before them, to look back from a boundary). */
  private carry = Buffer.from([0x0a]); // the data starts at a field boundary
  private scanFrom = 0;
  private readonly pattern: RegExp;

  constructor(
    delimiter: number,
    private readonly encoding: Encoding,
  ) {
    this.pattern = suspectPattern(delimiter);
  }

  /** Feeds the next chunk of the data's bytes (`last` for the final one). */
  feed(chunk: Buffer, last = false): void {
    if (this.found) return;
    const buf = Buffer.concat([this.carry, chunk]);
    // Matches in the last few bytes are looked at with the next chunk, which holds what follows.
    const scanTo = last ? buf.length : Math.max(this.scanFrom, buf.length - 8);
    const text = buf.toString('latin1');
    const re = this.pattern;
    re.lastIndex = this.scanFrom;
    for (let m = re.exec(text); m !== null && m.index < scanTo; m = re.exec(text)) {
      const first = text.charCodeAt(m.index);
      const spelled = first !== 0x20 && first !== 0x09 && first !== 0xa0 && first !== 0xc2;
      if (!spelled || isMissing(iconv.decode(buf.subarray(m.index, m.index + m[0].length), this.encoding))) {
        this.found = true;
        return;
      }
    }
    const keep = Math.max(0, scanTo - 4);
    this.carry = Buffer.from(buf.subarray(keep));
    this.scanFrom = scanTo - keep;
  }

  /** Ends the data (as if with a line break, so its last field is checked too). */
  finish(): void {
    this.feed(Buffer.from([0x0a]), true);
  }
}
