import express, { type Request, type Response, type Router } from 'express';
import { perform, untrusted } from '../../actions/action';
import { createWilayah, setWilayahActive, updateWilayah, WILAYAH_KINDS, WILAYAH_LEVELS } from '../../actions/wilayah';
import { AppError, Forbidden, NotFound, userMessage } from '../../errors';
import { canManageWilayah } from '../../policies/wilayah';
import { presentWilayah as present } from '../../presenters/wilayah';
import { findWilayah, listWilayah } from '../../queries/wilayah';
import type { Services } from '../../services';
import { flash } from './csrf';
import { requireUser } from './guards';

const FIELDS = ['level', 'kode_bps', 'kode_kemendagri', 'nama', 'jenis', 'induk_bps'] as const;

/** The form's fields, as text, nothing else. */
function formOf(body: unknown): Record<(typeof FIELDS)[number], string> {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(FIELDS.map((k) => [k, typeof b[k] === 'string' ? (b[k] as string) : ''])) as Record<(typeof FIELDS)[number], string>;
}

/**
 * Each field's own message, in the reader's language (the action's checks carry both; a field the
 * schema refused gets a general one), so the form can mark and describe the field itself.
 */
function fieldErrorsOf(details: unknown, lang: 'id' | 'en', general: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of Array.isArray(details) ? (details as Array<{ path?: unknown; message?: unknown; message_en?: unknown }>) : []) {
    if (typeof d.path !== 'string' || !(FIELDS as readonly string[]).includes(d.path)) continue;
    const message = typeof d.message_en === 'string' ? String(lang === 'en' ? d.message_en : d.message) : general;
    out[d.path] = out[d.path] ? `${out[d.path]} ${message}` : message;
  }
  return out;
}

/** The walidata's reference codes (kode referensi): list, search, add, edit, take out of use (`/manage/wilayah`). */
export function wilayahRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  r.use('/manage/wilayah', requireUser, (req, _res, next) => {
    if (!canManageWilayah(req.actor)) throw new Forbidden();
    next();
  });

  const choices = (form: { level?: unknown; jenis?: unknown }) => ({
    levels: WILAYAH_LEVELS.map((v) => ({ value: v, selected: form.level === v })),
    kinds: WILAYAH_KINDS.map((v) => ({ value: v, selected: form.jenis === v })),
  });

  const errorsView = (req: Request, res: Response, details: unknown) => {
    const fieldErrors = fieldErrorsOf(details, req.lang, res.locals.t('wilayah.fieldInvalid'));
    const focus = FIELDS.find((k) => fieldErrors[k]);
    // The fields say what is wrong with each; the message above the form only points at them.
    return { fieldErrors, focus, ...(focus ? { formError: res.locals.t('wilayah.checkFields') } : {}) };
  };

  async function list(req: Request, res: Response, form?: Record<string, string>, formError?: string, details?: unknown) {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    const rows = await listWilayah(db, q);
    const f = form ?? { level: 'kabupaten_kota', jenis: 'kabupaten', induk_bps: rows.find((w) => w.level === 'provinsi')?.kode_bps ?? '' };
    res.status(formError ? 400 : 200).render('manage/wilayah', { title: res.locals.t('wilayah.title'), rows: rows.map(present), q, form: f, ...choices(f), ...(formError ? { formError, ...errorsView(req, res, details) } : {}) });
  }

  async function edit(req: Request, res: Response, id: number, form?: Record<string, string>, formError?: string, details?: unknown) {
    const w = await findWilayah(db, id);
    if (!w) throw new NotFound('Kode referensi tidak ditemukan.', 'Reference code not found.');
    const f = form ?? { ...present(w), induk_bps: w.induk_bps ?? '' };
    res.status(formError ? 400 : 200).render('manage/wilayah-edit', { title: res.locals.t('wilayah.editTitle', { name: w.nama }), w: present(w), form: f, ...choices(f), ...(formError ? { formError, ...errorsView(req, res, details) } : {}) });
  }

  const idOf = (req: Request) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id <= 0) throw new NotFound('Kode referensi tidak ditemukan.', 'Reference code not found.');
    return id;
  };
  const invalid = (err: unknown) => err instanceof AppError && err.status === 400;

  r.get('/manage/wilayah', (req, res) => list(req, res));

  r.post('/manage/wilayah', async (req, res) => {
    const form = formOf(req.body);
    try {
      const w = await perform(createWilayah, req.actor, untrusted(form), services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('wilayah.added', { name: w.nama }));
    } catch (err) {
      if (!invalid(err)) throw err;
      return list(req, res, form, userMessage(err as AppError, req.lang), (err as AppError).details);
    }
    res.redirect(303, '/manage/wilayah');
  });

  r.get('/manage/wilayah/:id', (req, res) => edit(req, res, idOf(req)));

  r.post('/manage/wilayah/:id', async (req, res) => {
    const id = idOf(req);
    const form = formOf(req.body);
    try {
      const w = await perform(updateWilayah, req.actor, untrusted({ ...form, id }), services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('wilayah.saved', { name: w.nama }));
    } catch (err) {
      if (!invalid(err)) throw err;
      return edit(req, res, id, form, userMessage(err as AppError, req.lang), (err as AppError).details);
    }
    res.redirect(303, '/manage/wilayah');
  });

  r.post('/manage/wilayah/:id/active', async (req, res) => {
    const id = idOf(req);
    const active = req.body?.active === 'true';
    const w = await perform(setWilayahActive, req.actor, untrusted({ id, active }), services, { ip: req.ip });
    flash(req, 'ok', res.locals.t(active ? 'wilayah.activated' : 'wilayah.deactivated', { name: w.nama }));
    // From the code's own page, back to it; from the list, to the list.
    res.redirect(303, req.body?.back === 'edit' ? `/manage/wilayah/${w.id}` : '/manage/wilayah');
  });

  return r;
}
