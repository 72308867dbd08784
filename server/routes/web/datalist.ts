import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { perform, preflight, untrusted } from '../../actions/action';
import { createDataListItem, deleteDataListItem, importDataList, linkDataListItem, updateDataListItem } from '../../actions/datalist';
import { AppError, BadCsrf, Forbidden, Invalid, NotFound, Unauthenticated, userMessage } from '../../errors';
import { ITEM_STATUSES } from '../../datalist/status';
import { canLinkDataListItem, canManageDataList, canUseDataListWorkspace } from '../../policies/datalist';
import { dataListItemValues, presentDataListForm, presentDataListPage, workspaceItems } from '../../presenters/datalist';
import { dataList } from '../../queries/datalist';
import { findDataListItem, linkableByOrganization, linkableDatasets, loadDataListForm, loadDataListPage } from '../../queries/datalist-page';
import type { Services } from '../../services';
import { parseInput } from '../parse';
import { uploadFile, withUpload, type UploadGuard } from '../upload';
import { acceptMultipart, csrfValid, flash } from './csrf';
import { requireUser } from './guards';

const listQuery = z.object({
  tahun: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  opd: z.string().max(120).optional().catch(undefined),
  status: z.enum(ITEM_STATUSES).optional().catch(undefined),
});

/** The item form's fields → the action's input. */
function itemFromForm(body: Record<string, unknown>) {
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  return {
    name: str('name'),
    organization: str('organization'),
    topic: str('topic') || undefined,
    frequency: str('frequency'),
    prioritas: body.prioritas === 'on',
    statistics_class: str('statistics_class') || 'sektoral',
    due_month: str('due_month') ? Number(str('due_month')) : null,
    notes: str('notes'),
    dataset: str('dataset') || undefined,
  };
}

/** The public data list (`/daftar-data`) and the workspace where the walidata keeps it and OPDs link datasets. */
export function dataListRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const timeZone = services.config.timeZone;

  async function pageData(req: Request, q: z.output<typeof listQuery>, scope: { organizationId?: number } = {}) {
    const page = await loadDataListPage(db, req.actor, { year: q.tahun, organization: q.opd, status: q.status, organizationId: scope.organizationId, timeZone });
    return presentDataListPage(page, q);
  }

  r.get('/daftar-data', async (req, res) => {
    const q = parseInput(listQuery, req.query);
    const data = await pageData(req, q);
    res.render('datalist/public', { title: `${res.locals.t('datalist.title')} ${data.year}`, ...data });
  });

  // The workspace: the walidata keeps the list; an OPD's producers see their own items and link datasets.
  r.use('/manage/daftar-data', requireUser, (req, _res, next) => {
    if (!canUseDataListWorkspace(req.actor)) throw new Forbidden();
    next();
  });

  const formContext = async (req: Request) => presentDataListForm(await loadDataListForm(db), req.lang);

  r.get('/manage/daftar-data', async (req, res) => {
    const q = parseInput(listQuery, req.query);
    const manage = canManageDataList(req.actor);
    const data = await pageData(req, q, manage ? {} : { organizationId: req.actor!.organizationId ?? -1 });
    const linkable = manage ? new Map() : await linkableByOrganization(db, req.actor, data.items.map((e) => e.organization.id));
    const items = workspaceItems(data.items, req.actor, linkable);
    res.render('datalist/manage', { title: `${res.locals.t('datalist.title')} ${data.year}`, ...data, items, manage, ...(manage ? await formContext(req) : {}), values: { frequency: 'tahunan', statistics_class: 'sektoral' } });
  });

  r.post('/manage/daftar-data', async (req, res) => {
    const year = parseInput(z.coerce.number().int(), req.body.year);
    const input = { ...itemFromForm(req.body), year };
    try {
      await perform(createDataListItem, req.actor, untrusted(input), services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('datalist.created'));
      res.redirect(303, `/manage/daftar-data?tahun=${year}`);
    } catch (err) {
      if (!(err instanceof AppError) || ![400, 409].includes(err.status)) throw err;
      const data = await pageData(req, { tahun: year });
      res.status(err.status).render('datalist/manage', { title: `${res.locals.t('datalist.title')} ${year}`, ...data, manage: true, ...(await formContext(req)), values: input, formError: userMessage(err, req.lang), formErrors: err.details, openForm: true });
    }
  });

  r.get('/manage/daftar-data/:id', async (req, res) => {
    const id = parseInput(z.coerce.number().int().positive(), req.params.id);
    const item = await findDataListItem(db, id);
    if (!item) throw new NotFound('Butir daftar data tidak ditemukan.', 'Data-list item not found.');
    if (!canLinkDataListItem(req.actor, item)) throw new Forbidden();
    const [entry] = await dataList(db, req.actor, { year: item.year, timeZone, ids: [id] });
    res.render('datalist/item', {
      title: entry.name,
      item: entry,
      manage: canManageDataList(req.actor),
      choices: await linkableDatasets(db, req.actor, item.organization_id),
      ...(await formContext(req)),
      values: dataListItemValues(item, entry),
    });
  });

  r.post('/manage/daftar-data/:id', async (req, res) => {
    const id = parseInput(z.coerce.number().int().positive(), req.params.id);
    const back = `/manage/daftar-data/${id}`;
    try {
      if (req.body.action === 'delete') {
        const item = await findDataListItem(db, id);
        await perform(deleteDataListItem, req.actor, { id }, services, { ip: req.ip });
        flash(req, 'ok', res.locals.t('datalist.deleted'));
        return res.redirect(303, `/manage/daftar-data?tahun=${item?.year ?? ''}`);
      }
      if (req.body.action === 'link') {
        await perform(linkDataListItem, req.actor, untrusted({ id, dataset: typeof req.body.dataset === 'string' && req.body.dataset ? req.body.dataset : null }), services, { ip: req.ip });
        flash(req, 'ok', res.locals.t('datalist.linked'));
        return res.redirect(303, typeof req.body.next === 'string' && req.body.next.startsWith('/manage/daftar-data') ? req.body.next : back);
      }
      await perform(updateDataListItem, req.actor, untrusted({ ...itemFromForm(req.body), id }), services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('datalist.saved'));
      res.redirect(303, back);
    } catch (err) {
      if (!(err instanceof AppError) || ![400, 409].includes(err.status)) throw err;
      flash(req, 'error', userMessage(err, req.lang));
      res.redirect(303, back);
    }
  });

  // The import: a CSV or XLSX file read like an upload; a report of what was added and what was refused.
  const importGuard: UploadGuard = {
    async allow(req) {
      if (!req.actor) throw new Unauthenticated();
      await preflight(importDataList, req.actor, {}, services);
    },
    atFile(req) {
      if (!csrfValid(req)) throw new BadCsrf();
    },
  };
  acceptMultipart(/^\/manage\/daftar-data-import$/);
  r.post('/manage/daftar-data-import', uploadFile(services, importGuard), async (req, res) => {
    if (!csrfValid(req)) throw new BadCsrf();
    const year = parseInput(z.coerce.number().int().min(2000).max(2100), req.body?.year);
    try {
      const result = await withUpload(services, req, async (file) => {
        if (!file) throw new Invalid('Pilih berkas CSV atau XLSX.', 'Choose a CSV or XLSX file.', [{ path: 'file', message: 'required' }]);
        return perform(importDataList, req.actor, untrusted({ year, file }), services, { ip: req.ip });
      });
      res.render('datalist/import-result', { title: res.locals.t('datalist.importTitle'), year, result, problems: result.problems.map((p) => ({ ...p, text: req.lang === 'en' ? p.message_en : p.message })) });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      flash(req, 'error', userMessage(err, req.lang));
      res.redirect(303, `/manage/daftar-data?tahun=${year}#impor`);
    }
  });

  return r;
}
