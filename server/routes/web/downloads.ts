import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import express, { type Request, type Response, type Router } from 'express';
import { to as copyTo } from 'pg-copy-streams';
import { z } from 'zod';
import { qualified, quoteIdent, tableSql } from '../../db/datastore';
import { withClient } from '../../db/knex';
import { Conflict, NotFound } from '../../errors';
import { findVersion, versionColumns } from '../../queries/datasets';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { parseInput } from '../parse';
import { countable } from '../../usage/bots';

const versionQuery = z.object({ version: z.coerce.number().int().positive().optional() });

/**
 * How each column is selected for CSV export: booleans as true/false rather than t/f, and text
 * that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first) behind an
 * apostrophe, as OWASP advises. Typed columns (numbers, dates) are left as they are.
 */
function exportExpr(c: { name: string; type: string }): string {
  const q = quoteIdent(c.name);
  if (c.type === 'boolean') return `CASE WHEN ${q} THEN 'true' WHEN NOT ${q} THEN 'false' END AS ${q}`;
  if (c.type === 'text') return `CASE WHEN ${q} ~ '^[-=+@\\t\\r]' THEN '''' || ${q} ELSE ${q} END AS ${q}`;
  return q;
}

const FRICTIONLESS_TYPES: Record<string, string> = {
  integer: 'integer', number: 'number', text: 'string', date: 'date', year: 'year', boolean: 'boolean',
};

/** Streamed downloads of published data, the original files, and the Data Package. */
export function downloadRoutes(services: Services): Router {
  const r = express.Router();
  const { db, storage } = services;

  async function resolve(req: Request, format: string) {
    const { version: n } = parseInput(versionQuery, req.query);
    const { dataset, version } = await findVersion(db, req.actor, String(req.params.slug), n);
    const table = version.table_name;
    if (!table) throw new Conflict('Versi ini tidak memiliki tabel data.', 'This version has no data table.');
    const columns = await versionColumns(db, version.id);
    // Readers' downloads of published data are counted (in memory, written in batches).
    if ((version.state === 'published' || version.state === 'superseded') && countable(req)) services.usage.download(dataset.id, format);
    const filename = `${dataset.slug}-v${version.number}`;
    return { dataset, version, table, columns, filename };
  }

  r.get('/dataset/:slug/download.:format', async (req: Request, res: Response) => {
    const format = req.params.format;
    if (!['csv', 'json', 'xlsx'].includes(String(format))) throw new NotFound();
    const { table, columns, filename } = await resolve(req, String(format));
    const select = columns.map((c) => exportExpr(c as { name: string; type: string })).join(', ');

    if (format === 'csv') {
      res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}.csv"` });
      await withClient(db, async (client) => {
        const out = client.query(copyTo(`COPY (SELECT ${select} FROM ${tableSql(table)} ORDER BY "_id") TO STDOUT WITH (FORMAT csv, HEADER true)`));
        await pipeline(out, res);
      });
      return;
    }

    const rows = db.from(qualified(table)).select(columns.map((c) => c.name as string)).orderBy('_id').stream();
    if (format === 'json') {
      res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}.json"` });
      let first = true;
      const toJson = new Transform({
        writableObjectMode: true,
        transform(row, _e, cb) {
          cb(null, (first ? '[\n' : ',\n') + JSON.stringify(row));
          first = false;
        },
        flush(cb) {
          cb(null, first ? '[]\n' : '\n]\n');
        },
      });
      await pipeline(rows, toJson, res);
      return;
    }

    res.set({
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="${filename}.xlsx"`,
    });
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useSharedStrings: false, useStyles: false });
    const ws = wb.addWorksheet('data');
    ws.addRow(columns.map((c) => c.name)).commit();
    for await (const row of rows as AsyncIterable<Record<string, unknown>>) {
      ws.addRow(columns.map((c) => row[c.name] ?? null)).commit();
    }
    ws.commit();
    await wb.commit();
  });

  r.get('/dataset/:slug/versions/:n/raw', async (req, res) => {
    const n = parseInput(z.coerce.number().int().positive(), req.params.n);
    const { dataset, version } = await findVersion(db, req.actor, req.params.slug, n);
    if ((version.state === 'published' || version.state === 'superseded') && countable(req)) services.usage.download(dataset.id, 'raw');
    res.download(storage.path(version.raw_path), version.filename);
  });

  r.get('/dataset/:slug/datapackage.json', async (req, res) => {
    const { dataset, version } = await findVersion(db, req.actor, req.params.slug);
    const columns = await versionColumns(db, version.id);
    const base = baseUrl(services, req);
    res.json({
      profile: 'tabular-data-package',
      name: dataset.slug,
      title: dataset.title,
      description: dataset.description,
      version: String(version.number),
      homepage: `${base}/dataset/${dataset.slug}`,
      licenses: [{ name: dataset.license, path: dataset.license.startsWith('CC-') ? `https://creativecommons.org/licenses/${dataset.license.slice(3, -4).toLowerCase()}/4.0/` : undefined }],
      sources: dataset.source ? [{ title: dataset.source }] : [],
      keywords: dataset.tags,
      resources: [
        {
          name: dataset.slug,
          path: `${base}/dataset/${dataset.slug}/download.csv?version=${version.number}`,
          profile: 'tabular-data-resource',
          format: 'csv',
          mediatype: 'text/csv',
          encoding: 'utf-8',
          dialect: { delimiter: ',', header: true },
          schema: {
            fields: columns.map((c) => ({
              name: c.name,
              title: c.label,
              type: FRICTIONLESS_TYPES[c.type],
              ...(c.description ? { description: c.description } : {}),
              ...(c.unit ? { unit: c.unit } : {}),
              'satudata:role': c.role,
              ...(c.ref_scheme ? { 'satudata:ref_scheme': c.ref_scheme } : {}),
            })),
          },
        },
      ],
    });
  });

  return r;
}
