// What a file is, from its first bytes: a workbook, a binary file, or text in some encoding.
import chardet from 'chardet';
import type { Encoding } from '../options';
import { problem, type Problem } from '../problems';

const MAGIC: Array<[number[], string]> = [
  [[0x25, 0x50, 0x44, 0x46], 'PDF'],
  [[0x1f, 0x8b], 'GZIP'],
  [[0x89, 0x50, 0x4e, 0x47], 'PNG'],
  [[0xff, 0xd8, 0xff], 'JPEG'],
  [[0x50, 0x4b, 0x03, 0x04], 'ZIP'],
];

/** Why a file is not a text table, or null when it looks like one. */
export function detectBinary(head: Buffer): Problem | null {
  if (head.length >= 4 && head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) return problem('legacy_xls');
  for (const [bytes, kind] of MAGIC) {
    if (bytes.every((b, i) => head[i] === b)) return problem('binary_file', { kind });
  }
  let control = 0;
  for (const b of head) {
    if (b === 0) return problem('binary_file', {});
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return head.length > 0 && control / head.length > 0.005 ? problem('binary_file', {}) : null;
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

/** Encodings whose bytes COPY and the byte scanners read as they are (one byte per ASCII character). */
export function isByteEncoding(e: Encoding): boolean {
  return e === 'utf-8' || e === 'windows-1252' || e === 'iso-8859-1';
}
