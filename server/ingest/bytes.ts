// Counting bytes of a CSV chunk without decoding it.

/** The number of LF bytes in a chunk (the data's physical lines, counted as it streams by). */
export function countLf(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Quote characters in chunk[from, to) (searched within that range only, not to the chunk's end). */
export function countQuotes(chunk: Buffer, from: number, to: number): number {
  const range = chunk.subarray(from, to);
  let n = 0;
  for (let i = range.indexOf(0x22); i !== -1; i = range.indexOf(0x22, i + 1)) n++;
  return n;
}
