import { z } from 'zod';
import { hashPassword } from '../auth/password';
import { newToken } from '../auth/tokens';
import { Conflict, Invalid, NotFound } from '../errors';
import { ROLES } from '../policies/actor';
import { canIssueToken, canManageAccounts } from '../policies/organization';
import { defineAction } from './action';
import { slugSchema } from './schemas';

/** Create an organization (OPD, walidata or pembina). */
export const createOrganization = defineAction({
  name: 'organization.create',
  input: z.object({
    slug: slugSchema,
    name: z.string().trim().min(2).max(200),
    short_name: z.string().trim().max(60).optional(),
    kind: z.enum(['opd', 'walidata', 'pembina']),
    description: z.string().trim().max(4000).optional(),
    contact_email: z.email().optional(),
    website: z.url().optional(),
  }),
  load: async () => null,
  authorize: (actor) => canManageAccounts(actor),
  async run({ tx }, _actor, _rec, input) {
    const exists = await tx('organizations').where({ slug: input.slug }).first();
    if (exists) throw new Conflict(`Organisasi ${input.slug} sudah ada.`, `Organization ${input.slug} already exists.`);
    const [org] = await tx('organizations').insert(input).returning('*');
    return { result: org, audit: { targetType: 'organization', targetId: org.id, organizationId: org.id, details: { slug: org.slug } } };
  },
});

/** Create a user with a role and (except admins) an organization. */
export const createUser = defineAction({
  name: 'user.create',
  input: z.object({
    email: z.email().transform((e) => e.toLowerCase()),
    name: z.string().trim().min(2).max(200),
    role: z.enum(ROLES),
    org: slugSchema.optional(),
    password: z.string().min(8, 'Kata sandi minimal 8 karakter').max(200),
  }),
  async load(tx, input) {
    if (!input.org) return { org: null };
    const org = await tx('organizations').where({ slug: input.org }).first();
    if (!org) throw new NotFound(`Organisasi ${input.org} tidak ditemukan.`, `Organization ${input.org} not found.`);
    return { org };
  },
  authorize: (actor) => canManageAccounts(actor),
  async run({ tx, config }, _actor, { org }, input) {
    if (input.role !== 'admin' && !org) {
      throw new Invalid('Pengguna selain admin harus punya organisasi (--org).', 'Non-admin users need an organization (--org).');
    }
    const expectedKind = { produsen: 'opd', walidata: 'walidata', pembina: 'pembina', admin: null }[input.role];
    if (org && expectedKind && org.kind !== expectedKind) {
      throw new Invalid(
        `Peran ${input.role} harus anggota organisasi berjenis ${expectedKind}.`,
        `Role ${input.role} must belong to an organization of kind ${expectedKind}.`,
      );
    }
    const taken = await tx('users').whereRaw('lower(email) = ?', [input.email]).first();
    if (taken) throw new Conflict(`Email ${input.email} sudah terdaftar.`, `Email ${input.email} is already registered.`);
    const [user] = await tx('users')
      .insert({
        email: input.email,
        name: input.name,
        role: input.role,
        organization_id: org?.id ?? null,
        password_hash: await hashPassword(input.password, config.scryptLogN),
      })
      .returning(['id', 'email', 'name', 'role', 'organization_id', 'created_at']);
    return {
      result: { ...user, organization: org?.slug ?? null },
      audit: { targetType: 'user', targetId: user.id, organizationId: org?.id ?? null, details: { email: user.email, role: user.role } },
    };
  },
});

/** Issue an API token for a user (stored hashed; the plain token is shown once). */
export const issueToken = defineAction({
  name: 'token.issue',
  input: z.object({ email: z.email(), name: z.string().trim().min(1).max(100).default('API') }),
  async load(tx, input) {
    const user = await tx('users').whereRaw('lower(email) = lower(?)', [input.email]).where({ active: true }).first();
    if (!user) throw new NotFound('Pengguna tidak ditemukan.', 'User not found.');
    return user as { id: number; email: string; organization_id: number | null };
  },
  authorize: (actor, user) => canIssueToken(actor, user.id),
  async run({ tx }, _actor, user, input) {
    const { token, hash, prefix } = newToken();
    const [row] = await tx('api_tokens')
      .insert({ user_id: user.id, name: input.name, token_hash: hash, token_prefix: prefix })
      .returning(['id', 'name', 'token_prefix', 'created_at']);
    return {
      result: { token, id: row.id, name: row.name, prefix: row.token_prefix, email: user.email },
      audit: { targetType: 'token', targetId: row.id, details: { user: user.email, name: row.name } },
    };
  },
});

/** Revoke one of the actor's tokens (or any, for the operator). */
export const revokeToken = defineAction({
  name: 'token.revoke',
  input: z.object({ id: z.coerce.number().int().positive() }),
  async load(tx, input) {
    const t = await tx('api_tokens').where({ id: input.id }).first();
    if (!t) throw new NotFound();
    return t as { id: number; user_id: number; revoked_at: Date | null };
  },
  authorize: (actor, t) => (canIssueToken(actor, t.user_id) ? true : 'hidden'),
  async run({ tx }, _actor, t) {
    await tx('api_tokens').where({ id: t.id }).whereNull('revoked_at').update({ revoked_at: tx.fn.now() });
    return { result: { id: t.id, revoked: true }, audit: { targetType: 'token', targetId: t.id } };
  },
});

/** Record a sign-in (the credentials were checked before; the actor is the user). */
export const signIn = defineAction({
  name: 'user.sign_in',
  input: z.object({ via: z.enum(['web', 'api']) }),
  load: async () => null,
  authorize: (actor) => actor !== null && !actor.system,
  async run({ tx }, actor, _rec, input) {
    await tx('users').where({ id: actor.id }).update({ last_login_at: tx.fn.now() });
    return { result: null, audit: { targetType: 'user', targetId: actor.id, details: { via: input.via } } };
  },
});
