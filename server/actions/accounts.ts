import crypto from 'node:crypto';
import { z } from 'zod';
import { hashPassword } from '../auth/password';
import { assertPasswordAcceptable, MAX_PASSWORD_LENGTH } from '../auth/password-rules';
import { newToken } from '../auth/tokens';
import { Conflict, NotFound } from '../errors';
import { ROLES, TOKEN_SCOPES, type TokenScope } from '../policies/actor';
import { canIssueToken, canManageAccounts } from '../policies/organization';
import { defineAction } from './action';
import { newResetLink } from './passwords';
import { checkRoleOrganization, INVITE_LINK_HOURS, orgBySlug } from './users';
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

/**
 * Create a user with a role and (except admins) an organization. Without a password the user is
 * invited: the account gets a random password nobody knows, and a one-time link (returned as
 * `invite`) lets the user choose one.
 */
export const createUser = defineAction({
  name: 'user.create',
  input: z.object({
    email: z.email().max(200).transform((e) => e.toLowerCase()),
    name: z.string().trim().min(2).max(200),
    role: z.enum(ROLES),
    org: slugSchema.optional(),
    password: z.string().max(MAX_PASSWORD_LENGTH).optional(),
  }),
  async load(tx, input) {
    return { org: input.org ? await orgBySlug(tx, input.org) : null };
  },
  authorize: (actor) => canManageAccounts(actor),
  async run({ tx, config }, actor, { org }, input) {
    checkRoleOrganization(input.role, input.role === 'admin' ? null : org);
    if (input.password !== undefined) assertPasswordAcceptable(input.password, input.email);
    const taken = await tx('users').whereRaw('lower(email) = ?', [input.email]).first();
    if (taken) throw new Conflict(`Email ${input.email} sudah terdaftar.`, `Email ${input.email} is already registered.`);
    const password = input.password ?? crypto.randomBytes(32).toString('base64url');
    const [user] = await tx('users')
      .insert({
        email: input.email,
        name: input.name,
        role: input.role,
        organization_id: input.role === 'admin' ? null : (org?.id ?? null),
        password_hash: await hashPassword(password, config.scryptLogN),
      })
      .returning(['id', 'email', 'name', 'role', 'organization_id', 'created_at']);
    const invite = input.password === undefined ? await newResetLink(tx, user.id, actor.id, INVITE_LINK_HOURS * 60) : null;
    return {
      result: { ...user, organization: input.role === 'admin' ? null : (org?.slug ?? null), invite },
      audit: { targetType: 'user', targetId: user.id, organizationId: user.organization_id, details: { email: user.email, role: user.role, invited: invite !== null } },
    };
  },
});

const userNotFound = () => new NotFound('Pengguna tidak ditemukan.', 'User not found.');
const tokenNotFound = () => new NotFound('Token tidak ditemukan.', 'Token not found.');

/** How long a token may live at most (a token that must outlive this is re-issued). */
export const MAX_TOKEN_DAYS = 5 * 366;

/** Issue an API token for a user (stored hashed; the plain token is shown once), with a scope and an optional expiry. */
export const issueToken = defineAction({
  name: 'token.issue',
  input: z.object({
    email: z.email(),
    name: z.string().trim().min(1).max(100).default('API'),
    scope: z.enum(TOKEN_SCOPES).default('write'),
    expires_at: z.coerce
      .date()
      .refine((d) => d.getTime() > Date.now(), { message: 'Tanggal kedaluwarsa harus di masa depan / expiry must be in the future' })
      .refine((d) => d.getTime() <= Date.now() + MAX_TOKEN_DAYS * 86_400_000, { message: `Paling lama ${MAX_TOKEN_DAYS} hari / at most ${MAX_TOKEN_DAYS} days` })
      .optional(),
  }),
  async load(tx, input) {
    // A service account's token is made and rotated by its own actions (actions/service-accounts.ts).
    const user = await tx('users').whereRaw('lower(email) = lower(?)', [input.email]).where({ active: true, kind: 'person' }).first();
    if (!user) throw userNotFound();
    return user as { id: number; email: string; organization_id: number | null };
  },
  // Someone else's account is not told apart from a missing one.
  authorize: (actor, user) => (canIssueToken(actor, user.id) ? true : actor ? userNotFound() : false),
  async run({ tx }, actor, user, input) {
    const { token, hash, prefix } = newToken();
    const [row] = await tx('api_tokens')
      .insert({
        user_id: user.id,
        name: input.name,
        token_hash: hash,
        token_prefix: prefix,
        scope: input.scope,
        expires_at: input.expires_at ?? null,
        created_by: actor.id !== user.id ? actor.id : null,
      })
      .returning(['id', 'name', 'token_prefix', 'scope', 'expires_at', 'created_at']);
    return {
      result: { token, id: row.id, name: row.name, prefix: row.token_prefix, scope: row.scope as TokenScope, expires_at: row.expires_at as Date | null, created_at: row.created_at as Date, email: user.email },
      audit: { targetType: 'token', targetId: row.id, organizationId: user.organization_id, details: { user: user.email, name: row.name, scope: row.scope, expires_at: row.expires_at } },
    };
  },
});

/** Revoke one of the actor's tokens (or any, for the operator); revoking twice changes nothing. */
export const revokeToken = defineAction({
  name: 'token.revoke',
  input: z.object({ id: z.coerce.number().int().positive().max(2 ** 31 - 1) }),
  async load(tx, input) {
    const t = await tx('api_tokens as t').join('users as u', 'u.id', 't.user_id').where('t.id', input.id).select('t.id', 't.user_id', 't.revoked_at', 't.name', 'u.email', 'u.organization_id').first();
    if (!t) throw tokenNotFound();
    return t as { id: number; user_id: number; revoked_at: Date | null; name: string; email: string; organization_id: number | null };
  },
  authorize: (actor, t) => (canIssueToken(actor, t.user_id) ? true : tokenNotFound()),
  async run({ tx }, _actor, t) {
    const n = await tx('api_tokens').where({ id: t.id }).whereNull('revoked_at').update({ revoked_at: tx.fn.now() });
    if (!n) return { result: { id: t.id, revoked: true }, audit: null };
    return { result: { id: t.id, revoked: true }, audit: { targetType: 'token', targetId: t.id, organizationId: t.organization_id, details: { user: t.email, name: t.name } } };
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
