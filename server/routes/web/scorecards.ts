import express, { type Request, type Response, type Router } from 'express';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { perform } from '../../actions/action';
import { DUE_SOON_DAYS, remindOrganization } from '../../actions/reminders';
import { AppError, Forbidden, NotFound, userMessage } from '../../errors';
import { addDays, localDay } from '../../manage/calendar';
import { canManageDataList } from '../../policies/datalist';
import { canManageRelease } from '../../policies/release';
import { dataList, dataListYears } from '../../queries/datalist';
import { scheduledVersions } from '../../queries/releases';
import { provinceTotals, scorecards, type ScorecardRow } from '../../queries/scorecards';
import type { Services } from '../../services';
import { parseInput } from '../parse';
import { flash } from './csrf';
import { requireUser } from './guards';

const SORTS = ['name', 'items', 'deliveries', 'delivered', 'on_time', 'late', 'published', 'avg_quality', 'avg_review_days', 'changes_requested_rate', 'on_time_rate'] as const;

const cardQuery = z.object({
  tahun: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  triwulan: z.coerce.number().int().min(1).max(4).optional().catch(undefined),
  urut: z.enum(SORTS).optional().catch(undefined),
  arah: z.enum(['asc', 'desc']).optional().catch(undefined),
});

/** The columns of the scorecard table and exports, in order. */
const COLUMNS = ['items', 'deliveries', 'delivered', 'on_time', 'late', 'published', 'avg_quality', 'avg_review_days', 'changes_requested_rate', 'on_time_rate'] as const;

/** A spreadsheet cell that would run as a formula goes out behind an apostrophe (OWASP). */
const cellText = (s: string) => (/^[-=+@\t\r]/.test(s) ? `'${s}` : s);

function sortRows(rows: ScorecardRow[], key: (typeof SORTS)[number], dir: 'asc' | 'desc'): ScorecardRow[] {
  const val = (r: ScorecardRow) => (key === 'name' ? (r.organization.short_name ?? r.organization.name).toLowerCase() : r[key]);
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    if (x === y) return a.organization.name.localeCompare(b.organization.name);
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * sign;
  });
}

/** OPD scorecards (public and the walidata's), their exports, and the walidata's management dashboard. */
export function scorecardRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const timeZone = services.config.timeZone;
  const thisYear = () => Number(localDay(new Date(), timeZone).slice(0, 4));

  async function cards(req: Request) {
    const q = parseInput(cardQuery, req.query);
    const years = await dataListYears(db);
    const year = q.tahun ?? thisYear();
    const rows = await scorecards(db, { year, timeZone, quarter: q.triwulan });
    const key = q.urut ?? 'on_time_rate';
    const dir = q.arah ?? (key === 'name' || key === 'avg_review_days' || key === 'late' || key === 'changes_requested_rate' ? 'asc' : 'desc');
    const sorted = sortRows(rows, key, dir);
    const base = { tahun: String(year), ...(q.triwulan ? { triwulan: String(q.triwulan) } : {}) };
    const headers = (['name', ...COLUMNS] as const).map((k) => {
      const active = k === key;
      const next = active && dir === 'desc' ? 'asc' : active ? 'desc' : k === 'name' ? 'asc' : 'desc';
      return { key: k, active, dir: active ? dir : null, href: `?${new URLSearchParams({ ...base, urut: k, arah: next })}` };
    });
    return {
      year,
      quarter: q.triwulan ?? null,
      years: [...new Set([...years, thisYear()])].sort((a, b) => b - a),
      rows: sorted,
      totals: provinceTotals(rows),
      headers,
      query: base,
      exportQuery: new URLSearchParams(base).toString(),
      chart: {
        labels: sorted.map((x) => x.organization.short_name ?? x.organization.name),
        onTime: sorted.map((x) => x.on_time),
        late: sorted.map((x) => x.late),
        quality: sorted.map((x) => x.avg_quality),
      },
    };
  }

  function exportRows(rows: ScorecardRow[], t: Response['locals']['t']) {
    const head = [t('scorecard.col.name'), 'slug', ...COLUMNS.map((c) => t(`scorecard.col.${c}`))];
    const body = rows.map((x) => [cellText(x.organization.name), x.organization.slug, ...COLUMNS.map((c) => x[c])]);
    return { head, body };
  }

  r.get('/opd', async (req, res) => {
    res.render('scorecards/index', { title: res.locals.t('scorecard.title'), ...(await cards(req)), chartPage: true, pageScript: 'manage.js', exportBase: '/opd' });
  });

  r.get(['/opd.csv', '/manage/opd.csv'], async (req, res) => {
    const data = await cards(req);
    const { head, body } = exportRows(data.rows, res.locals.t);
    res.type('text/csv; charset=utf-8').attachment(`kinerja-opd-${data.year}${data.quarter ? `-tw${data.quarter}` : ''}.csv`);
    res.send(`\ufeff${stringify([head, ...body])}`);
  });

  r.get(['/opd.xlsx', '/manage/opd.xlsx'], async (req, res) => {
    const data = await cards(req);
    const { head, body } = exportRows(data.rows, res.locals.t);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(`${data.year}${data.quarter ? ` TW${data.quarter}` : ''}`);
    ws.addRow(head).font = { bold: true };
    for (const row of body) ws.addRow(row);
    ws.columns.forEach((c, i) => (c.width = i === 0 ? 50 : 16));
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').attachment(`kinerja-opd-${data.year}${data.quarter ? `-tw${data.quarter}` : ''}.xlsx`);
    res.send(Buffer.from(await wb.xlsx.writeBuffer()));
  });

  r.get('/opd/:slug', async (req, res) => {
    const org = await db('organizations').where({ slug: req.params.slug, kind: 'opd' }).first();
    if (!org) throw new NotFound('OPD tidak ditemukan.', 'OPD not found.');
    const q = parseInput(cardQuery, req.query);
    const year = q.tahun ?? thisYear();
    const [card] = await scorecards(db, { year, timeZone, organization: org.slug });
    const quarters = await Promise.all([1, 2, 3, 4].map(async (n) => ({ n, ...(await scorecards(db, { year, timeZone, quarter: n, organization: org.slug }))[0] })));
    const items = await dataList(db, req.actor, { year, timeZone, organizationId: org.id });
    res.render('scorecards/show', {
      title: `${res.locals.t('scorecard.title')}: ${org.short_name ?? org.name}`,
      organization: org,
      year,
      years: [...new Set([...(await dataListYears(db)), thisYear()])].sort((a, b) => b - a),
      card,
      quarters,
      items,
      chartPage: true,
      pageScript: 'manage.js',
      chart: { labels: quarters.map((x) => `TW${x.n}`), onTime: quarters.map((x) => x.on_time), late: quarters.map((x) => x.late), quality: quarters.map((x) => x.avg_quality) },
    });
  });

  // The walidata's part: the management dashboard and the scorecards with reminders.
  r.use('/manage', requireUser);
  const custodian = (req: Request) => {
    if (!canManageDataList(req.actor)) throw new Forbidden();
  };

  r.get('/manage', async (req, res) => {
    custodian(req);
    const year = thisYear();
    const today = localDay(new Date(), timeZone);
    const soon = addDays(today, DUE_SOON_DAYS);
    // Last year's list can still be late; next year's first deliveries can already be due.
    const all = (await Promise.all([year - 1, year, year + 1].map((y) => dataList(db, req.actor, { year: y, timeZone, today })))).flat();
    const due = all.flatMap((e) => e.periods.filter((p) => p.due && p.due >= today && p.due <= soon && p.status !== 'terbit' && p.status !== 'terbit_terlambat').map((p) => ({ item: e, period: p })));
    const late = all.flatMap((e) => e.periods.filter((p) => p.status === 'terlambat').map((p) => ({ item: e, period: p })));
    // Per OPD and year; within it one line per item, however many of its periods are listed
    // (a monthly item a year behind is one line with its eleven periods, not eleven lines).
    const byOrg = (list: typeof due) => {
      type Entry = (typeof list)[number];
      const m = new Map<string, { organization: Entry['item']['organization']; year: number; items: Map<number, { item: Entry['item']; periods: Entry['period'][] }> }>();
      for (const x of list) {
        const k = `${x.item.organization.slug}|${x.item.year}`;
        const g = m.get(k) ?? m.set(k, { organization: x.item.organization, year: x.item.year, items: new Map() }).get(k)!;
        (g.items.get(x.item.id) ?? g.items.set(x.item.id, { item: x.item, periods: [] }).get(x.item.id)!).periods.push(x.period);
      }
      return [...m.values()].map((g) => ({
        ...g,
        items: [...g.items.values()].map((e) => ({ ...e, first: e.periods[0], last: e.periods[e.periods.length - 1], many: e.periods.length > 1 })),
      }));
    };
    const scheduled = await scheduledVersions(db);
    const requests = await db('data_requests').whereIn('state', ['baru']).whereNull('hidden_at').count<{ n: number }[]>({ n: '*' });
    res.render('manage/index', {
      title: res.locals.t('manage.title'),
      year,
      dueGroups: byOrg(due),
      lateGroups: byOrg(late),
      dueCount: due.length,
      lateCount: late.length,
      scheduled,
      canManageRelease: canManageRelease(req.actor),
      newRequests: Number(requests[0].n),
    });
  });

  r.get('/manage/opd', async (req, res) => {
    custodian(req);
    res.render('scorecards/index', { title: res.locals.t('scorecard.title'), ...(await cards(req)), chartPage: true, pageScript: 'manage.js', exportBase: '/manage/opd', manage: true });
  });

  r.post('/manage/remind', async (req, res) => {
    const back = typeof req.body.next === 'string' && /^\/manage(\/|$|\?)/.test(req.body.next) ? req.body.next : '/manage';
    try {
      const out = await perform(remindOrganization, req.actor, { organization: String(req.body.organization ?? ''), year: Number(req.body.year), note: String(req.body.note ?? '') }, services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('manage.reminded', { count: out.recipients }));
    } catch (err) {
      if (!(err instanceof AppError) || ![400, 409].includes(err.status)) throw err;
      flash(req, 'error', userMessage(err, req.lang));
    }
    res.redirect(303, back);
  });

  return r;
}
