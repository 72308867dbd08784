import crypto from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { createApp } from '../../server/app';
import { boot, type Booted } from '../../server/boot';
import { loadConfig } from '../../server/config';
import { prepareAppRole } from '../../server/db/roles';
import { JobQueue } from '../../server/jobs/queue';
import { makeDataset, makeWorld, publishedDataset, SMALL_CSV, type World } from '../support/factories';
import { signedIn, tokenFor } from '../support/http';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';

// The app connects as a role that owns nothing it must not change (issue 7, "The application may
// not rewrite history"): migrations run as the owner, and the app's role cannot alter, disable
// the triggers of, update, delete or truncate the audit events, nor give itself the power to.

let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let role: string;
let appUrl: string;
let svc: TestServices;
let queue: JobQueue;
let w: World;
let app: pg.Client;

beforeAll(async () => {
  isolated = await isolatedDatabase();
  // Roles belong to the whole cluster (the machine's server is shared): one of this run's own.
  role = `satudata_app_t${crypto.randomBytes(4).toString('hex')}`;
  const prepared = await prepareAppRole(isolated.url, role, crypto.randomBytes(12).toString('hex'));
  expect(prepared.created).toBe(true);
  appUrl = prepared.url;
  expect(new URL(appUrl).username).toBe(role);
  queue = await JobQueue.start(appUrl);
  svc = testServices({ url: appUrl, jobs: queue });
  await queue.work(svc);
  w = await makeWorld(svc);
  app = new pg.Client({ connectionString: appUrl });
  await app.connect();
}, 120_000);

afterAll(async () => {
  await app?.end();
  await queue?.stop();
  await svc?.close();
  await isolated.drop();
  const owner = new pg.Client({ connectionString: process.env.SATUDATA_TEST_ADMIN_DB });
  await owner.connect();
  await owner.query(`DROP ROLE IF EXISTS "${role}"`);
  await owner.end();
});

async function waitForState(slug: string, number: number, states: string[]): Promise<string> {
  const end = Date.now() + 60_000;
  for (;;) {
    const ds = await svc.db('datasets').where({ slug }).first();
    const v = await svc.db('versions').where({ dataset_id: ds.id, number }).first();
    if (states.includes(v.state) || Date.now() > end) return v.state;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the app's database role", () => {
  it('is an ordinary login role that owns no table, function or schema of the portal but its own data tables', async () => {
    const { rows } = await app.query('SELECT current_user AS me, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication FROM pg_roles WHERE rolname = current_user');
    expect(rows[0]).toEqual({ me: role, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, rolreplication: false });
    const owned = await app.query(
      `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND n.nspname <> 'datastore'
          AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast%'`,
    );
    expect(owned.rows).toEqual([]);
    const fns = await app.query('SELECT proname FROM pg_proc WHERE proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)');
    expect(fns.rows).toEqual([]);
    const schemas = await app.query('SELECT nspname FROM pg_namespace WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)');
    expect(schemas.rows).toEqual([]);
    const priv = await app.query(
      `SELECT has_table_privilege('audit_events', 'INSERT') AS ins, has_table_privilege('audit_events', 'SELECT') AS sel,
              has_table_privilege('audit_events', 'UPDATE') AS upd, has_table_privilege('audit_events', 'DELETE') AS del,
              has_table_privilege('audit_events', 'TRUNCATE') AS trunc, has_table_privilege('audit_events', 'TRIGGER') AS trig,
              has_table_privilege('audit_events', 'REFERENCES') AS refs, has_schema_privilege('public', 'CREATE') AS create_public`,
    );
    expect(priv.rows[0]).toEqual({ ins: true, sel: true, upd: false, del: false, trunc: false, trig: false, refs: false, create_public: false });
  });

  it('runs the portal: sign-in and sessions, a background load, review, publication, its own data tables, the public read', async () => {
    const web = createApp(svc);
    const { ds } = await publishedDataset(svc, w);
    const browser = await signedIn(web, w.producer.email, w.producer.password);
    expect((await browser.get('/dashboard').expect(200)).text).toContain(w.producer.email.split('@')[0]);
    expect((await request(web).get(`/api/v1/datasets/${ds.slug}/rows`).expect(200)).body.data).toHaveLength(2);

    // A file loaded by the queue's worker (pg-boss as the app's role) into a table of its own…
    const other = await makeDataset(svc, w.producer, w.opd.slug);
    const queued = testServices({ url: appUrl, jobs: queue, env: { INLINE_LOAD_MAX_MB: '0' } });
    const webQueued = createApp(queued);
    const auth = { Authorization: `Bearer ${await tokenFor(webQueued, w.producer.email, w.producer.password)}` };
    await request(webQueued).post(`/api/v1/datasets/${other.slug}/versions`).set(auth).attach('file', Buffer.from(SMALL_CSV), 'antre.csv').expect(202);
    expect(await waitForState(other.slug, 1, ['draft', 'failed'])).toBe('draft');
    await queued.close();
    const v = await svc.db('versions').where({ dataset_id: other.id, number: 1 }).first();
    const tables = await app.query("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'datastore' AND tablename LIKE $1", [`v${v.id}\\_%`]);
    expect(tables.rows).toEqual([expect.objectContaining({ tableowner: role })]);
    // …which it may drop again (a reload, a failed attempt).
    await app.query(`CREATE TABLE datastore.scratch_${v.id} (a int)`);
    await app.query(`DROP TABLE datastore.scratch_${v.id}`);

    const audit = await app.query('SELECT count(*)::int AS n FROM audit_events');
    expect(audit.rows[0].n).toBeGreaterThan(3);
  });

  it('cannot rewrite the audit events: no update, delete, truncate, alter, trigger switch, function swap or self-grant', async () => {
    const fingerprint = "SELECT count(*)::int AS n, md5(string_agg(id::text || action, ',' ORDER BY id)) AS h FROM audit_events";
    const before = await app.query(fingerprint);
    expect(before.rows[0].n).toBeGreaterThan(0);
    const attempts = [
      "UPDATE audit_events SET action = 'nothing.happened'",
      'DELETE FROM audit_events',
      'TRUNCATE audit_events',
      'ALTER TABLE audit_events DISABLE TRIGGER ALL',
      'ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update',
      'DROP TRIGGER audit_events_no_update ON audit_events',
      'ALTER TABLE audit_events RENAME TO audit_events_old',
      'DROP TABLE audit_events',
      "CREATE OR REPLACE FUNCTION audit_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
      'SET session_replication_role = replica',
      `ALTER ROLE "${role}" SUPERUSER`,
      'CREATE TABLE public.audit_events_copy (id int)',
      'ALTER TABLE versions DISABLE TRIGGER ALL',
      "DELETE FROM knex_migrations",
    ];
    for (const sql of attempts) {
      const err = await app.query(sql).then(
        () => null,
        (e: Error & { code?: string }) => e,
      );
      expect({ sql, code: err?.code }).toEqual({ sql, code: '42501' }); // insufficient_privilege
    }
    // A GRANT without the grant option only warns ("no privileges were granted"): nothing changes.
    await app.query(`GRANT UPDATE, DELETE, TRUNCATE ON audit_events TO "${role}"`);
    expect((await app.query("SELECT has_table_privilege('audit_events', 'UPDATE') OR has_table_privilege('audit_events', 'DELETE') AS any")).rows[0].any).toBe(false);
    const after = await app.query(fingerprint);
    expect(after.rows[0]).toEqual(before.rows[0]);
  });

  it('boots the services as the role without migrating, and refuses a schema behind the code with a clear message', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: svc.dataDir });
    const jobs = { enqueueLoad: async () => undefined, schedulePublication: async () => undefined };
    const booted: Booted = await boot(config, appUrl, jobs, { poolMax: 2 });
    await booted.close();

    const owner = new pg.Client({ connectionString: isolated.url });
    await owner.connect();
    const last = (await owner.query('SELECT id, name FROM knex_migrations ORDER BY id DESC LIMIT 1')).rows[0];
    await owner.query('DELETE FROM knex_migrations WHERE id = $1', [last.id]);
    try {
      await expect(boot(config, appUrl, jobs, { poolMax: 2 })).rejects.toThrow(/1 migration\(s\) behind.*db:app-role/s);
    } finally {
      await owner.query('INSERT INTO knex_migrations (id, name, batch, migration_time) VALUES ($1, $2, 1, now())', [last.id, last.name]);
      await owner.end();
    }
  });

  it('is re-granted idempotently (a later start), and refuses a role with too much power', async () => {
    await expect(prepareAppRole(isolated.url, role)).resolves.toMatchObject({ created: false });
    const owner = new pg.Client({ connectionString: isolated.url });
    await owner.connect();
    const strong = `satudata_strong_t${crypto.randomBytes(4).toString('hex')}`;
    await owner.query(`CREATE ROLE "${strong}" LOGIN CREATEROLE`);
    try {
      await expect(prepareAppRole(isolated.url, strong)).rejects.toThrow(/more power than the app may have/);
    } finally {
      await owner.query(`DROP ROLE "${strong}"`);
      await owner.end();
    }
  });
});
