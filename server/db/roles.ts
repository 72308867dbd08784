import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { escapeLiteral as quoteLiteral } from 'pg';
import { seedReference } from '../../seeds';
import { JobQueue } from '../jobs/queue';
import { quoteIdent } from './datastore';
import { createDb, migrate } from './knex';

// The portal's database has two roles. The owner (the role of DATABASE_URL, `postgres` on the
// embedded default) owns the schema: it runs the migrations, installs the job queue's tables and
// grants. The app's role (`satudata_app` by default) owns nothing it must not change: it reads
// and writes the portal's rows, may only INSERT and SELECT audit events (no UPDATE, DELETE or
// TRUNCATE, and not being their owner it cannot ALTER the table or disable its triggers), and
// owns only what it makes itself at run time: the per-version data tables in `datastore`.

/** The app's role on the embedded default (and the suggested name for DATABASE_URL). */
export const APP_ROLE = 'satudata_app';

/** Tables the app may read and append to, never change: the history. */
const APPEND_ONLY = ['audit_events'];
/** The migrations' bookkeeping: the app only checks that nothing is pending. */
const READ_ONLY = ['knex_migrations', 'knex_migrations_lock'];

/** The same connection string with another user and password. */
export function urlAs(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** A password for a new role (URL- and SQL-safe). */
export function newRolePassword(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/**
 * As the owner: brings the schema up to date (migrations, reference rows, the job queue's
 * tables), creates the app's role when missing (with `password`; an existing role keeps its own
 * unless `password` is given), grants it what the app needs and nothing more, and returns the
 * connection string the app should use. Idempotent: run on every start of the embedded default
 * and after every upgrade (`npm run cli -- db:app-role`) with DATABASE_URL.
 */
export async function prepareAppRole(ownerUrl: string, role: string, password?: string): Promise<{ url: string; created: boolean }> {
  const db = createDb(ownerUrl, 2);
  let created = false;
  try {
    await migrate(db);
    await seedReference(db);
    await JobQueue.install(ownerUrl);
    created = await ensureRole(db, role, password);
    await grantAppRole(db, role);
  } finally {
    await db.destroy();
  }
  return { url: password ? urlAs(ownerUrl, role, password) : withUser(ownerUrl, role), created };
}

function withUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = '';
  return u.toString();
}

/** Creates the login role when missing (true when it did); sets its password when one is given. */
async function ensureRole(db: Knex, role: string, password?: string): Promise<boolean> {
  const ident = quoteIdent(role);
  const exists = (await db.raw('SELECT 1 FROM pg_roles WHERE rolname = ?', [role])).rows.length > 0;
  const pw = password === undefined ? '' : ` PASSWORD ${quoteLiteral(password)}`;
  // Roles are per cluster: two starts at once may both try to create it.
  try {
    if (!exists) {
      await db.raw(`CREATE ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS${pw}`);
      return true;
    }
  } catch (err) {
    if ((err as { code?: string }).code !== '42710') throw err; // duplicate_object: the other start made it
  }
  const { rows } = await db.raw('SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = ?', [role]);
  const r = rows[0] as { rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolbypassrls: boolean };
  if (r.rolsuper || r.rolcreaterole || r.rolcreatedb || r.rolbypassrls) {
    throw new Error(`The role ${role} has more power than the app may have (superuser, CREATEROLE, CREATEDB or BYPASSRLS); choose another role.`);
  }
  if (password !== undefined) await db.raw(`ALTER ROLE ${ident} LOGIN${pw}`);
  return false;
}

/**
 * Grants `role` exactly what the app needs on the current database (run as the owner, after the
 * migrations): rows of every table but the audit events (SELECT and INSERT only) and the
 * migrations' own (SELECT only), sequences, the job queue's rows, and CREATE in `datastore`
 * (the loader makes a table per version). Data tables the owner made (before this role existed,
 * or restored from a backup) are handed to the role, so the app can drop a discarded draft's.
 */
export async function grantAppRole(db: Knex, role: string): Promise<void> {
  const r = quoteIdent(role);
  const { rows: dbRows } = await db.raw('SELECT current_database() AS name');
  const database = quoteIdent(dbRows[0].name as string);
  await db.transaction(async (trx) => {
    // Two starts at once (a web process and a worker) grant at the same time: one after the other.
    await trx.raw("SELECT pg_advisory_xact_lock(hashtext('satudata:grant-app-role'))");
    await trx.raw(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${r}`);
    await trx.raw(`GRANT USAGE ON SCHEMA public TO ${r}`);
    await trx.raw(`REVOKE CREATE ON SCHEMA public FROM ${r}`);
    await trx.raw(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${r}`);
    await trx.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
    const { rows: present } = await trx.raw(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(?)",
      [[...APPEND_ONLY, ...READ_ONLY]],
    );
    const has = new Set((present as { tablename: string }[]).map((p) => p.tablename));
    for (const t of APPEND_ONLY.filter((x) => has.has(x))) {
      await trx.raw(`REVOKE ALL ON ${quoteIdent(t)} FROM ${r}`);
      await trx.raw(`GRANT SELECT, INSERT ON ${quoteIdent(t)} TO ${r}`);
    }
    for (const t of READ_ONLY.filter((x) => has.has(x))) {
      await trx.raw(`REVOKE ALL ON ${quoteIdent(t)} FROM ${r}`);
      await trx.raw(`GRANT SELECT ON ${quoteIdent(t)} TO ${r}`);
    }
    await trx.raw(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);

    await trx.raw(`GRANT USAGE, CREATE ON SCHEMA datastore TO ${r}`);
    const { rows: foreign } = await trx.raw(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'datastore' AND c.relkind IN ('r', 'p') AND pg_get_userbyid(c.relowner) <> ?`,
      [role],
    );
    for (const { relname } of foreign as { relname: string }[]) {
      await trx.raw(`ALTER TABLE datastore.${quoteIdent(relname)} OWNER TO ${r}`);
    }

    const { rows: boss } = await trx.raw("SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss'");
    if (boss.length) {
      await trx.raw(`GRANT USAGE ON SCHEMA pgboss TO ${r}`);
      await trx.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO ${r}`);
      await trx.raw(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA pgboss TO ${r}`);
      await trx.raw(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgboss TO ${r}`);
    }
  });
}

/**
 * True when the connected role may change the schema: the migrations table does not exist yet,
 * or the role is a superuser or (a member of) its owner.
 */
export async function ownsSchema(db: Knex): Promise<boolean> {
  const { rows } = await db.raw(
    `SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            (SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables
              WHERE schemaname = 'public' AND tablename = 'knex_migrations') AS owner`,
  );
  const row = rows[0] as { superuser: boolean; owner: boolean | null };
  return row.superuser || row.owner === null || row.owner;
}


/**
 * The embedded default: prepares the app's role on the cluster (its password kept in
 * DATA_DIR/pg-app-password, like the owner's in pg-password) and returns the URL the app uses.
 */
export async function prepareEmbeddedAppRole(ownerUrl: string, dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'pg-app-password');
  if (!fs.existsSync(file)) fs.writeFileSync(file, newRolePassword(), { mode: 0o600 });
  const password = fs.readFileSync(file, 'utf8').trim();
  return (await prepareAppRole(ownerUrl, APP_ROLE, password)).url;
}
