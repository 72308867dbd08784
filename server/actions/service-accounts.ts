import type { Knex } from 'knex';
import { z } from 'zod';
import { newToken } from '../auth/tokens';
import { Conflict, Invalid, NotFound } from '../errors';
import { canManageServiceAccounts } from '../policies/service-account';
import { defineAction } from './action';
import { MAX_TOKEN_DAYS } from './accounts';
import { slugSchema } from './schemas';
import { orgBySlug } from './users';

/** The e-mail domain of service accounts: `.invalid` (RFC 2606) never receives mail, so no link reaches one. */
export const SERVICE_EMAIL_DOMAIN = 'layanan.satudata.invalid';

interface ServiceRow {
  id: number;
  email: string;
  name: string;
  organization_id: number;
  active: boolean;
}

const serviceNotFound = () => new NotFound('Akun layanan tidak ditemukan.', 'Service account not found.');

async function serviceById(tx: Knex.Transaction, id: number): Promise<ServiceRow> {
  const u = await tx('users').where({ id, kind: 'service' }).forNoKeyUpdate().first('id', 'email', 'name', 'organization_id', 'active');
  if (!u) throw serviceNotFound();
  return u as ServiceRow;
}

/** The datasets named, all of the organization's: a service account acts for one OPD only. */
async function datasetsOf(tx: Knex.Transaction, organizationId: number, slugs: string[]): Promise<Array<{ id: number; slug: string }>> {
  const rows = (await tx('datasets').whereIn('slug', slugs).select('id', 'slug', 'organization_id')) as Array<{ id: number; slug: string; organization_id: number }>;
  const foreign = slugs.filter((s) => !rows.some((r) => r.slug === s && r.organization_id === organizationId));
  if (foreign.length) {
    throw new Invalid(
      `Dataset berikut tidak ada di organisasi akun layanan ini: ${foreign.join(', ')}.`,
      `These datasets are not of the service account's organization: ${foreign.join(', ')}.`,
      foreign.map((s) => ({ path: 'datasets', message: s })),
    );
  }
  return rows.map((r) => ({ id: r.id, slug: r.slug }));
}

async function setScope(tx: Knex.Transaction, userId: number, datasets: Array<{ id: number }>): Promise<void> {
  await tx('service_account_datasets').where({ user_id: userId }).delete();
  if (datasets.length) await tx('service_account_datasets').insert(datasets.map((d) => ({ user_id: userId, dataset_id: d.id })));
}

/** A new write token for a service account (the old ones stop at once); the plain token is returned once. */
async function freshToken(tx: Knex.Transaction, userId: number, createdBy: number | null, expiresAt: Date | null) {
  const revoked = await tx('api_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: tx.fn.now() });
  const { token, hash, prefix } = newToken();
  const [row] = await tx('api_tokens')
    .insert({ user_id: userId, name: 'Akun layanan', token_hash: hash, token_prefix: prefix, scope: 'write', expires_at: expiresAt, created_by: createdBy })
    .returning(['id', 'token_prefix', 'expires_at']);
  return { token, token_id: row.id as number, prefix: row.token_prefix as string, expires_at: (row.expires_at as Date | null) ?? null, revoked_tokens: revoked };
}

const datasetList = z.array(slugSchema).min(1).max(500).transform((s) => [...new Set(s)]);
const expiry = z.coerce
  .date()
  .refine((d) => d.getTime() > Date.now(), { message: 'Tanggal kedaluwarsa harus di masa depan / expiry must be in the future' })
  .refine((d) => d.getTime() <= Date.now() + MAX_TOKEN_DAYS * 86_400_000, { message: `Paling lama ${MAX_TOKEN_DAYS} hari / at most ${MAX_TOKEN_DAYS} days` })
  .optional();
const serviceRef = z.object({ id: z.coerce.number().int().positive().max(2 ** 31 - 1) });

/**
 * Create an OPD application's service account: scoped to one OPD and to chosen datasets of it,
 * with no password (it can never sign in on the web) and a write token, returned once.
 */
export const createServiceAccount = defineAction({
  name: 'service_account.create',
  input: z.object({
    slug: slugSchema,
    name: z.string().trim().min(2).max(200),
    org: slugSchema,
    datasets: datasetList,
    expires_at: expiry,
  }),
  async load(tx, input) {
    return orgBySlug(tx, input.org);
  },
  authorize: (actor) => canManageServiceAccounts(actor),
  async run({ tx }, actor, org, input) {
    if (org.kind !== 'opd') throw new Invalid('Akun layanan hanya untuk OPD.', 'Service accounts are for OPDs only.', [{ path: 'org', message: 'opd' }]);
    if (!org.active) throw new Conflict(`Organisasi ${org.slug} nonaktif.`, `Organization ${org.slug} is deactivated.`);
    const datasets = await datasetsOf(tx, org.id, input.datasets);
    const email = `${input.slug}@${SERVICE_EMAIL_DOMAIN}`;
    const taken = await tx('users').whereRaw('lower(email) = ?', [email]).first('id');
    if (taken) throw new Conflict(`Akun layanan ${input.slug} sudah ada.`, `Service account ${input.slug} already exists.`);
    // No password: the hash is a marker no password matches (sign-in never even asks: people only).
    const [user] = await tx('users')
      .insert({ email, name: input.name, role: 'produsen', organization_id: org.id, kind: 'service', password_hash: '!service-account' })
      .returning(['id', 'email', 'name', 'created_at']);
    await setScope(tx, user.id, datasets);
    const tok = await freshToken(tx, user.id, actor.id, input.expires_at ?? null);
    return {
      result: { id: user.id as number, slug: input.slug, email, name: user.name as string, organization: org.slug, datasets: datasets.map((d) => d.slug), token: tok.token, prefix: tok.prefix, expires_at: tok.expires_at },
      audit: { targetType: 'user', targetId: user.id, organizationId: org.id, details: { service_account: input.slug, name: input.name, datasets: datasets.map((d) => d.slug), token_id: tok.token_id } },
    };
  },
});

/** Issue a service account a new token: every earlier token stops working at once; the new one is returned once. */
export const rotateServiceAccountToken = defineAction({
  name: 'service_account.rotate',
  input: serviceRef.extend({ expires_at: expiry }),
  load: (tx, input) => serviceById(tx, input.id),
  authorize: (actor) => canManageServiceAccounts(actor),
  async run({ tx }, actor, svc, input) {
    if (!svc.active) throw new Conflict('Akun layanan ini sudah dicabut.', 'This service account was revoked.');
    const tok = await freshToken(tx, svc.id, actor.id, input.expires_at ?? null);
    return {
      result: { id: svc.id, email: svc.email, token: tok.token, prefix: tok.prefix, expires_at: tok.expires_at, revoked_tokens: tok.revoked_tokens },
      audit: { targetType: 'user', targetId: svc.id, organizationId: svc.organization_id, details: { service_account: svc.email, token_id: tok.token_id, revoked_tokens: tok.revoked_tokens } },
    };
  },
});

/** Revoke a service account: its tokens stop at once and it is deactivated (its versions and audit trail stay). */
export const revokeServiceAccount = defineAction({
  name: 'service_account.revoke',
  input: serviceRef,
  load: (tx, input) => serviceById(tx, input.id),
  authorize: (actor) => canManageServiceAccounts(actor),
  async run({ tx }, _actor, svc) {
    const revoked = await tx('api_tokens').where({ user_id: svc.id }).whereNull('revoked_at').update({ revoked_at: tx.fn.now() });
    if (!svc.active && !revoked) return { result: { id: svc.id, active: false, revoked_tokens: 0 }, audit: null };
    await tx('users').where({ id: svc.id }).update({ active: false, deactivated_at: tx.fn.now() });
    return {
      result: { id: svc.id, active: false, revoked_tokens: revoked },
      audit: { targetType: 'user', targetId: svc.id, organizationId: svc.organization_id, details: { service_account: svc.email, revoked_tokens: revoked } },
    };
  },
});

/** Choose which of its OPD's datasets a service account may push to (replaces the list). */
export const setServiceAccountDatasets = defineAction({
  name: 'service_account.set_datasets',
  input: serviceRef.extend({ datasets: datasetList }),
  load: (tx, input) => serviceById(tx, input.id),
  authorize: (actor) => canManageServiceAccounts(actor),
  async run({ tx }, _actor, svc, input) {
    const datasets = await datasetsOf(tx, svc.organization_id, input.datasets);
    const before = (await tx('service_account_datasets as s').join('datasets as d', 'd.id', 's.dataset_id').where('s.user_id', svc.id).orderBy('d.slug').pluck('d.slug')) as string[];
    const after = datasets.map((d) => d.slug).sort();
    if (JSON.stringify(before) === JSON.stringify(after)) return { result: { id: svc.id, datasets: after }, audit: null };
    await setScope(tx, svc.id, datasets);
    return {
      result: { id: svc.id, datasets: after },
      audit: { targetType: 'user', targetId: svc.id, organizationId: svc.organization_id, details: { service_account: svc.email, before, after } },
    };
  },
});
