import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { withClient } from '../db/knex';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteIdent, tableSql } from '../db/datastore';
import type { InferredColumn } from './infer';
import type { Encoding } from './options';
import { EXAMPLES_PER_CODE, type ReportBuilder } from './report';
import { RegionTally } from './regions';
import { lineOf, type LineMap } from './lines';
import { lineBreaks, MAX_FIELD_BYTES, type Sniffed } from './sniff';
import { isMissing, MISSING_SPELLINGS, normalizeCell, normalizeNumber, TRIM_CHARS } from './values';

/** The number of LF bytes in a chunk (the data's physical lines, counted as it streams by). */
function countLf(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * Thrown by the fast path for what COPY would take but the validating path must handle: a record
 * longer than MAX_FIELD_BYTES (reported there) or a blank record (skipped there, with a warning).
 */
export class FastPathRefused extends Error {
  constructor(readonly reason: 'record_too_large' | 'blank_record') {
    super(reason);
  }
}

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

/** First bytes of the missing-value spellings (UTF-8 and Windows-1252 forms of – — …). */
const MISSING_FIRST = new Set([0x2d, 0x2e, 0x23, 0x6e, 0x4e, 0xe2, 0x85, 0x96, 0x97]);
const EDGE_SPACE = new Set([0x20, 0x09, 0xa0]);

/**
 * A quick look at raw CSV bytes for cells the validating path would change: whitespace next to a
 * field boundary, or a short field spelled like a missing value. It looks only at the bytes
 * beside each delimiter and line break, and may say yes for cells that are fine (a ", " inside a
 * quoted address): it only decides whether the exact check in SQL is worth running.
 */
export class TextSuspects {
  found = false;
  /** Bytes not yet scanned (and a few before them, to look back from a boundary). */
  private carry = Buffer.from([0x0a]); // the data starts at a field boundary
  private scanFrom = 0;

  constructor(
    private readonly delimiter: number,
    private readonly encoding: Encoding,
  ) {}

  /** Feeds the next chunk of the data's bytes (`last` for the final one). */
  feed(chunk: Buffer, last = false): void {
    if (this.found) return;
    const buf = Buffer.concat([this.carry, chunk]);
    // Boundaries in the last few bytes are checked with the next chunk, which holds what follows.
    const scanTo = last ? buf.length : Math.max(this.scanFrom, buf.length - 8);
    for (const b of [this.delimiter, 0x0a]) {
      for (let i = buf.indexOf(b, this.scanFrom); i !== -1 && i < scanTo; i = buf.indexOf(b, i + 1)) {
        if (this.suspect(buf, i)) {
          this.found = true;
          return;
        }
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

  /** Checks the end of the field before boundary `i` and the start of the field after it. */
  private suspect(buf: Buffer, i: number): boolean {
    let r = i - 1;
    if (buf[i] === 0x0a && buf[r] === 0x0d) r--;
    if (buf[r] === 0x22) r--;
    if (r >= 0 && buf[r] !== this.delimiter && EDGE_SPACE.has(buf[r])) return true;
    let q = i + 1;
    if (buf[q] === 0x22) q++;
    const c = buf[q];
    if (c !== this.delimiter && EDGE_SPACE.has(c)) return true;
    if (c === 0xc2 && buf[q + 1] === 0xa0) return true; // a no-break space in UTF-8
    if (!MISSING_FIRST.has(c)) return false;
    for (let k = q; k < q + 6 && k < buf.length; k++) {
      const e = buf[k];
      if (e === this.delimiter || e === 0x0a || e === 0x0d || e === 0x22) {
        return isMissing(iconv.decode(buf.subarray(q, k), this.encoding));
      }
    }
    return false;
  }
}

/** Progress callback: bytes of the file read so far, rows (the fast path: lines) read so far. */
export type OnProgress = (bytes: number, rows: number) => void;

export { lineOf, type LineMap } from './lines';

const PG_ENCODING: Partial<Record<Encoding, string>> = {
  'utf-8': 'UTF8',
  'windows-1252': 'WIN1252',
  'iso-8859-1': 'LATIN1',
};

/** Names of the placeholder columns that absorb dropped fields during a fast COPY. */
export function placeholderNames(sniffed: Sniffed): Map<number, string> {
  const kept = new Set(sniffed.keep);
  const out = new Map<number, string>();
  for (let i = 0; i < sniffed.fieldCount; i++) if (!kept.has(i)) out.set(i, `_skip_${i}`);
  return out;
}

/** The COPY statement of the fast path: the raw bytes, as they are, into the typed columns. */
function fastCopySql(table: string, sniffed: Sniffed, columns: InferredColumn[], encoding: Encoding): string {
  const placeholders = placeholderNames(sniffed);
  const byIndex = new Map(columns.map((c) => [c.index, c.name]));
  const fieldNames: string[] = [];
  for (let i = 0; i < sniffed.fieldCount; i++) fieldNames.push(byIndex.get(i) ?? placeholders.get(i)!);
  const delimiter = sniffed.delimiter === '\t' ? 'E\'\\t\'' : `'${sniffed.delimiter}'`;
  const forceNull = columns.map((c) => quoteIdent(c.name)).join(', ');
  return (
    `COPY ${tableSql(table)} (${fieldNames.map(quoteIdent).join(', ')}) FROM STDIN WITH (` +
    `FORMAT csv, DELIMITER ${delimiter}, QUOTE '"', NULL '', FORCE_NULL (${forceNull}), ENCODING '${PG_ENCODING[encoding]}')`
  );
}

/**
 * COPY takes more than the validating path does: any integer for a year, NaN and Infinity for a
 * number, infinity for a date. These checks refuse those as rows load (class 23); they are
 * dropped after the load.
 */
function rangeChecks(table: string, columns: InferredColumn[]): Array<{ name: string; sql: string }> {
  const rule: Partial<Record<InferredColumn['type'], (q: string) => string>> = {
    year: (q) => `${q} BETWEEN 1900 AND 2100`,
    number: (q) => `${q} > '-Infinity' AND ${q} < 'Infinity'`, // NaN sorts above Infinity
    date: (q) => `isfinite(${q})`,
  };
  return columns
    .filter((c) => rule[c.type])
    .map((c, i) => ({ name: `${table}_check_${i}`, sql: `CHECK (${rule[c.type]!(quoteIdent(c.name))})` }));
}

async function addChecks(client: PoolClient, table: string, checks: Array<{ name: string; sql: string }>): Promise<void> {
  for (const c of checks) await client.query(`ALTER TABLE ${tableSql(table)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.sql}`);
}

async function dropChecks(client: PoolClient, table: string, checks: Array<{ name: string }>): Promise<void> {
  for (const c of checks) await client.query(`ALTER TABLE ${tableSql(table)} DROP CONSTRAINT ${quoteIdent(c.name)}`);
}

/** What streaming one byte range into COPY found out. */
interface RangeLoad {
  rows: number;
  lines: number;
  watch: RecordWatch;
}

/**
 * Streams the bytes [start, end) of the file into a COPY on `client`, watching records as they
 * pass (size, blank records, line breaks inside quotes) and looking for text cells the validating
 * path would have changed.
 */
async function copyRange(
  client: PoolClient,
  sql: string,
  file: string,
  range: { start: number; end: number; firstLine: number },
  sniffed: Sniffed,
  suspects: TextSuspects | null,
  onBytes: (bytes: number, lines: number) => void,
): Promise<RangeLoad> {
  // COPY reads dates by DateStyle: day first, as normalizeDate reads dd/mm/yyyy.
  await client.query(`SET LOCAL DateStyle = 'ISO, DMY'`);
  const copy = client.query(copyFrom(sql));
  let lines = 0;
  const watch = new RecordWatch(MAX_FIELD_BYTES, range.firstLine, sniffed.delimiter.charCodeAt(0));
  const meter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      if (watch.feed(chunk)) return cb(new FastPathRefused('record_too_large'));
      if (watch.blankRecord) return cb(new FastPathRefused('blank_record'));
      suspects?.feed(chunk);
      const lf = countLf(chunk);
      lines += lf;
      onBytes(chunk.length, lf);
      cb(null, chunk);
    },
  });
  if (range.end > range.start) {
    await pipeline(fs.createReadStream(file, { start: range.start, end: range.end - 1, highWaterMark: 1 << 20 }), meter, copy);
  } else {
    copy.end();
    await new Promise((resolve, reject) => copy.on('finish', resolve).on('error', reject));
  }
  return { rows: Number(copy.rowCount ?? 0), lines, watch };
}

/** Text columns worth watching: those whose cells outside the sample COPY takes unchecked. */
function suspectsFor(sniffed: Sniffed, columns: InferredColumn[], encoding: Encoding): { columns: InferredColumn[]; make: () => TextSuspects | null } {
  const text = sniffed.sampledAll ? [] : columns.filter((c) => c.type === 'text');
  return { columns: text, make: () => (text.length > 0 ? new TextSuspects(sniffed.delimiter.charCodeAt(0), encoding) : null) };
}

/**
 * The fast path: PostgreSQL parses and types the file's data bytes itself in one COPY, inside the
 * caller's transaction. Throws the database's error when any value does not fit (the caller then
 * takes the validating path).
 */
export async function fastCopy(
  client: PoolClient,
  table: string,
  file: string,
  sniffed: Sniffed,
  columns: InferredColumn[],
  encoding: Encoding,
  onProgress: OnProgress,
): Promise<{ rows: number; lineMap: LineMap; lines: number }> {
  const checks = rangeChecks(table, columns);
  await addChecks(client, table, checks);
  const text = suspectsFor(sniffed, columns, encoding);
  const suspects = text.make();
  let bytes = 0;
  let read = 0;
  const { rows, lines, watch } = await copyRange(
    client,
    fastCopySql(table, sniffed, columns, encoding),
    file,
    { start: sniffed.dataStartByte, end: sniffed.dataEndByte, firstLine: sniffed.dataStartLine },
    sniffed,
    suspects,
    (n, l) => onProgress((bytes += n), (read += l)),
  );
  await dropChecks(client, table, checks);
  suspects?.finish();
  if (suspects?.found) await normalizeText(client, table, text.columns);
  return { rows, lineMap: { breaks: watch.breaks }, lines };
}

/** Data ranges from this size on are loaded in two parts at once (one per core). */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/** Beyond this many quote characters, finding a safe split costs more than it saves. */
const MAX_SPLIT_QUOTES = 1_000_000;

/** Quote characters in chunk[from, to). */
function countQuotes(chunk: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = chunk.indexOf(0x22, from); i !== -1 && i < to; i = chunk.indexOf(0x22, i + 1)) n++;
  return n;
}

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
        let from = 0;
        for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
          quotes += countQuotes(chunk, from, i);
          from = i;
          lfs++;
          if (pos + i >= mid && quotes % 2 === 0) return pos + i + 1 < end ? { at: pos + i + 1, linesBefore: lfs } : null;
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

/**
 * The fast path in two parts loaded at once, each on its own connection and transaction, so both
 * cores parse. The table must be committed (still invisible: its version is `processing`). Row
 * order is kept: the `_id` identity is given a per-session cache as large as the first part's
 * lines, and the first part reserves its block before the second starts, so the second part's
 * ids follow on. Either both parts commit or neither does; on failure the caller drops the table.
 */
export async function parallelFastCopy(
  db: Knex,
  table: string,
  file: string,
  sniffed: Sniffed,
  columns: InferredColumn[],
  encoding: Encoding,
  split: { at: number; linesBefore: number },
  onProgress: OnProgress,
): Promise<{ rows: number; lineMap: LineMap; lines: number }> {
  const sql = fastCopySql(table, sniffed, columns, encoding);
  const checks = rangeChecks(table, columns);
  const text = suspectsFor(sniffed, columns, encoding);
  const [sa, sb] = [text.make(), text.make()];
  let bytes = 0;
  let read = 0;
  const onBytes = (n: number, l: number) => onProgress((bytes += n), (read += l));
  const first = split.linesBefore; // ids 1..first for the first part, first+1.. for the second
  return withClient(db, (a) =>
    withClient(db, async (b) => {
      await addChecks(a, table, checks);
      await a.query(`ALTER TABLE ${tableSql(table)} ALTER COLUMN "_id" SET MINVALUE 0 RESTART WITH 0 SET CACHE ${first + 1}`);
      await a.query('BEGIN');
      await b.query('BEGIN');
      try {
        // The first part's session takes the first block of ids (0 .. first) before the second part starts.
        await a.query(`SELECT nextval(pg_get_serial_sequence($1, '_id'))`, [tableSql(table)]);
        const [pa, pb] = await Promise.allSettled([
          copyRange(a, sql, file, { start: sniffed.dataStartByte, end: split.at, firstLine: sniffed.dataStartLine }, sniffed, sa, onBytes),
          copyRange(b, sql, file, { start: split.at, end: sniffed.dataEndByte, firstLine: sniffed.dataStartLine + first }, sniffed, sb, onBytes),
        ]);
        if (pa.status === 'rejected') throw pa.reason;
        if (pb.status === 'rejected') throw pb.reason;
        await a.query('COMMIT');
        await b.query('COMMIT');
        await dropChecks(a, table, checks);
        sa?.finish();
        sb?.finish();
        if (sa?.found || sb?.found) await normalizeText(a, table, text.columns);
        // The second part's rows are numbered first+1..: shift its line breakpoints to those ids.
        const breaks = [...pa.value.watch.breaks, ...pb.value.watch.breaks.map(([row, off]): [number, number] => [row + first, off - first])];
        return { rows: pa.value.rows + pb.value.rows, lineMap: { breaks }, lines: pa.value.lines + pb.value.lines };
      } catch (err) {
        await a.query('ROLLBACK').catch(() => undefined);
        await b.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }),
  );
}

/**
 * Text cells COPY took as they were, where the validating path would have made them NULL
 * (missing-value spellings) or trimmed them. Only rows outside the sample can need it.
 */
async function normalizeText(client: PoolClient, table: string, columns: InferredColumn[]): Promise<void> {
  if (columns.length === 0) return;
  const norm = (q: string) => `(CASE WHEN lower(btrim(${q}, $2)) = ANY($1::text[]) THEN NULL ELSE btrim(${q}, $2) END)`;
  const qs = columns.map((c) => quoteIdent(c.name));
  await client.query(
    `UPDATE ${tableSql(table)} SET ${qs.map((q) => `${q} = ${norm(q)}`).join(', ')}
      WHERE ${qs.map((q) => `${q} IS DISTINCT FROM ${norm(q)}`).join(' OR ')}`,
    [MISSING_SPELLINGS, TRIM_CHARS],
  );
}

/** Thrown inside the validating path when the bytes are not valid UTF-8 after all. */
export class NotUtf8 extends Error {}

/** A strict UTF-8 decoder stream (iconv-lite would silently replace bad bytes). */
function strictUtf8(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _e, cb) {
      try {
        cb(null, decoder.decode(chunk, { stream: true }));
      } catch {
        cb(new NotUtf8('invalid UTF-8'));
      }
    },
    flush(cb) {
      try {
        const rest = decoder.decode();
        cb(null, rest || undefined);
      } catch {
        cb(new NotUtf8('invalid UTF-8'));
      }
    },
  });
}

/** Escapes a value for COPY's text format. */
function copyText(v: string): string {
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : v;
}

const TYPE_MESSAGES: Record<string, [string, string]> = {
  integer: ['bukan bilangan bulat', 'is not a whole number'],
  number: ['bukan angka', 'is not a number'],
  year: ['bukan tahun (1900–2100)', 'is not a year (1900–2100)'],
  date: ['bukan tanggal (yyyy-mm-dd atau dd/mm/yyyy)', 'is not a date (yyyy-mm-dd or dd/mm/yyyy)'],
  boolean: ['bukan nilai ya/tidak', 'is not a yes/no value'],
};

/** A value in a field that was dropped as an empty, untitled column (it would be lost). */
function untitledValue(line: number, position: number, value: string) {
  return {
    code: 'values_in_untitled_column',
    line,
    value,
    message: `Kolom ke-${position + 1} tidak berjudul dan dianggap kosong, tetapi berisi "${value}"; beri kolom itu judul atau kosongkan isinya.`,
    message_en: `Column ${position + 1} has no header and was taken as empty, but holds "${value}"; give the column a header or clear it.`,
  };
}

/**
 * After a fast COPY: values in the placeholder columns that took the fields dropped as empty
 * (only rows outside the sample can have any). Reported like the validating path does.
 */
export async function checkDroppedFields(
  client: PoolClient,
  table: string,
  sniffed: Sniffed,
  lineMap: LineMap,
  report: ReportBuilder,
): Promise<void> {
  const placeholders = [...placeholderNames(sniffed).entries()];
  if (placeholders.length === 0 || sniffed.sampledAll) return;
  const filled = (q: string) => `nullif(btrim(${q}), '') IS NOT NULL`;
  const { rows } = await client.query<{ id: string; position: number; value: string; n: number }>(
    `SELECT "_id"::text AS id, CASE ${placeholders.map(([i, n]) => `WHEN ${filled(quoteIdent(n))} THEN ${i}`).join(' ')} END AS position,
            coalesce(${placeholders.map(([, n]) => `nullif(btrim(${quoteIdent(n)}), '')`).join(', ')}) AS value,
            count(*) OVER ()::int AS n
       FROM ${tableSql(table)} WHERE ${placeholders.map(([, n]) => filled(quoteIdent(n))).join(' OR ')}
      ORDER BY "_id" LIMIT ${EXAMPLES_PER_CODE}`,
  );
  for (const r of rows) report.error(untitledValue(lineOf(lineMap, Number(r.id)), r.position, r.value));
  if (rows.length > 0) report.addCount('errors', 'values_in_untitled_column', rows[0].n - rows.length);
}

/** A row-level transformation applied before typing (used to reshape wide tables). */
export type RowExpander = (cells: string[]) => string[][];

/** Outcome of the validating path. */
export interface ValidatedLoad {
  rows: number;
  lineMap: LineMap;
  /** Integer columns whose only misfits were fractional numbers (the caller may widen them). */
  widen: string[];
  /** The region codes read, to judge when the file is refused for something else. */
  regions: RegionTally;
  /** LF line breaks in the data's bytes; unknown when reading stopped early. */
  lines?: number;
}

/**
 * The validating path: decode, parse and check every cell in JavaScript, streaming canonical
 * values into COPY. Problems go into the report with their line and column; once one is found,
 * nothing more is written (the caller rolls back), but reading goes on to count them all.
 */
export async function validatingCopy(
  client: PoolClient,
  table: string,
  file: string,
  sniffed: Sniffed,
  fileColumns: InferredColumn[],
  tableColumns: InferredColumn[],
  encoding: Encoding,
  report: ReportBuilder,
  onProgress: OnProgress,
  expand?: RowExpander,
): Promise<ValidatedLoad> {
  const copy = client.query(
    copyFrom(`COPY ${tableSql(table)} (${tableColumns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN`),
  );
  const expected = sniffed.fieldCount;
  const lastKept = Math.max(...sniffed.keep);
  const kept = new Set(sniffed.keep);
  const dropped = Array.from({ length: expected }, (_, i) => i).filter((i) => !kept.has(i));
  let bytes = 0;
  let rows = 0;
  let prevEnd = sniffed.dataStartLine - 1;
  /** Physical lines spanned by the records read so far (skipped empty lines not included). */
  let recordLines = 0;
  let failed = false;
  const breaks: Array<[number, number]> = [];
  const fractionalOnly = new Map<string, boolean>();
  let lastProgress = 0;

  let lines = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      lines += countLf(chunk);
      cb(null, chunk);
    },
  });
  const decoder = encoding === 'utf-8' ? strictUtf8() : iconv.decodeStream(encoding);
  const parser = parse({
    delimiter: sniffed.delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: MAX_FIELD_BYTES,
  });

  const regions = new RegionTally(tableColumns);
  let batch: string[] = [];
  const typer = new Transform({
    writableObjectMode: true,
    transform(rec: { record: string[]; info: { empty_lines: number } }, _e, cb) {
      const cells = rec.record;
      // Lines are counted from the records, not from csv-parse's info.lines: inside a quoted field
      // it counts CR and LF each as a line, so every CRLF there would shift later lines by one.
      const line = sniffed.dataStartLine + recordLines + rec.info.empty_lines;
      const inner = lineBreaks(cells);
      recordLines += 1 + inner;
      prevEnd = line + inner;
      if (cells.every((c) => c.trim() === '')) {
        report.warning({ code: 'blank_row', line, message: 'Baris kosong dilewati.', message_en: 'Blank row skipped.' });
        return cb();
      }
      if (cells.length !== expected) {
        const extraFilled = cells.slice(expected).some((c) => c.trim() !== '');
        const tooShort = cells.length < expected && cells.length <= lastKept;
        if (extraFilled || tooShort) {
          failed = true;
          report.error({
            code: 'ragged_row',
            line,
            message: `Baris berisi ${cells.length} kolom, seharusnya ${expected}.`,
            message_en: `The row has ${cells.length} fields; expected ${expected}.`,
          });
          return cb();
        }
      }
      const lost = dropped.find((i) => (cells[i] ?? '').trim() !== '');
      if (lost !== undefined) {
        failed = true;
        report.error(untitledValue(line, lost, cells[lost]));
      }
      if (cells.some((c) => c.includes('\u0000'))) {
        failed = true;
        report.error({
          code: 'binary_file',
          line,
          message: `Baris ${line} berisi data biner (karakter NUL); berkas ini bukan teks CSV.`,
          message_en: `Line ${line} holds binary data (a NUL character); this file is not CSV text.`,
        });
        return cb();
      }
      const sources = expand ? expand(cells) : [cells];
      for (const src of sources) {
        const out: string[] = [];
        const norm: Array<string | null | undefined> = [];
        for (let i = 0; i < tableColumns.length; i++) {
          const col = tableColumns[i];
          const raw = expand ? (src[i] ?? '') : (cells[col.index] ?? '');
          const v = normalizeCell(raw, col);
          norm.push(v);
          if (v === undefined) {
            failed = true;
            const [id, en] = TYPE_MESSAGES[col.type];
            report.error({
              code: 'type_mismatch',
              line,
              column: col.name,
              value: raw,
              message: `Nilai "${raw}" pada kolom ${col.label} ${id}.`,
              message_en: `Value "${raw}" in column ${col.label} ${en}.`,
            });
            if (col.type === 'integer') {
              const asNumber = normalizeNumber(raw, col.numberFormat) !== null;
              fractionalOnly.set(col.name, (fractionalOnly.get(col.name) ?? true) && asNumber);
            } else {
              fractionalOnly.set(col.name, false);
            }
            continue;
          }
          out.push(v === null ? '\\N' : copyText(v));
        }
        regions.add(norm, line);
        if (failed) continue;
        rows++;
        const offset = line - rows;
        if (breaks.length === 0 || breaks[breaks.length - 1][1] !== offset) breaks.push([rows, offset]);
        batch.push(out.join('\t'));
      }
      if (batch.length >= 1000 && !failed) {
        const chunk = batch.join('\n') + '\n';
        batch = [];
        this.push(chunk);
      } else if (failed) batch = [];
      if (bytes - lastProgress > 1 << 20) {
        lastProgress = bytes;
        onProgress(bytes, rows);
      }
      cb();
    },
    flush(cb) {
      if (batch.length && !failed) this.push(batch.join('\n') + '\n');
      cb();
    },
  });

  const source =
    sniffed.dataEndByte > sniffed.dataStartByte
      ? fs.createReadStream(file, { start: sniffed.dataStartByte, end: sniffed.dataEndByte - 1, highWaterMark: 1 << 20 })
      : fs.createReadStream(file, { start: 0, end: -1 });
  try {
    await pipeline(source, meter, decoder, parser, typer, copy);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'CSV_MAX_RECORD_SIZE') {
      report.error({
        code: 'field_too_large',
        line: prevEnd + 1,
        message: 'Ada kolom yang isinya lebih dari 1 MB (mungkin tanda kutip tidak ditutup).',
        message_en: 'A field is larger than 1 MB (perhaps an unclosed quote).',
      });
      return { rows: 0, lineMap: { breaks }, widen: [], regions };
    }
    if (code === 'CSV_QUOTE_NOT_CLOSED' || code === 'CSV_INVALID_CLOSING_QUOTE') {
      report.error({
        code: 'unclosed_quote',
        line: prevEnd + 1,
        message: 'Tanda kutip (") dibuka tetapi tidak ditutup.',
        message_en: 'A quote (") is opened but never closed.',
      });
      return { rows: 0, lineMap: { breaks }, widen: [], regions };
    }
    throw err;
  }
  onProgress(bytes, rows);
  const onlyWidening = report.errorCount > 0 && [...fractionalOnly.values()].every(Boolean) && fractionalOnly.size > 0;
  const raggedOrOther = Object.keys(report.toJSON().counts.errors).some((c) => c !== 'type_mismatch');
  return {
    rows,
    lineMap: { breaks },
    widen: onlyWidening && !raggedOrOther ? [...fractionalOnly.keys()] : [],
    lines,
    regions,
  };
}
