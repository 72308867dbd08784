import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import { to as copyTo } from 'pg-copy-streams';
import { quoteIdent, tableSql } from '../db/datastore';
import { withClient } from '../db/knex';

/** A column as the CSV export needs it. */
export interface ExportColumn {
  name: string;
  type: string;
}

/**
 * How each column is selected for CSV export: booleans as true/false rather than t/f, and text
 * that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first) behind an
 * apostrophe, as OWASP advises. Typed columns (numbers, dates) are left as they are.
 */
function exportExpr(c: ExportColumn): string {
  const q = quoteIdent(c.name);
  if (c.type === 'boolean') return `CASE WHEN ${q} THEN 'true' WHEN NOT ${q} THEN 'false' END AS ${q}`;
  if (c.type === 'text') return `CASE WHEN ${q} ~ '^[-=+@\\t\\r]' THEN '''' || ${q} ELSE ${q} END AS ${q}`;
  return q;
}

/** The COPY statement of a version's whole-table CSV download (comma, header, `_id` order). */
export function csvExportSql(table: string, columns: ExportColumn[]): string {
  const select = columns.map(exportExpr).join(', ');
  return `COPY (SELECT ${select} FROM ${tableSql(table)} ORDER BY "_id") TO STDOUT WITH (FORMAT csv, HEADER true)`;
}

/** A short name of the export's SQL: equal names mean byte-identical exports of one table. */
export function exportVariant(sql: string): string {
  return createHash('sha256').update(sql).digest('hex').slice(0, 16);
}

/** Streams the CSV export of a version's table into `out`. */
export async function streamCsvExport(db: Knex, table: string, columns: ExportColumn[], out: NodeJS.WritableStream): Promise<void> {
  await withClient(db, async (client) => {
    await pipeline(client.query(copyTo(csvExportSql(table, columns))), out);
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
