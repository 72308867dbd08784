// The validating path: decode, parse and check every cell in JavaScript, streaming canonical
// values into COPY. Problems go into the report with their line and column; once one is found,
// nothing more is written (the caller rolls back), but reading goes on to count them all.
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteIdent, tableSql } from '../../db/datastore';
import { countLf } from '../bytes';
import { RegionTally } from '../finish/regions';
import { blankLinesEmptied } from './blank-lines';
import { MAX_FIELD_BYTES } from '../limits';
import type { LineMap } from '../lines';
import type { Encoding } from '../options';
import type { InferredColumn } from '../plan/infer';
import type { RowExpander } from '../plan/reshape';
import { problem } from '../problems';
import type { ReportBuilder } from '../report';
import type { Layout } from '../sniff';
import { lineBreaks } from '../sniff/records';
import { normalizeCell, normalizeNumber } from '../values';
import type { OnProgress } from './fast';

/** What the validating path reads. */
export interface ValidatingJob {
  table: string;
  file: string;
  layout: Layout;
  /** The table's columns (after a reshape, those of the long form). */
  columns: InferredColumn[];
  encoding: Encoding;
  expand: RowExpander | null;
}

/** How reading ended. */
export type ValidatedLoad =
  | {
      kind: 'read';
      rows: number;
      lineMap: LineMap;
      /** Integer columns whose only misfits were fractional numbers (a plan may widen them). */
      widen: string[];
      /** The region codes read, to judge when the file is refused for something else. */
      regions: RegionTally;
      /** LF line breaks in the data's bytes. */
      lines: number;
    }
  /** The bytes are not valid UTF-8 after all. */
  | { kind: 'not_utf8' }
  /** Reading stopped at a record it could not take in (reported). */
  | { kind: 'stopped' };

class NotUtf8 extends Error {}

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

/** Reads every record of the data range, checks it and streams the good rows into COPY on `client`. */
export async function validatingCopy(client: PoolClient, job: ValidatingJob, report: ReportBuilder, onProgress: OnProgress): Promise<ValidatedLoad> {
  const { layout, columns, expand } = job;
  const copy = client.query(copyFrom(`COPY ${tableSql(job.table)} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN`));
  const expected = layout.fieldCount;
  const lastKept = Math.max(...layout.keep);
  const kept = new Set(layout.keep);
  const dropped = Array.from({ length: expected }, (_, i) => i).filter((i) => !kept.has(i));
  let bytes = 0;
  let lines = 0;
  let rows = 0;
  let prevEnd = layout.dataStartLine - 1;
  /** Physical lines spanned by the records read so far (skipped empty lines not included). */
  let recordLines = 0;
  let failed = false;
  const breaks: Array<[number, number]> = [];
  const fractionalOnly = new Map<string, boolean>();
  let lastProgress = 0;

  const meter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      lines += countLf(chunk);
      cb(null, chunk);
    },
  });
  const decoder = job.encoding === 'utf-8' ? strictUtf8() : iconv.decodeStream(job.encoding);
  const parser = parse({
    delimiter: layout.delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: MAX_FIELD_BYTES,
  });

  const regions = new RegionTally(columns);
  let batch: string[] = [];
  const typer = new Transform({
    writableObjectMode: true,
    transform(rec: { record: string[]; info: { empty_lines: number } }, _e, cb) {
      const cells = rec.record;
      // Lines are counted from the records, not from csv-parse's info.lines: inside a quoted field
      // it counts CR and LF each as a line, so every CRLF there would shift later lines by one.
      const line = layout.dataStartLine + recordLines + rec.info.empty_lines;
      const inner = lineBreaks(cells);
      recordLines += 1 + inner;
      prevEnd = line + inner;
      if (cells.every((c) => c.trim() === '')) {
        report.warning(problem('blank_row', {}, { line }));
        return cb();
      }
      if (cells.length !== expected) {
        const extraFilled = cells.slice(expected).some((c) => c.trim() !== '');
        const tooShort = cells.length < expected && cells.length <= lastKept;
        if (extraFilled || tooShort) {
          failed = true;
          report.error(problem('ragged_row', { fields: cells.length, expected }, { line }));
          return cb();
        }
      }
      const lost = dropped.find((i) => (cells[i] ?? '').trim() !== '');
      if (lost !== undefined) {
        failed = true;
        report.error(problem('values_in_untitled_column', { position: lost + 1, value: cells[lost] }, { line, value: cells[lost] }));
      }
      if (cells.some((c) => c.includes('\u0000'))) {
        failed = true;
        report.error(problem('binary_file', { line }, { line }));
        return cb();
      }
      for (const src of expand ? expand(cells) : [cells]) {
        const out: string[] = [];
        const norm: Array<string | null | undefined> = [];
        for (let i = 0; i < columns.length; i++) {
          const col = columns[i];
          const raw = expand ? (src[i] ?? '') : (cells[col.index] ?? '');
          const v = normalizeCell(raw, col);
          norm.push(v);
          if (v === undefined) {
            failed = true;
            report.error(problem('type_mismatch', { value: raw, label: col.label, type: col.type }, { line, column: col.name, value: raw }));
            const widening = col.type === 'integer' && normalizeNumber(raw, col.numberFormat) !== null;
            fractionalOnly.set(col.name, (fractionalOnly.get(col.name) ?? true) && widening);
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
    layout.dataEndByte > layout.dataStartByte
      ? fs.createReadStream(job.file, { start: layout.dataStartByte, end: layout.dataEndByte - 1, highWaterMark: 1 << 20 })
      : fs.createReadStream(job.file, { start: 0, end: -1 });
  try {
    await pipeline(source, meter, decoder, blankLinesEmptied(layout.delimiter), parser, typer, copy);
  } catch (err) {
    if (err instanceof NotUtf8) return { kind: 'not_utf8' };
    const code = (err as { code?: string }).code;
    if (code === 'CSV_MAX_RECORD_SIZE') {
      report.error(problem('field_too_large', { at: 'record' }, { line: prevEnd + 1 }));
      return { kind: 'stopped' };
    }
    if (code === 'CSV_QUOTE_NOT_CLOSED' || code === 'CSV_INVALID_CLOSING_QUOTE') {
      report.error(problem('unclosed_quote', {}, { line: prevEnd + 1 }));
      return { kind: 'stopped' };
    }
    throw err;
  }
  onProgress(bytes, rows);
  const onlyWidening = report.errorCount > 0 && fractionalOnly.size > 0 && [...fractionalOnly.values()].every(Boolean);
  const otherErrors = report.errorCodes().some((c) => c !== 'type_mismatch');
  return { kind: 'read', rows, lineMap: { breaks }, widen: onlyWidening && !otherErrors ? [...fractionalOnly.keys()] : [], regions, lines };
}
