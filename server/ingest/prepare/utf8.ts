// A UTF-8 copy of a text file the other stages cannot read as it is.
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import type { Encoding } from '../options';

/** Re-encodes a file as UTF-8 with LF line ends (for UTF-16 and old Mac CR-only files). */
export async function toUtf8(file: string, encoding: Encoding, out: string): Promise<void> {
  let lastCr = false;
  const fixCr = new Transform({
    transform(chunk: Buffer, _e, cb) {
      // Each chunk of the encoder holds whole characters.
      let s = chunk.toString('utf8');
      if (lastCr && s.startsWith('\n')) s = s.slice(1);
      lastCr = s.endsWith('\r');
      cb(null, s.replace(/\r\n?/g, '\n'));
    },
  });
  await pipeline(fs.createReadStream(file), iconv.decodeStream(encoding), iconv.encodeStream('utf-8'), fixCr, fs.createWriteStream(out));
}

/** Bytes [start, start + length) of a file (fewer at its end). */
export async function readRange(file: string, start: number, length: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
