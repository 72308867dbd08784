// CSV text into records with their line numbers, and the delimiter that fits a text best.
import { parse } from 'csv-parse/sync';
import type { Delimiter } from '../options';
import { DELIMITERS } from '../options';
import { filledCount, LABELLED_NOTE } from './shape';

/** One parsed record with the physical lines it spans (1-based). */
export interface RawRecord {
  cells: string[];
  startLine: number;
  endLine: number;
}

/** How many LF line breaks the cells of one record hold (a record spans that many more lines). */
export function lineBreaks(cells: string[]): number {
  let n = 0;
  for (const c of cells) for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The text with every run of blank lines (nothing but spaces or tabs) read as one blank line, and
 * where those runs were: `[line, extra]`, the run's kept line (1-based, in the squeezed text) and
 * how many lines of it were dropped. csv-parse builds an error object for every record whose field
 * count differs from the first one's, blank lines included, even when told to let it pass: a
 * 1 MB file of a million blank lines held the event loop for 24 s in the sniff alone.
 */
export function squeezeBlankRuns(text: string): { text: string; gaps: Array<[line: number, extra: number]> } {
  const gaps: Array<[number, number]> = [];
  const parts: string[] = [];
  let kept = 0; // start of the text not yet copied
  let line = 1; // line number (squeezed) of the line starting at `at`
  let runStart = -1; // start of the run's second blank line, while in a run
  let runLine = 0;
  let extra = 0;
  for (let at = 0; at < text.length;) {
    const nl = text.indexOf('\n', at);
    const end = nl === -1 ? text.length : nl;
    let blank = nl !== -1;
    for (let i = at; blank && i < end; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && !(c === 0x0d && i === end - 1)) blank = false;
    }
    if (blank && runLine > 0) {
      if (runStart < 0) runStart = at;
      extra++;
    } else {
      if (extra > 0) {
        parts.push(text.slice(kept, runStart));
        kept = at;
        gaps.push([runLine, extra]);
        line -= extra;
      }
      runStart = -1;
      extra = 0;
      runLine = blank ? line : 0;
    }
    if (nl === -1) break;
    at = nl + 1;
    line++;
  }
  if (extra > 0) {
    parts.push(text.slice(kept, runStart));
    kept = text.length;
    gaps.push([runLine, extra]);
  }
  if (gaps.length === 0) return { text, gaps };
  parts.push(text.slice(kept));
  return { text: parts.join(''), gaps };
}

/** Parses CSV text leniently (ragged rows allowed), keeping line numbers; stops at a broken quote. */
export function parseRecords(raw: string, delimiter: string, limit = Infinity): RawRecord[] {
  const { text, gaps } = squeezeBlankRuns(raw);
  const opts = {
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    bom: true,
    ...(Number.isFinite(limit) ? { to: limit } : {}),
  };
  let rows: string[][];
  // csv-parse builds an error (with a stack) for every record whose field count differs from the
  // first's, even when told to let it pass: a head of blank lines made that most of the sniff's
  // time. Without stacks those errors cost a third as much.
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    rows = parse(text, opts);
  } catch (err) {
    // A quoted field cut by the end of the sniffed bytes: keep the records before it.
    const line = (err as { lines?: number }).lines;
    if (!line || line <= 1) return [];
    try {
      rows = parse(text, { ...opts, to_line: line - 1 });
    } catch {
      return [];
    }
  } finally {
    Error.stackTraceLimit = stackLimit;
  }
  const out: RawRecord[] = [];
  let prevEnd = 0;
  // Squeezed runs give their lines back: `before` the lines dropped above the record's first line.
  let g = 0;
  let before = 0;
  for (const cells of rows) {
    // Lines are counted from the cells, not from csv-parse's line count: inside a quoted field
    // it counts CR and LF each as a line, so a CRLF there would count twice.
    const start = prevEnd + 1;
    const end = start + lineBreaks(cells);
    while (g < gaps.length && gaps[g][0] < start) before += gaps[g++][1];
    let within = 0;
    for (let k = g; k < gaps.length && gaps[k][0] <= end; k++) within += gaps[k][1];
    out.push({ cells, startLine: start + before, endLine: end + before + within });
    prevEnd = end;
  }
  return out;
}

/** Index just past the n-th newline of `text` (or -1 when it has fewer lines). */
export function nthLineEnd(text: string, n: number): number {
  let i = -1;
  for (let k = 0; k < n; k++) {
    i = text.indexOf('\n', i + 1);
    if (i === -1) return -1;
  }
  return i + 1;
}

/** Byte offsets at which each line starts (lines split on LF), the first `max` lines at most. */
export function lineStarts(buf: Buffer, max = Infinity): number[] {
  const starts = [0];
  for (let i = buf.indexOf(0x0a); i !== -1 && starts.length < max; i = buf.indexOf(0x0a, i + 1)) starts.push(i + 1);
  return starts;
}

/** How many times `ch` occurs in `text` (counted without building a list of matches). */
export function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/** The delimiter that splits the records most consistently into more than one field. */
export function detectDelimiter(text: string): Delimiter {
  // 200 records are plenty to tell; parsing more only costs time.
  const cut = nthLineEnd(text, 200);
  const head = cut > 0 ? text.slice(0, cut) : text;
  let best: { d: Delimiter; score: number; width: number } = { d: ',', score: -1, width: 1 };
  for (const d of DELIMITERS) {
    // Notes that name themselves (`Sumber: BPS, 2024`) are not the table: in a short file their
    // commas would outvote the rows' own delimiter.
    const recs = parseRecords(head, d, 200).filter((r) => filledCount(r.cells) > 0 && !LABELLED_NOTE.test(r.cells[0] ?? ''));
    if (recs.length === 0) continue;
    // Records of one field (titles, notes) do not vote: in a short file they can outnumber the rows.
    const counts = new Map<number, number>();
    for (const r of recs) if (r.cells.length >= 2) counts.set(r.cells.length, (counts.get(r.cells.length) ?? 0) + 1);
    if (counts.size === 0) continue;
    const [width, hits] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
    const score = hits / recs.length;
    if (score > best.score + 1e-9 || (Math.abs(score - best.score) < 1e-9 && width > best.width)) {
      best = { d, score, width };
    }
  }
  return best.d;
}
