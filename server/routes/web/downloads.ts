import { pipeline } from 'node:stream/promises';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { NotFound } from '../../errors';
import type { Services } from '../../services';
import { csvExportSql, exportVariant } from '../../queries/export-csv';
import { EXPORT_FORMATS, streamExport, type ExportFormat } from '../../queries/export-files';
import { loadDownload } from '../../queries/downloads';
import { findVersion } from '../../queries/datasets';
import { fresh } from '../http-cache';
import { filterParam, parseInput } from '../parse';
import { countDownload } from '../../usage/count';
import { versionCacheKey } from '../../queries/version-cache';

const downloadQuery = z.object({
  version: z.coerce.number().int().positive().optional(),
  dialect: z.enum(['excel']).optional(),
  sort: z.string().max(500).optional(),
  q: z.string().max(200).optional(),
});

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Streamed downloads of published data and the original files (the Data Package is in routes/api/frictionless). */
export function downloadRoutes(services: Services): Router {
  const r = express.Router();
  const { db, storage } = services;

  r.get('/dataset/:slug/download.:format', async (req: Request, res: Response) => {
    const format = String(req.params.format) as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new NotFound();
    const p = parseInput(downloadQuery, req.query);
    const selection = { filter: filterParam(req.query.filter), q: p.q, sort: p.sort, dialect: format === 'csv' ? p.dialect : undefined };
    const { dataset, version, table, columns, filename } = await loadDownload(db, req.actor, { slug: String(req.params.slug), version: p.version, selection });
    // A published version's table never changes: its export is named by the version and the
    // export's own SQL (the selection, the dialect and a change of format change the tag).
    const sql = csvExportSql(table, columns, selection); // also refuses a bad selection (400) before any byte is sent
    if (fresh(req, res, { key: `${version.uuid}/${format}/${exportVariant(sql)}`, modified: version.published_at })) return;
    res.set({ 'Content-Type': CONTENT_TYPES[format], 'Content-Disposition': `attachment; filename="${filename}.${format}"` });
    countDownload(services.usage, req, res, { datasetId: dataset.id, state: version.state, format: selection.dialect ? 'csv_excel' : format });
    await streamExport(db, format, table, columns, res, selection, versionCacheKey(version));
  });

  r.get('/dataset/:slug/versions/:n/raw', async (req, res) => {
    const n = parseInput(z.coerce.number().int().positive(), req.params.n);
    const { dataset, version } = await findVersion(db, req.actor, req.params.slug, n);
    countDownload(services.usage, req, res, { datasetId: dataset.id, state: version.state, format: 'raw' });
    const stored = await storage.stat(version.raw_path);
    if (!stored) throw new NotFound();
    res.attachment(version.filename);
    // The raw key names the bytes (content-addressed): a strong validator with no read.
    if (fresh(req, res, { key: version.raw_path, modified: stored.modified })) return;
    res.set('Content-Length', String(stored.size));
    await pipeline(await storage.open(version.raw_path), res);
  });

  return r;
}
