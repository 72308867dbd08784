import { parseArgs } from 'node:util';
import { perform, untrusted } from '../server/actions/action';
import { createOrganization, createUser, issueToken, revokeToken } from '../server/actions/accounts';
import { presentTokenForAdmin } from '../server/presenters/token';
import { endSessions, issuePasswordReset, setOrganizationActive, setUserActive, updateOrganization, updateUser } from '../server/actions/users';
import { listTokens } from '../server/queries/tokens';
import { createServiceAccount, revokeServiceAccount, rotateServiceAccountToken, setServiceAccountDatasets, SERVICE_EMAIL_DOMAIN } from '../server/actions/service-accounts';
import { listServiceAccounts } from '../server/queries/service-accounts';
import { presentServiceAccount } from '../server/presenters/service-account';
import { createWilayah, setWilayahActive, updateWilayah, type WilayahRow } from '../server/actions/wilayah';
import { presentWilayah } from '../server/presenters/wilayah';
import { listWilayah } from '../server/queries/wilayah';
import { boot, type Booted } from '../server/boot';
import { loadConfig } from '../server/config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../server/db/embedded';
import pg from 'pg';
import { APP_ROLE, newRolePassword, prepareAppRole, prepareEmbeddedAppRole } from '../server/db/roles';
import { demoAccounts, loadDemo } from '../server/demo';
import { AppError } from '../server/errors';
import { InlineJobs } from '../server/jobs/inline';
import { systemActor } from '../server/policies/actor';
import { backup } from '../server/ops/backup';
import { restore } from '../server/ops/restore';
import { createStorage } from '../server/storage-create';
import type { Config } from '../server/config';
import fs from 'node:fs';

const USAGE = `Usage: npm run cli -- <command> [options]

  org:create   --slug <slug> --name <name> --kind opd|walidata|pembina [--short-name <s>]
  org:update   --slug <slug> [--name <name>] [--short-name <s>] [--description <d>] [--contact-email <e>] [--website <url>]
  org:deactivate --slug <slug>      org:activate --slug <slug>
  user:create  --email <email> --name <name> --role admin|walidata|pembina|produsen [--org <slug>] [--password <pw>]
               (without --password: an invitation link is printed)
  user:update  --email <email> [--name <name>] [--role <role>] [--org <slug>]
  user:deactivate --email <email>   user:activate --email <email>
  user:reset-password --email <email>   (prints a one-time link)
  user:sign-out --email <email>     (ends every session of the user)
  token:create --email <email> [--name <token name>] [--scope read|write] [--expires-days <n>]
  token:list   [--email <part of an e-mail>] [--active]
  token:revoke --id <token id>
  service:create --slug <slug> --name <application> --org <opd slug> --datasets <slug,slug…> [--expires-days <n>]
               (an OPD application's account: no password, prints its write token once)
  service:rotate --slug <slug> [--expires-days <n>]   (a new token; the old one stops at once)
  service:revoke --slug <slug>      service:datasets --slug <slug> --datasets <slug,slug…>
  service:list
  wilayah:list [--q <part of a name, or a code's beginning>]   (the reference codes, inactive ones too)
  wilayah:add  --level provinsi|kabupaten_kota --nama <name> --jenis provinsi|kabupaten|kota
               --kode-bps <18 | 1801> --kode-kemendagri <18 | 18.04> [--induk <province's BPS code>]
  wilayah:update --kode-bps <code> [--nama <n>] [--jenis <k>] [--level <l>] [--new-kode-bps <c>]
               [--kode-kemendagri <c>] [--induk <c>]   (fields not given stay as they are)
  wilayah:deactivate --kode-bps <code>   wilayah:activate --kode-bps <code>
               (a deactivated code stays in published tables; new uploads with it are refused)
  demo:load    [--password <pw>]   (default: DEMO_PASSWORD or satudata-demo)

As the database's owner (DATABASE_URL of the owner, or the embedded cluster's):
  db:app-role  [--role <name>] [--password <pw>]   migrate, then create/grant the app's role
               (default satudata_app; a new role without --password gets a generated one, printed once)
  backup       [--file <path>]   the database and the stored files in one archive
               (default ./satudata-backup-<UTC time>.tar.gz; see README, "Backups")
  restore      --file <path> [--force] [--app-role <name>]   into an empty database (--force: replace
               what is there); the portal and its workers must be stopped

Uses DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (attaching to it while the portal runs).
Prints JSON; exits non-zero with a message on failure.`;

async function run(command: string, args: string[], svc: Booted): Promise<unknown> {
  const opt = (spec: Record<string, { type: 'string' }>) => parseArgs({ args, options: spec, strict: true }).values as Record<string, string | undefined>;
  switch (command) {
    case 'org:create': {
      const v = opt({ slug: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' }, 'short-name': { type: 'string' } });
      const org = await perform(createOrganization, systemActor, untrusted({ slug: v.slug, name: v.name, kind: v.kind, short_name: v['short-name'] }), svc);
      return { slug: org.slug, name: org.name, kind: org.kind };
    }
    case 'user:create': {
      const v = opt({ email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' }, password: { type: 'string' } });
      const { invite, ...user } = await perform(createUser, systemActor, untrusted({ email: v.email, name: v.name, role: v.role, org: v.org, password: v.password }), svc);
      return invite ? { ...user, invite_url: resetUrl(svc, invite.token), invite_expires_at: invite.expires_at } : user;
    }
    case 'user:update': {
      const v = opt({ email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' } });
      const id = await userId(svc, v.email);
      return perform(updateUser, systemActor, untrusted({ id, name: v.name, role: v.role, org: v.role === 'admin' ? '' : v.org }), svc);
    }
    case 'user:deactivate':
    case 'user:activate': {
      const v = opt({ email: { type: 'string' } });
      return perform(setUserActive, systemActor, untrusted({ id: await userId(svc, v.email), active: command === 'user:activate' }), svc);
    }
    case 'user:reset-password': {
      const v = opt({ email: { type: 'string' } });
      const out = await perform(issuePasswordReset, systemActor, untrusted({ id: await userId(svc, v.email) }), svc);
      return { email: out.email, url: resetUrl(svc, out.token), expires_at: out.expires_at };
    }
    case 'user:sign-out': {
      const v = opt({ email: { type: 'string' } });
      return perform(endSessions, systemActor, untrusted({ id: await userId(svc, v.email) }), svc);
    }
    case 'org:update': {
      const v = opt({ slug: { type: 'string' }, name: { type: 'string' }, 'short-name': { type: 'string' }, description: { type: 'string' }, 'contact-email': { type: 'string' }, website: { type: 'string' } });
      const cur = await svc.db('organizations').where({ slug: v.slug ?? '' }).first();
      if (!cur) throw new UsageError(`Unknown organization "${v.slug ?? ''}".`);
      const pick = (a: string | undefined, b: string | null) => (a !== undefined ? a : (b ?? undefined));
      const org = await perform(
        updateOrganization,
        systemActor,
        untrusted({ slug: v.slug, name: pick(v.name, cur.name), short_name: pick(v['short-name'], cur.short_name), description: pick(v.description, cur.description), contact_email: pick(v['contact-email'], cur.contact_email), website: pick(v.website, cur.website) }),
        svc,
      );
      return { slug: org.slug, name: org.name };
    }
    case 'org:deactivate':
    case 'org:activate': {
      const v = opt({ slug: { type: 'string' } });
      const org = await perform(setOrganizationActive, systemActor, untrusted({ slug: v.slug, active: command === 'org:activate' }), svc);
      return { slug: org.slug, active: org.active };
    }
    case 'token:create': {
      const v = opt({ email: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string' }, 'expires-days': { type: 'string' } });
      const expires_at = expiresAt(v['expires-days']);
      const t = await perform(issueToken, systemActor, untrusted({ email: v.email, name: v.name ?? 'CLI', scope: v.scope, expires_at }), svc);
      return { token: t.token, id: t.id, name: t.name, email: t.email, scope: t.scope, expires_at: t.expires_at };
    }
    case 'token:list': {
      const v = parseArgs({ args, options: { email: { type: 'string' }, active: { type: 'boolean' } }, strict: true }).values;
      const rows = await listTokens(svc.db, { email: v.email, activeOnly: v.active === true });
      return rows.map(presentTokenForAdmin);
    }
    case 'token:revoke': {
      const v = opt({ id: { type: 'string' } });
      return perform(revokeToken, systemActor, untrusted({ id: v.id }), svc);
    }
    case 'service:create': {
      const v = opt({ slug: { type: 'string' }, name: { type: 'string' }, org: { type: 'string' }, datasets: { type: 'string' }, 'expires-days': { type: 'string' } });
      return perform(createServiceAccount, systemActor, untrusted({ slug: v.slug, name: v.name, org: v.org, datasets: slugList(v.datasets), expires_at: expiresAt(v['expires-days']) }), svc);
    }
    case 'service:rotate': {
      const v = opt({ slug: { type: 'string' }, 'expires-days': { type: 'string' } });
      return perform(rotateServiceAccountToken, systemActor, untrusted({ id: await serviceId(svc, v.slug), expires_at: expiresAt(v['expires-days']) }), svc);
    }
    case 'service:revoke': {
      const v = opt({ slug: { type: 'string' } });
      return perform(revokeServiceAccount, systemActor, untrusted({ id: await serviceId(svc, v.slug) }), svc);
    }
    case 'service:datasets': {
      const v = opt({ slug: { type: 'string' }, datasets: { type: 'string' } });
      return perform(setServiceAccountDatasets, systemActor, untrusted({ id: await serviceId(svc, v.slug), datasets: slugList(v.datasets) }), svc);
    }
    case 'service:list':
      return (await listServiceAccounts(svc.db)).map(presentServiceAccount);
    case 'wilayah:list': {
      const v = opt({ q: { type: 'string' } });
      return (await listWilayah(svc.db, (v.q ?? '').trim())).map(presentWilayah);
    }
    case 'wilayah:add': {
      const v = opt(WILAYAH_OPTIONS);
      const w = await perform(createWilayah, systemActor, untrusted({ level: v.level, nama: v.nama, jenis: v.jenis, kode_bps: v['kode-bps'], kode_kemendagri: v['kode-kemendagri'], induk_bps: v.induk }), svc);
      return presentWilayah(w);
    }
    case 'wilayah:update': {
      const v = opt({ ...WILAYAH_OPTIONS, 'new-kode-bps': { type: 'string' } });
      const cur = await wilayahByCode(svc, v['kode-bps']);
      const w = await perform(
        updateWilayah,
        systemActor,
        untrusted({ id: cur.id, level: v.level ?? cur.level, nama: v.nama ?? cur.nama, jenis: v.jenis ?? cur.jenis, kode_bps: v['new-kode-bps'] ?? cur.kode_bps, kode_kemendagri: v['kode-kemendagri'] ?? cur.kode_kemendagri, induk_bps: v.induk ?? cur.induk_bps ?? '' }),
        svc,
      );
      return presentWilayah(w);
    }
    case 'wilayah:deactivate':
    case 'wilayah:activate': {
      const v = opt({ 'kode-bps': { type: 'string' } });
      const w = await perform(setWilayahActive, systemActor, untrusted({ id: (await wilayahByCode(svc, v['kode-bps'])).id, active: command === 'wilayah:activate' }), svc);
      return presentWilayah(w);
    }
    case 'demo:load': {
      const v = opt({ password: { type: 'string' } });
      const password = v.password ?? svc.config.demoPassword;
      const made = await loadDemo(svc, password);
      return { ...made, accounts: demoAccounts().map((u) => ({ email: u.email, role: u.role })) };
    }
    default:
      throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
  }
}

/** Commands that work on the database itself, as its owner, without booting the services. */
async function runAsOwner(command: string, args: string[], ownerUrl: string, config: Config, embedded: boolean): Promise<unknown> {
  const opt = (spec: Record<string, { type: 'string' }>) => parseArgs({ args, options: spec, strict: true }).values as Record<string, string | undefined>;
  switch (command) {
    case 'backup': {
      const v = opt({ file: { type: 'string' } });
      const now = new Date();
      const file = v.file ?? `satudata-backup-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.tar.gz`;
      const m = await backup({ url: ownerUrl, files: await createStorage(config), file, now });
      return { file, bytes: fs.statSync(file).size, created_at: m.created_at, source: m.source, counts: m.counts, missing_files: m.missing_files };
    }
    case 'restore': {
      const v = parseArgs({ args, options: { file: { type: 'string' }, force: { type: 'boolean' }, 'app-role': { type: 'string' } }, strict: true }).values;
      if (!v.file) throw new UsageError('restore needs --file <archive>.');
      if (!fs.existsSync(v.file)) throw new UsageError(`No file ${v.file}.`);
      const out = await restore({ url: ownerUrl, files: await createStorage(config), file: v.file, force: v.force === true, appRole: v['app-role'] });
      // The embedded default makes its app role itself (password in DATA_DIR) and grants it.
      if (embedded) return { ...out, app_role: { role: APP_ROLE, granted: Boolean(await prepareEmbeddedAppRole(ownerUrl, config.dataDir)) } };
      return out;
    }
    case 'db:app-role': {
      const v = opt({ role: { type: 'string' }, password: { type: 'string' } });
      const role = v.role ?? APP_ROLE;
      let password = v.password;
      const exists = await roleExists(ownerUrl, role);
      if (!exists && password === undefined) password = newRolePassword();
      const { url, created } = await prepareAppRole(ownerUrl, role, password);
      return {
        role,
        created,
        ...(password !== undefined && v.password === undefined ? { password } : {}),
        database_url: password !== undefined ? url : `${url} (with the role's password)`,
      };
    }
    default:
      return undefined;
  }
}
const OWNER_COMMANDS = new Set(['db:app-role', 'backup', 'restore']);

async function roleExists(url: string, role: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rows.length > 0;
  } finally {
    await c.end();
  }
}

class UsageError extends Error {}

/** The id of the user with this e-mail (any state), or a usage error. */
async function userId(svc: Booted, email: string | undefined): Promise<number> {
  const u = await svc.db('users').whereRaw('lower(email) = lower(?)', [email ?? '']).first('id');
  if (!u) throw new UsageError(`No user with e-mail "${email ?? ''}".`);
  return u.id as number;
}

/** `--expires-days n` as a time n days ahead (none when not given), or a usage error. */
function expiresAt(value: string | undefined): Date | undefined {
  const days = value ? Number(value) : undefined;
  if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new UsageError('--expires-days must be a whole number of days.');
  return days ? new Date(Date.now() + days * 86_400_000) : undefined;
}

/** A comma-separated list of slugs. */
function slugList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** The id of the service account with this slug, or a usage error. */
async function serviceId(svc: Booted, slug: string | undefined): Promise<number> {
  const u = await svc.db('users').where({ kind: 'service' }).whereRaw('lower(email) = lower(?)', [`${slug ?? ''}@${SERVICE_EMAIL_DOMAIN}`]).first('id');
  if (!u) throw new UsageError(`No service account "${slug ?? ''}".`);
  return u.id as number;
}

const WILAYAH_OPTIONS = { level: { type: 'string' }, nama: { type: 'string' }, jenis: { type: 'string' }, 'kode-bps': { type: 'string' }, 'kode-kemendagri': { type: 'string' }, induk: { type: 'string' } } as const;

/** The reference code with this BPS code (active or not), or a usage error. */
async function wilayahByCode(svc: Booted, kodeBps: string | undefined): Promise<WilayahRow> {
  const w: WilayahRow | undefined = await svc.db('wilayah').where({ kode_bps: (kodeBps ?? '').trim() }).first();
  if (!w) throw new UsageError(`No reference code with BPS code "${kodeBps ?? ''}".`);
  return w;
}

/** The absolute link of a reset or invitation secret (PUBLIC_URL, else localhost:PORT). */
function resetUrl(svc: Booted, token: string): string {
  return `${svc.config.publicUrl ?? `http://localhost:${svc.config.port}`}/password/reset/${token}`;
}

async function main(): Promise<number> {
  const [command = '', ...args] = process.argv.slice(2);
  if (command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  let embedded: EmbeddedPostgresHandle | null = null;
  let svc: Booted | null = null;
  try {
    let url = config.databaseUrl;
    if (!url) embedded = await startEmbeddedPostgres(config.dataDir, 'satudata', { attach: true });
    if (OWNER_COMMANDS.has(command)) {
      const result = await runAsOwner(command, args, url ?? embedded!.url, config, embedded !== null);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    // On the embedded default the commands run as the app's role, like the portal.
    url ??= await prepareEmbeddedAppRole(embedded!.url, config.dataDir);
    const jobs = new InlineJobs();
    svc = await boot(config, url, jobs, { poolMax: 4 });
    jobs.bind(svc);
    const result = await run(command, args, svc);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    const e = err as Error;
    const detail = err instanceof AppError ? { code: err.code, message: err.messageEn, details: err.details } : { message: e.message };
    process.stderr.write(`${JSON.stringify({ error: detail }, null, 2)}\n`);
    if (err instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`\n${USAGE}\n`);
    return err instanceof UsageError ? 2 : 1;
  } finally {
    await svc?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
  }
}

main().then((code) => process.exit(code));
