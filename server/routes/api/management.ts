import express, { type Request, type Router } from 'express';
import { presentRelease } from '../../presenters/release';
import { presentDataListItem } from '../../presenters/datalist';
import { dataList } from '../../queries/datalist';
import { scorecards } from '../../queries/scorecards';
import { perform, untrusted } from '../../actions/action';
import { createRequest } from '../../actions/requests';
import { requesterActor } from '../../policies/actor';
import { presentRequest } from '../../presenters/request';
import { findRequest, listRequests } from '../../queries/requests';
import { endOfLocalDay, localDay, startOfLocalDay } from '../../manage/calendar';
import { listReleases } from '../../queries/releases';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { parseInput } from '../parse';
import { dataListQuery, releasesQuery, requestBody, requestsQuery, scorecardsQuery } from './contract';

/** The management part of the JSON API (SPEC §5): releases, the data list, scorecards, requests. */
export function managementApi(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const opts = (req: Request) => ({ base: baseUrl(services, req), lang: req.lang });

  r.get('/releases', async (req, res) => {
    const q = parseInput(releasesQuery, req.query);
    const tz = services.config.timeZone;
    // By default whole local days (30 back, 366 ahead): the same answer all day, so its ETag holds.
    const from = q.from ? (q.from.length === 10 ? startOfLocalDay(q.from, tz) : new Date(q.from)) : startOfLocalDay(localDay(new Date(Date.now() - 30 * 86_400_000), tz), tz);
    const to = q.to ? (q.to.length === 10 ? endOfLocalDay(q.to, tz) : new Date(q.to)) : endOfLocalDay(localDay(new Date(Date.now() + 366 * 86_400_000), tz), tz);
    const rows = await listReleases(db, { from, to });
    res.json({ data: rows.map((row) => presentRelease(row, opts(req))), meta: { from: from.toISOString(), to: to.toISOString(), total: rows.length } });
  });

  r.get('/data-list', async (req, res) => {
    const q = parseInput(dataListQuery, req.query);
    const year = q.year ?? Number(localDay(new Date(), services.config.timeZone).slice(0, 4));
    const items = await dataList(db, req.actor, { year, timeZone: services.config.timeZone, organization: q.organization });
    res.json({ data: items.map((e) => presentDataListItem(e, opts(req))), meta: { year, organization: q.organization ?? null, total: items.length } });
  });

  r.get('/scorecards', async (req, res) => {
    const q = parseInput(scorecardsQuery, req.query);
    const year = q.year ?? Number(localDay(new Date(), services.config.timeZone).slice(0, 4));
    const rows = await scorecards(db, { year, timeZone: services.config.timeZone, quarter: q.quarter });
    res.json({
      data: rows.map(({ organization, ...figures }) => ({ organization: { slug: organization.slug, name: organization.name, short_name: organization.short_name }, ...figures })),
      meta: { year, quarter: q.quarter ?? null },
    });
  });

  r.get('/requests', async (req, res) => {
    const q = parseInput(requestsQuery, req.query);
    const { rows, total } = await listRequests(db, req.actor, { state: q.state, page: q.page, per_page: q.per_page });
    res.json({ data: rows.map((x) => presentRequest(x, { base: opts(req).base })), meta: { total, page: q.page, per_page: q.per_page } });
  });

  // No sign-in: anyone may ask (throttled per address in the action; spam refused).
  r.post('/requests', async (req, res) => {
    const body = parseInput(requestBody, req.body);
    const out = await perform(createRequest, req.actor ?? requesterActor, untrusted(body), services, { ip: req.ip });
    const row = await findRequest(db, out.id);
    res.status(201).json({ data: presentRequest(row!, { base: opts(req).base }) });
  });

  return r;
}
