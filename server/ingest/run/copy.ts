// One byte range of the file into COPY, watched on its way: what the fast path and its parallel
// form share (the COPY statement, the range checks, the text clean-up after it).
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteIdent, tableSql } from '../../db/datastore';
import { MAX_FIELD_BYTES } from '../limits';
import type { Encoding } from '../options';
import type { InferredColumn } from '../plan/infer';
import type { Layout } from '../sniff';
import { MISSING_SPELLINGS, TRIM_CHARS } from '../values';
import { countLf, RecordWatch, TextSuspects } from './scan';

/** What a fast COPY needs to know. */
export interface FastJob {
  table: string;
  file: string;
  layout: Layout;
  columns: InferredColumn[];
  encoding: Encoding;
  placeholders: Map<number, string>;
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

const PG_ENCODING: Partial<Record<Encoding, string>> = {
  'utf-8': 'UTF8',
  'windows-1252': 'WIN1252',
  'iso-8859-1': 'LATIN1',
};

/** The COPY statement of the fast path: the raw bytes, as they are, into the typed columns. */
export function fastCopySql(job: FastJob): string {
  const { layout, columns } = job;
  const byIndex = new Map(columns.map((c) => [c.index, c.name]));
  const fieldNames: string[] = [];
  for (let i = 0; i < layout.fieldCount; i++) fieldNames.push(byIndex.get(i) ?? job.placeholders.get(i)!);
  const delimiter = layout.delimiter === '\t' ? 'E\'\\t\'' : `'${layout.delimiter}'`;
  const forceNull = columns.map((c) => quoteIdent(c.name)).join(', ');
  return (
    `COPY ${tableSql(job.table)} (${fieldNames.map(quoteIdent).join(', ')}) FROM STDIN WITH (` +
    `FORMAT csv, DELIMITER ${delimiter}, QUOTE '"', NULL '', FORCE_NULL (${forceNull}), ENCODING '${PG_ENCODING[job.encoding]}')`
  );
}

/**
 * COPY takes more than the validating path does: any integer for a year, NaN and Infinity for a
 * number, infinity for a date. These checks refuse those as rows load (class 23); they are
 * dropped after the load.
 */
export function rangeChecks(job: FastJob): Array<{ name: string; sql: string }> {
  const rule: Partial<Record<InferredColumn['type'], (q: string) => string>> = {
    year: (q) => `${q} BETWEEN 1900 AND 2100`,
    number: (q) => `${q} > '-Infinity' AND ${q} < 'Infinity'`, // NaN sorts above Infinity
    date: (q) => `isfinite(${q})`,
  };
  return job.columns
    .filter((c) => rule[c.type])
    .map((c, i) => ({ name: `${job.table}_check_${i}`, sql: `CHECK (${rule[c.type]!(quoteIdent(c.name))})` }));
}

export async function addChecks(client: PoolClient, table: string, checks: Array<{ name: string; sql: string }>): Promise<void> {
  for (const c of checks) await client.query(`ALTER TABLE ${tableSql(table)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.sql}`);
}

export async function dropChecks(client: PoolClient, table: string, checks: Array<{ name: string }>): Promise<void> {
  for (const c of checks) await client.query(`ALTER TABLE ${tableSql(table)} DROP CONSTRAINT ${quoteIdent(c.name)}`);
}

/** What streaming one byte range into COPY found out. */
export interface RangeLoad {
  rows: number;
  lines: number;
  watch: RecordWatch;
}

/** Text columns worth watching: those whose cells outside the sample COPY takes unchecked. */
export function suspectsFor(job: FastJob): { columns: InferredColumn[]; make: () => TextSuspects | null } {
  const text = job.layout.sampledAll ? [] : job.columns.filter((c) => c.type === 'text');
  return { columns: text, make: () => (text.length > 0 ? new TextSuspects(job.layout.delimiter.charCodeAt(0), job.encoding) : null) };
}

/**
 * Streams the bytes [start, end) of the file into a COPY on `client`, watching records as they
 * pass (size, blank records, line breaks inside quotes) and looking for text cells the validating
 * path would have changed.
 */
export async function copyRange(
  client: PoolClient,
  job: FastJob,
  range: { start: number; end: number; firstLine: number },
  suspects: TextSuspects | null,
  onBytes: (bytes: number, lines: number) => void,
): Promise<RangeLoad> {
  // COPY reads dates by DateStyle: day first, as normalizeDate reads dd/mm/yyyy.
  await client.query(`SET LOCAL DateStyle = 'ISO, DMY'`);
  const copy = client.query(copyFrom(fastCopySql(job)));
  let lines = 0;
  const watch = new RecordWatch(MAX_FIELD_BYTES, range.firstLine, job.layout.delimiter.charCodeAt(0));
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
    await pipeline(fs.createReadStream(job.file, { start: range.start, end: range.end - 1, highWaterMark: 1 << 20 }), meter, copy);
  } else {
    copy.end();
    await new Promise((resolve, reject) => copy.on('finish', resolve).on('error', reject));
  }
  return { rows: Number(copy.rowCount ?? 0), lines, watch };
}

/**
 * Text cells COPY took as they were, where the validating path would have made them NULL
 * (missing-value spellings) or trimmed them. Only rows outside the sample can need it.
 */
export async function normalizeText(client: PoolClient, table: string, columns: InferredColumn[]): Promise<void> {
  if (columns.length === 0) return;
  const norm = (q: string) => `(CASE WHEN lower(btrim(${q}, $2)) = ANY($1::text[]) THEN NULL ELSE btrim(${q}, $2) END)`;
  const qs = columns.map((c) => quoteIdent(c.name));
  await client.query(
    `UPDATE ${tableSql(table)} SET ${qs.map((q) => `${q} = ${norm(q)}`).join(', ')}
      WHERE ${qs.map((q) => `${q} IS DISTINCT FROM ${norm(q)}`).join(' OR ')}`,
    [MISSING_SPELLINGS, TRIM_CHARS],
  );
}
