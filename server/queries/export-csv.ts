import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import { escapeLiteral } from 'pg';
import { quoteIdent, tableSql } from '../db/datastore';
import { copyOut } from '../db/copy-out';
import { withClient } from '../db/knex';
import { filterValue, parseSort, type QueryColumn } from './rows';
import { cachedAnswer } from './version-cache';

/** A column as the CSV export needs it. */
export interface ExportColumn {
  name: string;
  type: string;
}

/**
 * Which rows an export holds and how it is written: the rows API's `filter[col]`, `q` and
 * `sort`, and the CSV dialect (`excel`: `;` between fields and `,` as the decimal mark, what a
 * spreadsheet on an Indonesian-locale machine reads by double-click; the caller writes the BOM).
 */
export interface ExportSelection {
  filter?: Record<string, string | string[]>;
  q?: string;
  sort?: string;
  dialect?: 'excel';
}

/** First characters that make a spreadsheet run a cell as a formula: tab, CR, `+`, `-`, `=`, `@`. */
const FORMULA_CODES = '9, 13, 43, 45, 61, 64';

/**
 * How each column is selected for CSV export: booleans as true/false rather than t/f, and text
 * that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first) behind an
 * apostrophe, as OWASP advises. Typed columns (numbers, dates) are left as they are, except the
 * decimal mark of numbers in the Excel dialect.
 */
function exportExpr(c: ExportColumn, dialect?: 'excel', clean?: ReadonlySet<string>): string {
  const q = quoteIdent(c.name);
  if (c.type === 'boolean') return `CASE WHEN ${q} THEN 'true' WHEN NOT ${q} THEN 'false' END AS ${q}`;
  // ascii() of the first character is far cheaper per cell than a regular expression.
  if (c.type === 'text' && !clean?.has(c.name)) return `CASE WHEN ascii(${q}) IN (${FORMULA_CODES}) THEN '''' || ${q} ELSE ${q} END AS ${q}`;
  if (c.type === 'number' && dialect === 'excel') return `replace(${q}::text, '.', ',') AS ${q}`;
  return q;
}

function literal(v: string | number | boolean): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return escapeLiteral(v);
}

/**
 * The WHERE and ORDER BY of an export, with the rows API's rules (unknown columns and badly typed
 * values are 400s). COPY takes no parameters, so values are checked by type and written as
 * literals with the driver's own quoting.
 */
export function selectionSql(columns: QueryColumn[], s: ExportSelection): { where: string; order: string } {
  const conds: string[] = [];
  for (const [name, raw] of Object.entries(s.filter ?? {})) {
    const col = columns.find((c) => c.name === name);
    if (!col) parseSort(columns, name); // throws the rows API's "unknown column" answer
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => filterValue(col!, String(v)));
    const nonNull = values.filter((v): v is string | number | boolean => v !== null);
    const parts: string[] = [];
    if (nonNull.length) parts.push(`${quoteIdent(col!.name)} IN (${nonNull.map(literal).join(', ')})`);
    if (nonNull.length !== values.length) parts.push(`${quoteIdent(col!.name)} IS NULL`);
    conds.push(`(${parts.join(' OR ')})`);
  }
  const q = s.q?.trim();
  if (q) {
    const text = columns.filter((c) => c.type === 'text');
    const like = literal(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    conds.push(text.length ? `(${text.map((c) => `${quoteIdent(c.name)} ILIKE ${like}`).join(' OR ')})` : 'false');
  }
  const order = parseSort(columns, s.sort).map((o) => `${quoteIdent(o.column)} ${o.order === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`);
  return {
    where: conds.length ? ` WHERE ${conds.join(' AND ')}` : '',
    order: ` ORDER BY ${[...order, '"_id"'].join(', ')}`,
  };
}

/**
 * The COPY statement of a version's CSV download: the whole table in `_id` order (comma, header),
 * or the reader's selection and dialect. Text columns named in `clean` hold no cell a spreadsheet
 * would run as a formula and are selected as they are (the bytes are the same either way).
 */
export function csvExportSql(table: string, columns: ExportColumn[], s: ExportSelection = {}, clean?: ReadonlySet<string>): string {
  const select = columns.map((c) => exportExpr(c, s.dialect, clean)).join(', ');
  const { where, order } = selectionSql(columns, s);
  const delimiter = s.dialect === 'excel' ? `, DELIMITER ';'` : '';
  return `COPY (SELECT ${select} FROM ${tableSql(table)}${where}${order}) TO STDOUT WITH (FORMAT csv, HEADER true${delimiter})`;
}

/** A short name of the export's SQL: equal names mean byte-identical exports of one table. */
export function exportVariant(sql: string): string {
  return createHash('sha256').update(sql).digest('hex').slice(0, 16);
}

/**
 * The text columns of a published version in which no cell begins like a formula, found by one
 * scan and kept per version (its data never change); with no `cacheKey`, none (all neutralised).
 */
export async function formulaFreeColumns(db: Knex, table: string, columns: ExportColumn[], cacheKey?: string | null): Promise<ReadonlySet<string>> {
  const text = columns.filter((c) => c.type === 'text');
  if (!cacheKey || !text.length) return new Set();
  const free = await cachedAnswer(db, cacheKey, `formula-free:${JSON.stringify(text.map((c) => c.name))}`, async () => {
    const checks = text.map((c, i) => `coalesce(bool_or(ascii(${quoteIdent(c.name)}) IN (${FORMULA_CODES})), false) AS c${i}`);
    const { rows } = await db.raw(`SELECT ${checks.join(', ')} FROM ${tableSql(table)}`);
    return text.filter((_, i) => rows[0][`c${i}`] === false).map((c) => c.name);
  });
  return new Set(free);
}

/**
 * Streams the CSV export of a version's table into `out`: PostgreSQL's COPY piped straight on.
 * With `cacheKey` (a published version), columns without formula-like cells skip the check.
 */
export async function streamCsvExport(db: Knex, table: string, columns: ExportColumn[], out: NodeJS.WritableStream, s: ExportSelection = {}, cacheKey?: string | null): Promise<void> {
  const sql = csvExportSql(table, columns, s, await formulaFreeColumns(db, table, columns, cacheKey));
  await withClient(db, async (client) => {
    await pipeline(client.query(copyOut(sql)), out);
  });
}

export interface ExportDigest {
  bytes: number;
  sha256: string;
}

/**
 * Size and sha256 of a published version's CSV download, computed once by running the same
 * export and remembered in `export_digests` (a derived cache keyed by the export's SQL).
 */
export async function csvExportDigest(db: Knex, version: { id: number; table_name: string | null }, columns: ExportColumn[]): Promise<ExportDigest | null> {
  if (!version.table_name) return null;
  const variant = exportVariant(csvExportSql(version.table_name, columns));
  const known = await db('export_digests').where({ version_id: version.id, variant }).first();
  if (known) return { bytes: Number(known.bytes), sha256: known.sha256 };
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      hash.update(chunk);
      cb();
    },
  });
  await streamCsvExport(db, version.table_name, columns, sink);
  const digest = { bytes, sha256: hash.digest('hex') };
  await db('export_digests').insert({ version_id: version.id, variant, bytes, sha256: digest.sha256 }).onConflict(['version_id', 'variant']).ignore();
  return digest;
}

/** Digests of many versions at once (computing the missing ones), by version id. */
export async function csvExportDigests(
  db: Knex,
  versions: Array<{ id: number; table_name: string | null; columns: ExportColumn[] }>,
): Promise<Map<number, ExportDigest>> {
  const out = new Map<number, ExportDigest>();
  const keyed = versions.filter((v) => v.table_name).map((v) => ({ v, variant: exportVariant(csvExportSql(v.table_name!, v.columns)) }));
  if (!keyed.length) return out;
  const known = await db('export_digests').whereIn('version_id', keyed.map((k) => k.v.id));
  for (const k of keyed) {
    const row = known.find((r) => r.version_id === k.v.id && r.variant === k.variant);
    if (row) out.set(k.v.id, { bytes: Number(row.bytes), sha256: row.sha256 });
  }
  for (const k of keyed) {
    if (out.has(k.v.id)) continue;
    const d = await csvExportDigest(db, k.v, k.v.columns);
    if (d) out.set(k.v.id, d);
  }
  return out;
}
