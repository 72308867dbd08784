import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { qualified } from '../../db/datastore';
import { Conflict, NotFound } from '../../errors';
import { findVersion, versionColumns } from '../../queries/datasets';
import type { Services } from '../../services';
import { csvExportSql, exportVariant, streamCsvExport } from '../../queries/export-csv';
import { fresh } from '../http-cache';
import { parseInput } from '../parse';
import { countable } from '../../usage/bots';

const versionQuery = z.object({ version: z.coerce.number().int().positive().optional() });

/** Streamed downloads of published data and the original files (the Data Package is in routes/api/frictionless). */
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
    const { version, table, columns, filename } = await resolve(req, String(format));
    // A published version's table never changes: its export is named by the version and the
    // export's own SQL (a change of format changes the tag).
    const variant = exportVariant(csvExportSql(table, columns));
    if (fresh(req, res, { key: `${version.uuid}/${format}/${variant}`, modified: version.published_at })) return;

    if (format === 'csv') {
      res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}.csv"` });
      await streamCsvExport(db, table, columns, res);
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

  return r;
}
