import { z } from 'zod';
import type { Knex } from 'knex';
import { endSessionsOf } from '../auth/sessions';
import type { UserRow } from '../db/rows';
import { Conflict, Invalid, NotFound } from '../errors';
import { ROLES, type Role } from '../policies/actor';
import { canEndSessionsOf, canManageUsers } from '../policies/user';
import { defineAction } from './action';
import { newResetLink } from './passwords';
import { slugSchema } from './schemas';

/** How long an invitation or an admin-made reset link works. */
export const INVITE_LINK_HOURS = 72;

/** The organization kind each role belongs to (admins belong to none). */
export const ROLE_ORG_KIND: Record<Role, 'opd' | 'walidata' | 'pembina' | null> = { produsen: 'opd', walidata: 'walidata', pembina: 'pembina', admin: null };

interface OrgRow {
  id: number;
  slug: string;
  name: string;
  kind: 'opd' | 'walidata' | 'pembina';
  active: boolean;
}

/** Refuses a role and organization that do not go together (and an inactive organization). */
export function checkRoleOrganization(role: Role, org: OrgRow | null): void {
  if (role !== 'admin' && !org) {
    throw new Invalid('Pengguna selain admin harus punya organisasi.', 'Non-admin users need an organization.', [{ path: 'org', message: 'wajib' }]);
  }
  const kind = ROLE_ORG_KIND[role];
  if (org && kind && org.kind !== kind) {
    throw new Invalid(`Peran ${role} harus anggota organisasi berjenis ${kind}.`, `Role ${role} must belong to an organization of kind ${kind}.`, [{ path: 'org', message: kind }]);
  }
  if (org && !org.active) {
    throw new Invalid(`Organisasi ${org.slug} sudah dinonaktifkan.`, `Organization ${org.slug} is deactivated.`, [{ path: 'org', message: 'nonaktif' }]);
  }
}

/** The organization of a slug, locked, or NotFound. */
export async function orgBySlug(tx: Knex.Transaction, slug: string): Promise<OrgRow> {
  const org = await tx('organizations').where({ slug }).forUpdate().first();
  if (!org) throw new NotFound(`Organisasi ${slug} tidak ditemukan.`, `Organization ${slug} not found.`);
  return org as OrgRow;
}

const userRef = z.object({ id: z.coerce.number().int().positive().max(2 ** 31 - 1) });

async function userById(tx: Knex.Transaction, id: number): Promise<UserRow> {
  // Service accounts have their own actions (actions/service-accounts.ts): never a person's.
  const u = await tx('users').where({ id, kind: 'person' }).forUpdate().first();
  if (!u) throw new NotFound('Pengguna tidak ditemukan.', 'User not found.');
  return u as UserRow;
}

/** True when `userId` is the only active admin left (who must not be demoted or deactivated). */
async function isLastAdmin(tx: Knex.Transaction, userId: number): Promise<boolean> {
  const others = await tx('users').where({ role: 'admin', active: true }).whereNot({ id: userId }).first('id');
  return !others;
}

const optionalText = (max: number) => z.string().trim().max(max).optional().transform((v) => (v ? v : null));

/** Change an organization's names and contact (its slug and kind stay: URLs and roles depend on them). */
export const updateOrganization = defineAction({
  name: 'organization.update',
  input: z.object({
    slug: slugSchema,
    name: z.string().trim().min(2).max(200),
    short_name: optionalText(60),
    description: optionalText(4000),
    contact_email: z.union([z.literal(''), z.email()]).optional().transform((v) => v || null),
    website: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).optional().transform((v) => v || null),
  }),
  load: (tx, input) => orgBySlug(tx, input.slug),
  authorize: (actor) => canManageUsers(actor),
  async run({ tx }, _actor, org, input) {
    const { slug: _slug, ...fields } = input;
    const before = await tx('organizations').where({ id: org.id }).first('name', 'short_name', 'description', 'contact_email', 'website');
    const changed = Object.fromEntries(Object.entries(fields).filter(([k, v]) => before[k] !== v));
    if (!Object.keys(changed).length) return { result: org, audit: null };
    const [row] = await tx('organizations').where({ id: org.id }).update(changed).returning('*');
    return {
      result: row as OrgRow,
      audit: { targetType: 'organization', targetId: org.id, organizationId: org.id, details: { slug: org.slug, before: Object.fromEntries(Object.keys(changed).map((k) => [k, before[k]])), after: changed } },
    };
  },
});

/**
 * Deactivate (or activate again) an organization. Deactivated: nothing new is filed under it, its
 * members cannot sign in (their sessions end, their tokens stop); what it published stays public.
 */
export const setOrganizationActive = defineAction({
  name: 'organization.set_active',
  input: z.object({ slug: slugSchema, active: z.boolean() }),
  load: (tx, input) => orgBySlug(tx, input.slug),
  authorize: (actor) => canManageUsers(actor),
  async run({ tx }, _actor, org, input) {
    if (org.active === input.active) return { result: org, audit: null };
    if (!input.active && org.kind !== 'opd') {
      const left = await tx('organizations').where({ kind: org.kind, active: true }).whereNot({ id: org.id }).first('id');
      if (!left) throw new Conflict(`Organisasi ${org.kind} terakhir tidak dapat dinonaktifkan.`, `The last ${org.kind} organization cannot be deactivated.`);
    }
    await tx('organizations').where({ id: org.id }).update({ active: input.active });
    let ended = 0;
    if (!input.active) {
      for (const u of await tx('users').where({ organization_id: org.id }).select('id')) ended += await endSessionsOf(tx, u.id);
    }
    return { result: { ...org, active: input.active }, audit: { targetType: 'organization', targetId: org.id, organizationId: org.id, details: { slug: org.slug, active: input.active, sessions_ended: ended } } };
  },
});

/**
 * Change a user's name, role and organization. A change of role or organization is a change of
 * privilege: the user's sessions end, so no page keeps the old rights.
 */
export const updateUser = defineAction({
  name: 'user.update',
  input: userRef.extend({ name: z.string().trim().min(2).max(200).optional(), role: z.enum(ROLES).optional(), org: z.union([slugSchema, z.literal('')]).optional() }),
  async load(tx, input) {
    const user = await userById(tx, input.id);
    const orgSlug = input.org === undefined ? undefined : input.org;
    const org = orgSlug ? await orgBySlug(tx, orgSlug) : orgSlug === '' ? null : user.organization_id ? ((await tx('organizations').where({ id: user.organization_id }).first()) as OrgRow) : null;
    return { user, org };
  },
  authorize: (actor) => canManageUsers(actor),
  async run({ tx }, _actor, { user, org }, input) {
    const role = input.role ?? user.role;
    const target = role === 'admin' ? null : org;
    const next = { name: input.name ?? user.name, role, organization_id: target?.id ?? null };
    if (next.role !== user.role || next.organization_id !== user.organization_id) checkRoleOrganization(role, target);
    if (user.role === 'admin' && role !== 'admin' && user.active && (await isLastAdmin(tx, user.id))) {
      throw new Conflict('Admin aktif terakhir tidak dapat diturunkan perannya.', 'The last active admin cannot lose the admin role.');
    }
    const before = { name: user.name, role: user.role, organization_id: user.organization_id };
    const changed = Object.fromEntries(Object.entries(next).filter(([k, v]) => before[k as keyof typeof before] !== v));
    if (!Object.keys(changed).length) return { result: { id: user.id, ...next }, audit: null };
    await tx('users').where({ id: user.id }).update(changed);
    const privilege = 'role' in changed || 'organization_id' in changed;
    const ended = privilege ? await endSessionsOf(tx, user.id) : 0;
    return {
      result: { id: user.id, ...next },
      audit: { targetType: 'user', targetId: user.id, organizationId: next.organization_id ?? before.organization_id, details: { email: user.email, before, after: changed, sessions_ended: ended } },
    };
  },
});

/**
 * Deactivate (or activate again) a user. Deactivated: cannot sign in, every session ends at once,
 * every API token stops answering; nothing they did is removed.
 */
export const setUserActive = defineAction({
  name: 'user.set_active',
  input: userRef.extend({ active: z.boolean() }),
  load: (tx, input) => userById(tx, input.id),
  authorize: (actor) => canManageUsers(actor),
  async run({ tx }, actor, user, input) {
    if (user.active === input.active) return { result: { id: user.id, active: user.active }, audit: null };
    if (!input.active && actor.id === user.id) throw new Conflict('Anda tidak dapat menonaktifkan akun Anda sendiri.', 'You cannot deactivate your own account.');
    if (!input.active && user.role === 'admin' && (await isLastAdmin(tx, user.id))) throw new Conflict('Admin aktif terakhir tidak dapat dinonaktifkan.', 'The last active admin cannot be deactivated.');
    if (input.active && user.organization_id) {
      const org = (await tx('organizations').where({ id: user.organization_id }).first()) as OrgRow;
      if (!org.active) throw new Conflict(`Organisasi ${org.slug} nonaktif; aktifkan dulu organisasinya.`, `Organization ${org.slug} is deactivated; activate it first.`);
    }
    await tx('users').where({ id: user.id }).update({ active: input.active, deactivated_at: input.active ? null : tx.fn.now() });
    const ended = input.active ? 0 : await endSessionsOf(tx, user.id);
    return { result: { id: user.id, active: input.active }, audit: { targetType: 'user', targetId: user.id, organizationId: user.organization_id, details: { email: user.email, active: input.active, sessions_ended: ended } } };
  },
});

/**
 * The admin makes a one-time link for a user to set a new password (a forgotten password, or an
 * invitation to a new account). The admin passes it on; it works for INVITE_LINK_HOURS.
 */
export const issuePasswordReset = defineAction({
  name: 'user.password_reset_issue',
  input: userRef,
  load: (tx, input) => userById(tx, input.id),
  authorize: (actor) => canManageUsers(actor),
  async run({ tx }, actor, user) {
    if (!user.active) throw new Conflict('Akun ini nonaktif; aktifkan dulu.', 'This account is deactivated; activate it first.');
    const link = await newResetLink(tx, user.id, actor.id, INVITE_LINK_HOURS * 60);
    return { result: { ...link, email: user.email }, audit: { targetType: 'user', targetId: user.id, organizationId: user.organization_id, details: { email: user.email } } };
  },
});

/** End every browser session of a user ("keluar dari semua perangkat"): oneself, or the admin for anyone. */
export const endSessions = defineAction({
  name: 'user.sessions_end',
  input: userRef.extend({ keep_session: z.string().max(200).optional() }),
  load: (tx, input) => userById(tx, input.id),
  authorize: (actor, user) => (canEndSessionsOf(actor, user.id) ? true : new NotFound('Pengguna tidak ditemukan.', 'User not found.')),
  async run({ tx }, _actor, user, input) {
    const ended = await endSessionsOf(tx, user.id, input.keep_session);
    return { result: { id: user.id, ended }, audit: { targetType: 'user', targetId: user.id, organizationId: user.organization_id, details: { email: user.email, sessions_ended: ended } } };
  },
});
