import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { presentRelease } from '../../presenters/release';
import { presentDataListItem } from '../../presenters/datalist';
import { dataList } from '../../queries/datalist';
import { localDay } from '../../manage/calendar';
import { listReleases } from '../../queries/releases';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { parseInput } from '../parse';

const releasesQuery = z.object({
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});

/** The management part of the JSON API (SPEC §5): releases, the data list, scorecards, requests. */
export function managementApi(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const opts = (req: Request) => ({ base: baseUrl(services, req), lang: req.lang });

  r.get('/releases', async (req, res) => {
    const q = parseInput(releasesQuery, req.query);
    const from = q.from ? new Date(q.from) : new Date(Date.now() - 30 * 86_400_000);
    const to = q.to ? new Date(q.to.length === 10 ? `${q.to}T23:59:59.999+07:00` : q.to) : new Date(Date.now() + 366 * 86_400_000);
    const rows = await listReleases(db, { from, to });
    res.json({ data: rows.map((row) => presentRelease(row, opts(req))), meta: { from: from.toISOString(), to: to.toISOString(), total: rows.length } });
  });

  r.get('/data-list', async (req, res) => {
    const q = parseInput(z.object({ year: z.coerce.number().int().min(2000).max(2100).optional(), organization: z.string().max(120).optional() }), req.query);
    const year = q.year ?? Number(localDay(new Date()).slice(0, 4));
    const items = await dataList(db, req.actor, { year, organization: q.organization });
    res.json({ data: items.map((e) => presentDataListItem(e, opts(req))), meta: { year, organization: q.organization ?? null, total: items.length } });
  });

  return r;
}
