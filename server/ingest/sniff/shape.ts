// What a record looks like, for telling the lines around a table (titles above it, notes below
// it) from the table itself by their shape and their text, never by their position alone.
import { normalizeDate, numberEvidence } from '../values';

/** Cells with something in them. */
export function filledCount(cells: string[]): number {
  let n = 0;
  for (const c of cells) if (c.trim() !== '') n++;
  return n;
}

const YEAR = /^(19|20)\d{2}$/;

/**
 * Cells that read as values rather than words: numbers and dates. A bare year is not counted,
 * as headers of wide tables (`2021`, `2022`) are years too.
 */
export function valueCount(cells: string[]): number {
  let n = 0;
  for (const raw of cells) {
    const c = raw.trim();
    if (c === '' || YEAR.test(c)) continue;
    if (numberEvidence(c).numeric || normalizeDate(c) !== null) n++;
  }
  return n;
}

/** The first filled cell has letters in it: words, as a title or a note has. */
export function startsWithWords(cells: string[]): boolean {
  const first = cells.find((c) => c.trim() !== '');
  return first !== undefined && /\p{L}/u.test(first);
}

/** The usual shape of the records of a table's body. */
export interface BodyShape {
  /** The most common number of fields. */
  fields: number;
  /** The most common number of filled cells. */
  filled: number;
  /** The most common number of value cells. */
  values: number;
}

function mode(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = 0;
  let hits = -1;
  for (const [v, n] of counts) if (n > hits || (n === hits && v > best)) [best, hits] = [v, n];
  return best;
}

/**
 * The body's shape from a run of records (blank ones and labelled notes left out). In a short
 * file, titles and notes of one cell can outnumber the rows: the rows of two or more filled cells
 * make the shape when there are at least two of them (a header and a row).
 */
export function bodyShape(records: string[][]): BodyShape {
  const filled = records.filter((cells) => filledCount(cells) > 0 && !LABELLED_NOTE.test(cells.find((c) => c.trim() !== '') ?? ''));
  const wide = filled.filter((cells) => filledCount(cells) >= 2);
  const rows = wide.length >= 2 ? wide : filled;
  return {
    fields: mode(rows.map((c) => c.length)),
    filled: mode(rows.map(filledCount)),
    values: mode(rows.map(valueCount)),
  };
}

/** The filled cells of a line around the table as one text ("Tabel 3. …, 2021-2024"). */
export function lineText(cells: string[], delimiter: string): string {
  const parts = cells.map((c) => c.trim()).filter((c) => c !== '');
  return parts.join(delimiter === '\t' ? ' ' : `${delimiter} `);
}

/**
 * A title line above the header, judged by its shape against the body's and by its text: one
 * filled cell over a wider table; or words rather than values, with a blank line under it and
 * either at most half the body's cells or a header after the blank; or fewer filled cells than
 * the body's and a field count of its own and, past other lines like it, a blank line or a header
 * (as full as the body, with fewer values than the rows under it) before the data. `following`
 * are the records under it.
 */
export function isTitle(cells: string[], following: string[][], body: BodyShape): boolean {
  const filled = filledCount(cells);
  if (filled === 0 || body.filled < 2) return false;
  if (filled === 1) return true;
  if (!startsWithWords(cells)) return false;
  // The header is the full row with fewer values than the rows under it (in a short file the
  // body's usual count of values is the title's and the header's own, so the rows say it).
  const isHeader = (i: number) => {
    const r = following[i];
    if (!r) return false;
    const below = following.slice(i + 1, i + 6).filter((x) => filledCount(x) > 0);
    // Full, or as wide as the body and fuller than this line (a header with some empty names).
    const full = filledCount(r) >= body.filled || (r.length === body.fields && filledCount(r) > filled);
    return full && valueCount(r) < Math.max(body.values, ...below.map(valueCount));
  };
  const nextBlank = following.length > 0 && filledCount(following[0]) === 0;
  if (nextBlank) {
    const after = following.findIndex((r) => filledCount(r) > 0);
    // As full as the rows (the title's text holds the delimiter): a header of words must follow.
    if (filled * 2 <= body.filled || (after > 0 && isHeader(after))) return true;
  }
  if (filled >= body.filled) return false;
  if (cells.length === body.fields) return false;
  for (let i = 0; i < Math.min(10, following.length); i++) {
    const r = following[i];
    const f = filledCount(r);
    if (f === 0) return true;
    if (f >= body.filled || (r.length === body.fields && f > filled)) return isHeader(i);
    const titleLike = startsWithWords(r) && (f === 1 || r.length !== body.fields);
    if (!titleLike) return false;
  }
  return false;
}

/** Marked notes: `Sumber …`, `Keterangan …`, `*) …`, `1) …`. */
// `1.` and `2)` mark notes; `12.5` and `1.234` are values, so a digit may not follow the mark.
const NOTE_MARK = /^\s*(sumber|source|keterangan|ket\.?|catatan|note|notes|\*|\d{1,2}[).](?!\d)|[a-z]\))/i;
/** A note that names itself ("Sumber: BPS, diolah"): a note however many cells it fills. */
export const LABELLED_NOTE = /^\s*(sumber|source|keterangan|ket\.|catatan|note|notes)\s*:/i;

/**
 * A footnote below the data (read upwards from the end; `belowIsNote` when a footnote lies under
 * it), judged by its text and shape: a labelled note; a single filled cell that is not a value and
 * is marked, or (in a table wider than one column) lies above another note or has fewer fields
 * than the header; or a marked line (or one above another note) of words with fewer fields and
 * cells than the body's and no values.
 */
export function isFootnote(cells: string[], headerFields: number, belowIsNote: boolean, body: BodyShape): boolean {
  const filled = filledCount(cells);
  if (filled === 0) return false;
  const first = cells.find((c) => c.trim() !== '') ?? '';
  if (LABELLED_NOTE.test(first)) return true;
  const marked = NOTE_MARK.test(first);
  // In a one-column table every row has one filled cell: there only a mark makes a note. A value
  // (a number, a date) alone in its row is data, whatever lies below it.
  if (filled === 1 && cells[0].trim() !== '') {
    if (valueCount(cells) > 0) return false;
    return marked || (headerFields > 1 && (belowIsNote || cells.length < headerFields));
  }
  const ownShape = cells.length !== body.fields && filled < body.filled && valueCount(cells) === 0;
  return ownShape && startsWithWords(cells) && (marked || belowIsNote);
}
