import { createHash } from 'node:crypto';
import express, { type Router } from 'express';
import { presentDataPackage, regionsCsv } from '../../../presenters/datapackage';
import { findVersion, versionColumns } from '../../../queries/datasets';
import { csvExportDigest } from '../../../queries/export-csv';
import { allRegions } from '../../../queries/extent';
import { detectedKey } from '../../../queries/table-key';
import type { Services } from '../../../services';
import { baseUrl } from '../../base-url';
import { jsonCached, sendCached } from '../../http-cache';

/** The Frictionless Data Package of a dataset's current version, and the reference codes it includes. */
export function frictionlessRouter(services: Services): Router {
  const r = express.Router();
  const { db } = services;

  r.get('/dataset/:slug/datapackage.json', async (req, res) => {
    const { dataset, version } = await findVersion(db, req.actor, req.params.slug);
    const columns = await versionColumns(db, version.id);
    const [digest, primaryKey, regions] = await Promise.all([
      csvExportDigest(db, version, columns),
      detectedKey(db, version.table_name, columns),
      allRegions(db),
    ]);
    const csv = Buffer.from(regionsCsv(regions));
    const descriptor = presentDataPackage({
      dataset,
      version: { number: Number(version.number), published_at: version.published_at, row_count: version.row_count },
      columns,
      digest,
      primaryKey,
      reference: { digest: { bytes: csv.length, sha256: createHash('sha256').update(csv).digest('hex') } },
      base: baseUrl(services, req),
    });
    res.set('Content-Type', 'application/json; charset=utf-8');
    jsonCached(req, res, descriptor, dataset.updated_at);
  });

  r.get('/reference/wilayah.csv', async (req, res) => {
    const csv = regionsCsv(await allRegions(db));
    res.set('Content-Disposition', 'inline; filename="wilayah.csv"');
    sendCached(req, res, csv, { type: 'text/csv; charset=utf-8' });
  });
  return r;
}
