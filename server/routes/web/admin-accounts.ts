import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { perform, untrusted } from '../../actions/action';
import { createOrganization, createUser } from '../../actions/accounts';
import { endSessions, INVITE_LINK_HOURS, issuePasswordReset, setOrganizationActive, setUserActive, updateOrganization, updateUser } from '../../actions/users';
import { AppError, NotFound, userMessage } from '../../errors';
import { log } from '../../log';
import { ROLES } from '../../policies/actor';
import { presentAdminOrganization, presentAdminUser } from '../../presenters/account';
import { pagination } from '../../presenters/pagination';
import { findOrganizationForAdmin, findUserForAdmin, listOrganizationsForAdmin, listUsers, openSessionCount } from '../../queries/accounts';
import type { Services } from '../../services';
import { baseUrl } from '../base-url';
import { parseInput } from '../parse';
import { attempt, flash } from './csrf';

const ORG_KINDS = ['opd', 'walidata', 'pembina'] as const;
const PER_PAGE = 50;

const userFilters = z.object({
  q: z.string().max(200).optional(),
  role: z.enum(ROLES).optional().or(z.literal('').transform(() => undefined)),
  org: z.string().max(100).optional().or(z.literal('').transform(() => undefined)),
  state: z.enum(['active', 'inactive']).optional().or(z.literal('').transform(() => undefined)),
  page: z.coerce.number().int().min(1).catch(1).default(1),
});

const idParam = z.coerce.number().int().positive().max(2 ** 31 - 1);

/** A refusal the form can show again with what was typed (400, 404, 409); anything else is thrown on. */
function refusal(err: unknown, lang: 'id' | 'en'): { status: number; message: string; errors?: unknown } {
  if (!(err instanceof AppError) || ![400, 404, 409].includes(err.status)) throw err;
  return { status: err.status, message: userMessage(err, lang), errors: err.details };
}

/** The admin's pages for organizations and users (mounted behind the /admin guard). */
export function adminAccountRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  const linkFor = (req: Request, token: string) => `${baseUrl(services, req)}/password/reset/${token}`;

  r.get('/admin', (req, res) => res.render('admin/index', { title: res.locals.t('admin.title') }));

  // Organizations.
  const orgForm = (req: Request, res: Response, view: { values?: Record<string, unknown>; editing?: string; error?: string; errors?: unknown }, status = 200) =>
    res.status(status).render('admin/organization-form', { title: res.locals.t(view.editing ? 'admin.orgs.edit' : 'admin.orgs.new'), kinds: ORG_KINDS, values: view.values ?? { kind: 'opd' }, ...view });

  r.get('/admin/organizations', async (req, res) => {
    const f = parseInput(z.object({ q: z.string().max(200).optional(), kind: z.enum(ORG_KINDS).optional().or(z.literal('').transform(() => undefined)) }), req.query);
    const orgs = await listOrganizationsForAdmin(db, f);
    res.render('admin/organizations', { title: res.locals.t('admin.orgs.title'), orgs: orgs.map(presentAdminOrganization), filters: f, kinds: ORG_KINDS });
  });

  r.get('/admin/organizations/new', (req, res) => orgForm(req, res, {}));

  r.post('/admin/organizations', async (req, res) => {
    const b = req.body ?? {};
    const values = { slug: b.slug, name: b.name, short_name: b.short_name || undefined, kind: b.kind, description: b.description || undefined, contact_email: b.contact_email || undefined, website: b.website || undefined };
    try {
      const org = await perform(createOrganization, req.actor, untrusted(values), services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('admin.orgs.created', { name: org.name }));
      res.redirect(303, '/admin/organizations');
    } catch (err) {
      const e = refusal(err, req.lang);
      orgForm(req, res, { values: b, error: e.message, errors: e.errors }, e.status);
    }
  });

  r.get('/admin/organizations/:slug/edit', async (req, res) => {
    const org = await findOrganizationForAdmin(db, String(req.params.slug));
    if (!org) throw new NotFound('Organisasi tidak ditemukan.', 'Organization not found.');
    orgForm(req, res, { values: presentAdminOrganization(org), editing: org.slug });
  });

  r.post('/admin/organizations/:slug/edit', async (req, res) => {
    const slug = String(req.params.slug);
    const b = req.body ?? {};
    try {
      await perform(updateOrganization, req.actor, untrusted({ slug, name: b.name, short_name: b.short_name, description: b.description, contact_email: b.contact_email, website: b.website }), services, { ip: req.ip });
      flash(req, 'ok', res.locals.t('admin.saved'));
      res.redirect(303, '/admin/organizations');
    } catch (err) {
      const e = refusal(err, req.lang);
      const org = await findOrganizationForAdmin(db, slug);
      if (!org) throw err;
      orgForm(req, res, { values: { ...presentAdminOrganization(org), ...b }, editing: slug, error: e.message, errors: e.errors }, e.status);
    }
  });

  for (const [path, active] of [['deactivate', false], ['activate', true]] as const) {
    r.post(`/admin/organizations/:slug/${path}`, async (req, res) => {
      const out = await attempt(req, () => perform(setOrganizationActive, req.actor, untrusted({ slug: req.params.slug, active }), services, { ip: req.ip }), [400, 404, 409]);
      if (out) flash(req, 'ok', res.locals.t(active ? 'admin.orgs.activated' : 'admin.orgs.deactivated', { name: out.name }));
      res.redirect(303, '/admin/organizations');
    });
  }

  // Users.
  const orgChoices = async () => (await listOrganizationsForAdmin(db)).filter((o) => o.active).map((o) => ({ slug: o.slug, name: o.name, kind: o.kind }));

  r.get('/admin/users', async (req, res) => {
    const f = parseInput(userFilters, req.query);
    const [{ rows, total }, orgs] = await Promise.all([listUsers(db, { ...f, q: f.q?.trim() || undefined, per_page: PER_PAGE }), listOrganizationsForAdmin(db)]);
    const query = Object.fromEntries(Object.entries(f).filter(([k, v]) => k !== 'page' && v));
    res.render('admin/users', { title: res.locals.t('admin.users.title'), users: rows.map(presentAdminUser), filters: f, query, roles: ROLES, orgs, total, pager: pagination(f.page, total, PER_PAGE) });
  });

  const userForm = async (req: Request, res: Response, view: { values?: Record<string, unknown>; error?: string; errors?: unknown }, status = 200) =>
    res.status(status).render('admin/user-new', { title: res.locals.t('admin.users.new'), roles: ROLES, orgs: await orgChoices(), values: view.values ?? { role: 'produsen' }, error: view.error, errors: view.errors, inviteHours: INVITE_LINK_HOURS });

  r.get('/admin/users/new', (req, res) => userForm(req, res, {}));

  r.post('/admin/users', async (req, res) => {
    const b = req.body ?? {};
    const values = { email: b.email, name: b.name, role: b.role, org: b.role === 'admin' ? undefined : b.org || undefined, password: b.password || undefined };
    try {
      const out = await perform(createUser, req.actor, untrusted(values), services, { ip: req.ip });
      if (out.invite) {
        const url = linkFor(req, out.invite.token);
        log.warn({ event: 'password_reset_link', kind: 'invitation', email: out.email, url, expires_at: out.invite.expires_at }, 'invitation link');
        res.set('Cache-Control', 'no-store');
        return res.status(201).render('admin/link', { title: res.locals.t('admin.users.invited'), heading: res.locals.t('admin.users.invitedFor', { email: out.email }), url, hours: INVITE_LINK_HOURS, userId: out.id });
      }
      flash(req, 'ok', res.locals.t('admin.users.created', { email: out.email }));
      res.redirect(303, `/admin/users/${out.id}`);
    } catch (err) {
      const e = refusal(err, req.lang);
      await userForm(req, res, { values: { ...b, password: '' }, error: e.message, errors: e.errors }, e.status);
    }
  });

  const showUser = async (req: Request, res: Response, status = 200, form: { error?: string; errors?: unknown } = {}) => {
    const id = parseInput(idParam, req.params.id);
    const u = await findUserForAdmin(db, id);
    if (!u) throw new NotFound('Pengguna tidak ditemukan.', 'User not found.');
    res.status(status).render('admin/user', {
      title: u.name,
      u: presentAdminUser(u),
      roles: ROLES,
      orgs: await orgChoices(),
      sessions: await openSessionCount(db, u.id),
      self: u.id === req.actor?.id,
      ...form,
    });
  };

  r.get('/admin/users/:id', (req, res) => showUser(req, res));

  r.post('/admin/users/:id', async (req, res) => {
    const b = req.body ?? {};
    try {
      await perform(updateUser, req.actor, untrusted({ id: req.params.id, name: b.name, role: b.role, org: b.role === 'admin' ? '' : b.org }), services, { ip: req.ip });
    } catch (err) {
      const e = refusal(err, req.lang);
      return showUser(req, res, e.status, { error: e.message, errors: e.errors });
    }
    flash(req, 'ok', res.locals.t('admin.saved'));
    res.redirect(303, `/admin/users/${encodeURIComponent(String(req.params.id))}`);
  });

  for (const [path, active] of [['deactivate', false], ['activate', true]] as const) {
    r.post(`/admin/users/:id/${path}`, async (req, res) => {
      const out = await attempt(req, () => perform(setUserActive, req.actor, untrusted({ id: req.params.id, active }), services, { ip: req.ip }), [400, 404, 409]);
      if (out) flash(req, 'ok', res.locals.t(active ? 'admin.users.activated' : 'admin.users.deactivated'));
      res.redirect(303, `/admin/users/${encodeURIComponent(String(req.params.id))}`);
    });
  }

  r.post('/admin/users/:id/sign-out', async (req, res) => {
    const out = await attempt(req, () => perform(endSessions, req.actor, untrusted({ id: req.params.id, keep_session: req.sessionID }), services, { ip: req.ip }), [400, 404]);
    if (out) flash(req, 'ok', res.locals.t('sessions.ended', { count: out.ended }));
    res.redirect(303, `/admin/users/${encodeURIComponent(String(req.params.id))}`);
  });

  r.post('/admin/users/:id/reset-password', async (req, res) => {
    const out = await attempt(req, () => perform(issuePasswordReset, req.actor, untrusted({ id: req.params.id }), services, { ip: req.ip }), [400, 404, 409]);
    if (!out) return res.redirect(303, `/admin/users/${encodeURIComponent(String(req.params.id))}`);
    const url = linkFor(req, out.token);
    log.warn({ event: 'password_reset_link', kind: 'admin', email: out.email, url, expires_at: out.expires_at }, 'password reset link');
    res.set('Cache-Control', 'no-store');
    res.status(201).render('admin/link', { title: res.locals.t('admin.users.resetLink'), heading: res.locals.t('admin.users.resetLinkFor', { email: out.email }), url, hours: INVITE_LINK_HOURS, userId: Number(req.params.id) });
  });

  return r;
}
