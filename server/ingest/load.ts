import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import iconv from 'iconv-lite';
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { createTableSql, dropTable, quoteIdent, tableSql } from '../db/datastore';
import { withClient } from '../db/knex';
import { checkDroppedFields, FastPathRefused, fastCopy, findSplit, NotUtf8, PARALLEL_MIN_BYTES, parallelFastCopy, placeholderNames, validatingCopy, type LineMap } from './copy';
import { buildIndexes, columnStats, type ColumnStats } from './finish';
import { inferColumn, mostlyNumeric, type InferredColumn } from './infer';
import type { Encoding, LoadOptions } from './options';
import { checkRegions, judgeRegionColumn, pairedNameColumn, type RegionTally, type Wilayah } from './regions';
import { failure, ReportBuilder, type Report } from './report';
import { reshapeToLong, wideColumns } from './reshape';
import { detectBinary, detectEncoding, HEAD_BYTES, looksLikeXlsx, MIDDLE_CHUNK_BYTES, middleOffsets, sniffText, TAIL_BYTES } from './sniff';
import { xlsxToCsv, XlsxRefused, type SheetExport, type XlsxLimits } from './xlsx';
import { log } from '../log';

/** What reading a file produced. */
export interface LoadResult {
  state: 'draft' | 'failed';
  report: Report;
  encoding: Encoding | null;
  dialect: Record<string, unknown> | null;
  columns: InferredColumn[];
  stats: Record<string, ColumnStats>;
  table: string | null;
  rows: number | null;
  /** The first rows as read, for a preview when no table was kept. */
  sample: string[][];
}

/** Progress of a load, reported as it goes. */
export interface LoadProgress {
  phase: 'reading' | 'loading' | 'checking' | 'indexing';
  bytes_done: number;
  bytes_total: number;
  rows: number;
}

export interface LoadInput {
  db: Knex;
  /** The raw file as stored. */
  file: string;
  filename: string;
  /** Where converted copies (an XLSX sheet as CSV, UTF-16 as UTF-8) are written. */
  derivedPath: (suffix: string) => string;
  table: string;
  options: LoadOptions;
  onProgress: (p: LoadProgress) => void;
  /** Clean data ranges from this size on load in two parts at once. */
  parallelMinBytes?: number;
  /** How far an XLSX upload may unpack (defaults: DEFAULT_XLSX_LIMITS). */
  xlsxLimits?: XlsxLimits;
}

function failed(report: Report, extra: Partial<LoadResult> = {}): LoadResult {
  return { state: 'failed', report, encoding: null, dialect: null, columns: [], stats: {}, table: null, rows: null, sample: [], ...extra };
}

async function readRange(file: string, start: number, length: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Re-encodes a file as UTF-8 with LF line ends (for UTF-16 and old Mac CR-only files). */
async function toUtf8(file: string, encoding: Encoding, out: string): Promise<void> {
  let lastCr = false;
  const fixCr = new Transform({
    transform(chunk: Buffer, _e, cb) {
      let s = chunk.toString('utf8');
      if (lastCr && s.startsWith('\n')) s = s.slice(1);
      lastCr = s.endsWith('\r');
      cb(null, s.replace(/\r\n?/g, '\n'));
    },
  });
  await pipeline(fs.createReadStream(file), iconv.decodeStream(encoding), iconv.encodeStream('utf-8'), fixCr, fs.createWriteStream(out));
}

/**
 * Reads a stored file into a new typed table `datastore.<table>`: sniff, infer, COPY (fast path,
 * or the validating path when the file needs it or the fast path fails), check reference codes,
 * then index and compute statistics. A file with errors leaves no table behind.
 */
export async function loadFile(input: LoadInput, wilayah: Wilayah[]): Promise<LoadResult> {
  const { options } = input;
  let file = input.file;
  const dialect: Record<string, unknown> = {};
  let size = (await fs.promises.stat(file)).size;
  if (size === 0) return failed(failure('empty_file', 'Berkas kosong.', 'The file is empty.'));
  let head = await readRange(file, 0, Math.min(size, HEAD_BYTES));

  if (looksLikeXlsx(head, input.filename)) {
    // Not named after the sheet: a workbook's sheet names are the uploader's text ("../..").
    const out = input.derivedPath('sheet.csv');
    let sheet: SheetExport | null;
    try {
      sheet = await xlsxToCsv(file, out, options.sheet, input.xlsxLimits);
    } catch (err) {
      fs.rmSync(out, { force: true });
      const refused = err instanceof XlsxRefused ? err : new XlsxRefused('bad_xlsx');
      return failed(failure(refused.code, refused.messageId, refused.messageEn));
    }
    if (sheet === null) {
      return failed(failure('no_such_sheet', `Lembar "${options.sheet}" tidak ada di berkas XLSX.`, `The workbook has no sheet "${options.sheet}".`));
    }
    Object.assign(dialect, { format: 'xlsx', sheets: sheet.sheets, sheet: sheet.sheet });
    file = out;
    size = (await fs.promises.stat(file)).size;
    if (size === 0) return failed(failure('empty_file', `Lembar "${sheet.sheet}" kosong.`, `Sheet "${sheet.sheet}" is empty.`));
    head = await readRange(file, 0, Math.min(size, HEAD_BYTES));
  }

  const detected = detectEncoding(head);
  let encoding: Encoding = options.encoding ?? detected.encoding;
  if (encoding === 'utf-8' || encoding === 'windows-1252' || encoding === 'iso-8859-1') {
    const binary = detectBinary(head);
    if (binary) return failed(failure(binary.code, binary.message, binary.message_en));
  }
  const crOnly = !head.includes(0x0a) && head.includes(0x0d);
  /** The raw file's encoding when it is read through a UTF-8 copy. */
  let rawEncoding: Encoding | null = null;
  if (encoding === 'utf-16le' || encoding === 'utf-16be' || crOnly) {
    const out = input.derivedPath('utf8.csv');
    // The copy has LF line ends: note the raw file's own.
    dialect.line_ending = crOnly ? 'cr' : iconv.decode(head, encoding).includes('\r\n') ? 'crlf' : 'lf';
    await toUtf8(file, encoding, out);
    dialect.converted_from = encoding;
    rawEncoding = encoding;
    file = out;
    encoding = 'utf-8';
    size = (await fs.promises.stat(file)).size;
    head = await readRange(file, 0, Math.min(size, HEAD_BYTES));
  }

  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await readText(input, file, size, head, encoding, options, dialect, wilayah);
    if (result === 'retry-as-1252') {
      encoding = 'windows-1252';
      dialect.encoding_fallback = true;
      continue;
    }
    if (result === 'widen') continue; // options were widened in place
    return rawEncoding && result.encoding ? { ...result, encoding: rawEncoding } : result;
  }
  throw new Error('loading did not settle');
}

async function readText(
  input: LoadInput,
  file: string,
  size: number,
  head: Buffer,
  encoding: Encoding,
  options: LoadOptions,
  dialect: Record<string, unknown>,
  wilayah: Wilayah[],
): Promise<LoadResult | 'retry-as-1252' | 'widen'> {
  const { db, table, onProgress } = input;
  const timings: Record<string, number> = {};
  let mark = process.hrtime.bigint();
  const lap = (name: string) => {
    const now = process.hrtime.bigint();
    timings[name] = Number(now - mark) / 1e6;
    mark = now;
  };
  const tailOffset = size > HEAD_BYTES ? size - TAIL_BYTES : 0;
  const tail = tailOffset > 0 ? await readRange(file, tailOffset, TAIL_BYTES) : head;
  const middle = await Promise.all(middleOffsets(size).map(async (offset) => ({ offset, bytes: await readRange(file, offset, MIDDLE_CHUNK_BYTES) })));
  const sniff = sniffText({ head, tail, tailOffset, size, encoding, delimiter: options.delimiter, middle });
  if (!sniff.ok) return failed(failure(sniff.code, sniff.message, sniff.message_en, sniff.line), { encoding });
  const sniffed = sniff.sniffed;

  const report = new ReportBuilder();
  if (dialect.encoding_fallback) {
    report.warning({
      code: 'encoding_fallback',
      message: 'Berkas tidak sepenuhnya UTF-8; dibaca sebagai Windows-1252.',
      message_en: 'The file is not entirely UTF-8; it was read as Windows-1252.',
    });
  }
  for (const s of sniffed.skipped) {
    if (s.kind === 'blank' || s.kind === 'footnote') continue;
    const [id, en] = {
      title: ['Baris judul di atas tabel dilewati', 'Title line above the table skipped'],
      column_numbers: ['Baris nomor kolom di bawah header dilewati', 'Column-number row under the header skipped'],
    }[s.kind];
    report.warning({ code: `${s.kind}_skipped`, line: s.line, value: s.text, message: `${id}: "${s.text}"`, message_en: `${en}: "${s.text}"` });
  }
  /** Footnotes are reported once the data's lines are counted: in a large file only then is their line known. */
  const reportFootnotes = (dataLines: number | undefined) => {
    for (const s of sniffed.skipped) {
      if (s.kind !== 'footnote') continue;
      const line = s.line ?? (dataLines !== undefined && s.trailerIndex !== undefined ? sniffed.dataStartLine + dataLines + s.trailerIndex : undefined);
      report.warning({
        code: 'footnote_skipped',
        line,
        value: s.text,
        message: `Catatan kaki di bawah tabel dilewati: "${s.text}"`,
        message_en: `Footnote below the table skipped: "${s.text}"`,
      });
    }
  };
  const dropped = sniffed.fieldCount - sniffed.keep.length;
  if (dropped > 0) {
    report.warning({
      code: 'empty_columns_dropped',
      message: `${dropped} kolom kosong tanpa judul dibuang.`,
      message_en: `${dropped} empty untitled column(s) dropped.`,
    });
  }

  const hints = { indonesian: sniffed.delimiter === ';' || options.decimal === ',', decimal: options.decimal };
  const sampleRows = sniffed.sample.map((r) => r.cells);
  let columns = sniffed.headers.map((h, i) =>
    inferColumn(h, sniffed.keep[i], sampleRows.map((cells) => cells[i] ?? ''), hints, options.columns?.[h.name]),
  );
  columns.forEach((c, i) => {
    const words = mostlyNumeric(c, sniffed.sample, i);
    if (!words) return;
    const examples = words.slice(0, 3).map((x) => `"${x.value}"`).join(', ');
    report.warning({
      code: 'mostly_numeric_text',
      column: c.name,
      line: words[0].line || undefined,
      value: words[0].value,
      message: `Kolom ${c.label} sebagian besar berisi angka, tetapi dibaca sebagai teks karena nilai seperti ${examples}. Perbaiki nilainya atau ubah tipe kolom.`,
      message_en: `Column ${c.label} holds mostly numbers but was read as text because of values like ${examples}. Fix those values or change the column type.`,
    });
  });
  let expand: ReturnType<typeof reshapeToLong> = null;
  if (options.reshape) {
    expand = reshapeToLong(columns, sampleRows, hints, options.reshape);
    if (!expand) {
      return failed(
        failure('not_wide', 'Tabel tidak memiliki kolom per tahun untuk diubah ke bentuk panjang.', 'The table has no per-year columns to reshape.'),
        { encoding },
      );
    }
    columns = expand.columns.map((c) => ({ ...c, ...pickOverride(options.columns?.[c.name]) }));
  } else if (wideColumns(columns).length > 0) {
    report.warning({
      code: 'wide_table',
      message: 'Tabel berbentuk lebar (satu kolom per tahun). Satu Data menganjurkan bentuk panjang (…, tahun, nilai); ubah di pratinjau.',
      message_en: 'The table is wide (one column per year). Satu Data asks for the long form (…, tahun, nilai); reshape it in the preview.',
    });
  }

  const fast = !expand && ['utf-8', 'windows-1252', 'iso-8859-1'].includes(encoding) && sniffed.lineEnding !== 'cr' && columns.every((c) => c.canonical);
  const placeholders = fast ? [...placeholderNames(sniffed).values()] : [];
  const progress = (phase: LoadProgress['phase'], bytes: number, rows: number) =>
    onProgress({ phase, bytes_done: bytes, bytes_total: size, rows });

  let rows = 0;
  let dataLines: number | undefined;
  let lineMap: LineMap = { breaks: [] };
  let path: 'fast' | 'validating' = fast ? 'fast' : 'validating';
  /** After the rows are in (same client, transaction open or not): the checks that can reject them. */
  const afterLoad = async (client: PoolClient): Promise<boolean> => {
    lap('copy_ms');
    reportFootnotes(dataLines);
    for (const p of placeholders) await client.query(`ALTER TABLE ${tableSql(table)} DROP COLUMN ${quoteIdent(p)}`);
    if (report.errorCount === 0 && rows === 0) {
      report.error({ code: 'no_data_rows', message: 'Berkas tidak berisi baris data.', message_en: 'The file has no data rows.' });
    }
    return report.errorCount === 0;
  };

  // Large clean files load in two parts at once, into a table committed beforehand (invisible
  // while the version is processing, dropped on any failure).
  let outcome: 'loaded' | 'rejected' | 'widen' | 'retry-as-1252' | null = null;
  let regionTally: RegionTally | null = null;
  const parallelMin = input.parallelMinBytes ?? PARALLEL_MIN_BYTES;
  const split = fast && sniffed.dataEndByte - sniffed.dataStartByte >= parallelMin ? await findSplit(file, sniffed.dataStartByte, sniffed.dataEndByte) : null;
  if (split) {
    await db.raw(createTableSql(table, columns, placeholders));
    lap('sniff_ms');
    try {
      ({ rows, lineMap, lines: dataLines } = await parallelFastCopy(db, table, file, sniffed, columns, encoding, split, (b, r) => progress('loading', b, r)));
      outcome = await withClient(db, async (client) => {
        await checkDroppedFields(client, table, sniffed, lineMap, report);
        return (await afterLoad(client)) ? 'loaded' : 'rejected';
      });
      if (outcome === 'rejected') await dropTable(db, table);
    } catch (err) {
      await dropTable(db, table).catch(() => undefined);
      if (!isDataError(err) && !(err instanceof FastPathRefused)) throw err;
      path = 'validating';
    }
  }

  outcome ??= await withClient(db, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query(createTableSql(table, columns, placeholders));
      if (!split) lap('sniff_ms');
      if (path === 'fast') {
        await client.query('SAVEPOINT fast_path');
        try {
          ({ rows, lineMap, lines: dataLines } = await fastCopy(client, table, file, sniffed, columns, encoding, (b, r) => progress('loading', b, r)));
          await checkDroppedFields(client, table, sniffed, lineMap, report);
        } catch (err) {
          if (!isDataError(err) && !(err instanceof FastPathRefused)) throw err;
          await client.query('ROLLBACK TO SAVEPOINT fast_path');
          path = 'validating';
        }
      }
      if (path === 'validating') {
        try {
          const v = await validatingCopy(client, table, file, sniffed, columns, columns, encoding, report, (b, r) => progress('loading', b, r), expand?.expand);
          regionTally = v.regions;
          rows = v.rows;
          lineMap = v.lineMap;
          dataLines = v.lines;
          if (v.widen.length > 0) {
            await client.query('ROLLBACK');
            options.columns = { ...options.columns };
            for (const name of v.widen) options.columns[name] = { ...options.columns[name], type: 'number' };
            return 'widen' as const;
          }
        } catch (err) {
          if (err instanceof NotUtf8) {
            await client.query('ROLLBACK');
            return 'retry-as-1252' as const;
          }
          throw err;
        }
      }
      if (!(await afterLoad(client))) {
        await client.query('ROLLBACK');
        // Refused for other problems: still say which reference codes are wrong, all in one report.
        if (regionTally && !Object.keys(report.toJSON().counts.errors).some((c) => STOPPED_READING.has(c))) {
          for (const col of columns.filter((c) => c.role === 'region')) {
            judgeRegionColumn(col, pairedNameColumn(col, columns), regionTally.rows(col.name), wilayah, report);
          }
        }
        return 'rejected' as const;
      }
      await client.query('COMMIT');
      lap('commit_ms');
      return 'loaded' as const;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
  if (outcome === 'widen' || outcome === 'retry-as-1252') return outcome;

  // A workbook has no text encoding or delimiter: those of the CSV made from its sheet are not the file's.
  const xlsx = dialect.format === 'xlsx';
  const result: LoadResult = {
    state: 'draft',
    report: report.toJSON(),
    encoding: xlsx ? null : encoding,
    dialect: {
      ...dialect,
      ...(xlsx ? {} : { delimiter: sniffed.delimiter, quote: '"', line_ending: (dialect.line_ending as string | undefined) ?? sniffed.lineEnding }),
      header_line: sniffed.headerLine,
      data_start_line: sniffed.dataStartLine,
      path,
      parts: split && path === 'fast' ? 2 : 1,
      number_formats: Object.fromEntries(
        columns.filter((c) => c.type === 'integer' || c.type === 'number').map((c) => [c.name, c.numberFormat]),
      ),
      reshaped: Boolean(expand),
      wide_columns: expand ? [] : wideColumns(columns).map((c) => c.name),
    },
    columns,
    stats: {},
    table: null,
    rows: null,
    sample: sniffed.sample.slice(0, 20).map((r) => r.cells),
  };
  if (outcome === 'rejected') {
    // Reading stopped at a record it could not take in: the rest of the file was never read.
    const fatal = Object.keys(result.report.counts.errors).some((c) => STOPPED_READING.has(c));
    return fatal ? { ...result, state: 'failed', columns: [] } : result;
  }

  // The table is committed but invisible (the version is still `processing`). Check reference
  // codes while the indexes build, each on its own connection; ANALYZE (and the statistics read
  // from it) must wait for the index builds, whose locks it conflicts with.
  try {
    progress('checking', size, rows);
    await Promise.all([
      withClient(db, (client) => checkRegions(client, table, columns, wilayah, lineMap, report)),
      buildIndexes(db, table, columns, rows),
    ]);
    lap('check_index_ms');
    if (report.errorCount > 0) {
      await dropTable(db, table);
      return { ...result, report: report.toJSON() };
    }
    progress('indexing', size, rows);
    const stats = await withClient(db, (client) => columnStats(client, table, columns, rows));
    lap('stats_ms');
    log.info({ table, rows, path, ...timings }, 'loaded');
    return { ...result, report: report.toJSON(), stats, table, rows };
  } catch (err) {
    await dropTable(db, table).catch(() => undefined);
    throw err;
  }
}

function pickOverride(o: LoadOptions['columns'] extends Record<string, infer V> | undefined ? V | undefined : never) {
  if (!o) return {};
  const out: Partial<InferredColumn> = {};
  if (o.type) out.type = o.type;
  if (o.role) out.role = o.role;
  if (o.unit !== undefined) out.unit = o.unit;
  if (o.description !== undefined) out.description = o.description;
  if (o.ref_scheme !== undefined) out.refScheme = o.ref_scheme;
  return out;
}

/**
 * Errors that make the file unreadable as a table (`failed`, SPEC §3): reading stopped at a
 * record it could not take in, or the file holds binary data after all.
 */
const STOPPED_READING = new Set(['field_too_large', 'unclosed_quote', 'binary_file']);

/**
 * SQLSTATE class 22 (data exception), 23514 (a value the fast path's checks refuse) and COPY format errors:
 * the file, not the system, is at fault.
 */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('22') || code === '23514' || code === '0A000';
}
