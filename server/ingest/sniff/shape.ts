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

/** The body's shape from a run of records (blank ones left out). */
export function bodyShape(records: string[][]): BodyShape {
  const filled = records.filter((cells) => filledCount(cells) > 0);
  return {
    fields: mode(filled.map((c) => c.length)),
    filled: mode(filled.map(filledCount)),
    values: mode(filled.map(valueCount)),
  };
}

/** The filled cells of a line around the table as one text ("Tabel 3. …, 2021-2024"). */
export function lineText(cells: string[], delimiter: string): string {
  const parts = cells.map((c) => c.trim()).filter((c) => c !== '');
  return parts.join(delimiter === '\t' ? ' ' : `${delimiter} `);
}

/**
 * A title line above the header, judged by its shape against the body's and by its text: one
 * filled cell over a wider table; or fewer filled cells than the body's and words rather than
 * values, with either a blank line under it and at most half the body's cells, or a field count
 * of its own and, past other lines like it, a blank line or a header (as full as the body, with
 * fewer values than its rows) before the data. `following` are the records under it.
 */
export function isTitle(cells: string[], following: string[][], body: BodyShape): boolean {
  const filled = filledCount(cells);
  if (filled === 0 || body.filled < 2) return false;
  if (filled === 1) return true;
  if (filled >= body.filled || !startsWithWords(cells)) return false;
  const nextBlank = following.length > 0 && filledCount(following[0]) === 0;
  if (nextBlank && filled * 2 <= body.filled) return true;
  if (cells.length === body.fields) return false;
  for (const r of following.slice(0, 10)) {
    const f = filledCount(r);
    if (f === 0) return true;
    if (f >= body.filled) return valueCount(r) < body.values;
    const titleLike = startsWithWords(r) && (f === 1 || r.length !== body.fields);
    if (!titleLike) return false;
  }
  return false;
}

/** Marked notes: `Sumber …`, `Keterangan …`, `*) …`, `1) …`. */
const NOTE_MARK = /^\s*(sumber|source|keterangan|ket\.?|catatan|note|notes|\*|\d{1,2}[).]|[a-z]\))/i;
/** A note that names itself ("Sumber: BPS, diolah"): a note however many cells it fills. */
const LABELLED_NOTE = /^\s*(sumber|source|keterangan|ket\.|catatan|note|notes)\s*:/i;

/**
 * A footnote below the data (read upwards from the end; `belowIsNote` when a footnote lies under
 * it), judged by its text and shape: a labelled note; a single filled cell that is marked, lies
 * above another note, or has fewer fields than the header; or a marked line (or one above
 * another note) of words with fewer fields and cells than the body's and no values.
 */
export function isFootnote(cells: string[], headerFields: number, belowIsNote: boolean, body: BodyShape): boolean {
  const filled = filledCount(cells);
  if (filled === 0) return false;
  const first = cells.find((c) => c.trim() !== '') ?? '';
  if (LABELLED_NOTE.test(first)) return true;
  const marked = NOTE_MARK.test(first);
  if (filled === 1 && cells[0].trim() !== '') return marked || belowIsNote || cells.length < headerFields;
  const ownShape = cells.length !== body.fields && filled < body.filled && valueCount(cells) === 0;
  return ownShape && startsWithWords(cells) && (marked || belowIsNote);
}
