// Where a large clean file is cut in two for the parallel fast path: at a record boundary
// near its middle, found by counting quote characters (a split inside a quoted field would
// misread both halves).
import fs from 'node:fs';
import { countLf, countQuotes } from '../bytes';

/** Data ranges from this size on are loaded in two parts at once (one per core). */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/** Beyond this many quote characters, finding a safe split costs more than it saves. */
const MAX_SPLIT_QUOTES = 1_000_000;

/**
 * A record boundary near the middle of [start, end): the first line break past the middle with
 * an even number of quote characters before it (so not inside a quoted field), and how many line
 * breaks lie before the split. Null when there is none, or quotes are too many to count cheaply.
 */
export async function findSplit(file: string, start: number, end: number): Promise<{ at: number; linesBefore: number } | null> {
  const mid = start + Math.floor((end - start) / 2);
  let quotes = 0;
  let lfs = 0;
  let pos = start;
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    while (pos < end) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) return null;
      const chunk = buf.subarray(0, bytesRead);
      if (pos + bytesRead <= mid) {
        quotes += countQuotes(chunk, 0, bytesRead);
        lfs += countLf(chunk);
      } else {
        // Up to the middle in one count; from there, line break by line break.
        let from = Math.max(0, mid - pos);
        quotes += countQuotes(chunk, 0, from);
        lfs += countLf(chunk.subarray(0, from));
        for (let i = chunk.indexOf(0x0a, from); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
          quotes += countQuotes(chunk, from, i);
          from = i;
          lfs++;
          if (quotes % 2 === 0) return pos + i + 1 < end ? { at: pos + i + 1, linesBefore: lfs } : null;
        }
        quotes += countQuotes(chunk, from, bytesRead);
      }
      if (quotes > MAX_SPLIT_QUOTES) return null;
      pos += bytesRead;
    }
    return null;
  } finally {
    await fh.close();
  }
}

