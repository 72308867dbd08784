import { to as copyTo, type CopyToStreamQuery } from 'pg-copy-streams';

// Backend message codes of a COPY TO (PostgreSQL's frontend/backend protocol, "COPY Operations").
const COPY_DATA = 0x64; // d
const ERROR_RESPONSE = 0x45; // E
// Messages that may come before or between CopyData: CopyOutResponse, ParameterStatus,
// NoticeResponse, NotificationResponse. Any other one (CopyDone) ends the copy.
const PASSING = new Set([0x48, COPY_DATA, 0x53, 0x4e, 0x41]);

/** Moves `len` bytes of `buf` from `from` down to `to` (short runs byte by byte: cheaper than a native call). */
function moveBytes(buf: Buffer, to: number, from: number, len: number): void {
  if (len > 128) {
    buf.copyWithin(to, from, from + len);
    return;
  }
  for (let k = 0; k < len; k++) buf[to + k] = buf[from + k];
}

/** What one chunk of a COPY TO's messages held. */
export interface CopyOutPart {
  /** The CopyData payloads of the chunk, in order (a view into the chunk). */
  data: Buffer;
  /** `done` after CopyDone (or another message that ends the copy), `error` at an ErrorResponse. */
  end: 'done' | 'error' | null;
  /** Once ended: the bytes after the copy's end (from the ErrorResponse on), which are the driver's. */
  rest: Buffer;
}

/**
 * The CopyData payloads of a COPY TO's message stream, taken out of each chunk in place: the
 * payloads are moved down over the 5-byte message headers, so a chunk becomes one buffer of
 * CSV with no allocation per row (a row is one message; pg-copy-streams' own parser makes a
 * buffer of each, which cost a million-row download more CPU than the rest of its path).
 * Headers split across chunks are carried over.
 */
export class CopyOutFrames {
  private header = Buffer.alloc(5);
  private headerFill = 0;
  private code = 0;
  private unread = 0;

  feed(chunk: Buffer): CopyOutPart {
    const n = chunk.length;
    let r = 0;
    let w = 0;
    while (r < n) {
      if (this.unread > 0) {
        const take = Math.min(this.unread, n - r);
        if (this.code === COPY_DATA) {
          if (w !== r) moveBytes(chunk, w, r, take);
          w += take;
        }
        r += take;
        this.unread -= take;
        if (this.unread === 0 && !PASSING.has(this.code)) return { data: chunk.subarray(0, w), end: 'done', rest: chunk.subarray(r) };
        continue;
      }
      if (this.headerFill === 0 && chunk[r] === ERROR_RESPONSE) return { data: chunk.subarray(0, w), end: 'error', rest: chunk.subarray(r) };
      if (this.headerFill === 0 && n - r >= 5) {
        // The whole header in this chunk (nearly always): read it where it is.
        this.code = chunk[r];
        this.unread = ((chunk[r + 1] << 24) >>> 0) + (chunk[r + 2] << 16) + (chunk[r + 3] << 8) + chunk[r + 4] - 4;
        r += 5;
      } else {
        const take = Math.min(5 - this.headerFill, n - r);
        chunk.copy(this.header, this.headerFill, r, r + take);
        this.headerFill += take;
        r += take;
        if (this.headerFill < 5) break;
        this.headerFill = 0;
        this.code = this.header[0];
        this.unread = this.header.readUInt32BE(1) - 4;
      }
      if (this.unread === 0 && !PASSING.has(this.code)) return { data: chunk.subarray(0, w), end: 'done', rest: chunk.subarray(r) };
    }
    return { data: chunk.subarray(0, w), end: null, rest: chunk.subarray(n) };
  }
}

/** The parts of pg-copy-streams' COPY TO stream used here (it attaches to the connection, detaches and hands the rest back to the driver). */
interface CopyToInternals extends CopyToStreamQuery {
  _buffer: { push(b: Buffer): void };
  _detach(): void;
  _cleanup(): void;
}
const CopyToStream = Object.getPrototypeOf(copyTo('')).constructor as new (text: string) => CopyToInternals;

/** A COPY TO stream as pg-copy-streams', with its per-message parsing replaced by CopyOutFrames. */
class FastCopyToStream extends CopyToStream {
  private frames = new CopyOutFrames();

  _parse(chunk: Buffer): boolean | undefined {
    const { data, end, rest } = this.frames.feed(chunk);
    if (end === 'error') {
      // As pg-copy-streams does: the driver reads the error (and the stream gets it from there).
      this._buffer.push(rest);
      this._detach();
      return undefined;
    }
    const drained = data.length ? this.push(data) : true;
    if (end === 'done') {
      this._buffer.push(rest);
      this._detach();
      this.push(null);
      this._cleanup();
    }
    return drained;
  }
}

/** `COPY … TO STDOUT` as a readable stream of its output, for `client.query()`. */
export function copyOut(sql: string): CopyToStreamQuery {
  return new FastCopyToStream(sql);
}
