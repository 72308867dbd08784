// `npm run cli -- restore`: a backup archive back into a database (empty, unless forced) and its
// files back into storage. The archive is checked whole before anything is changed, and checked
// again as it is applied; the rows go in inside one transaction.
import { once } from 'node:events';
import fs from 'node:fs';
import { Readable, Transform, type Writable } from 'node:stream';
import crypto from 'node:crypto';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDb, migrate, migrationConfig } from '../db/knex';
import { APP_ROLE, grantAppRole } from '../db/roles';
import { JobQueue } from '../jobs/queue';
import { DamagedArchive, readArchive, type PartDigest } from './archive';
import { REFERENCE_TABLES, UNSAVED_TABLES, columnsOf, listTables, setDumpSettings } from './catalog';
import type { BackupFiles } from './backup';
import { MANIFEST_ENTRY, manifestSchema, type DataTableDefinition, type Manifest, type ManifestTable } from './manifest';

/** Refused before anything was changed: the target is not empty, in use, or of another schema. */
export class RestoreRefused extends Error {}

export interface RestoreResult {
  file: string;
  created_at: string;
  source: Manifest['source'];
  portal_version: string;
  counts: Manifest['counts'];
  tables: number;
  files_written: number;
  files_present: number;
  /** The app's role got its grants on the restored schema (false: the role does not exist here). */
  app_role: { role: string; granted: boolean };
}

/** Reads the whole archive and checks every entry against its manifest; changes nothing. */
export async function verifyArchive(file: string): Promise<{ manifest: Manifest; digests: Record<string, PartDigest> }> {
  let text: Buffer | null = null;
  const digests = await readArchive(file, async (e) => {
    if (e.name !== MANIFEST_ENTRY) return;
    if (e.size > 512 * 1024 * 1024) throw new DamagedArchive('the manifest is implausibly large');
    const chunks: Buffer[] = [];
    for await (const c of e.content) chunks.push(c);
    text = Buffer.concat(chunks);
  });
  if (!text) throw new DamagedArchive('the archive has no manifest: not a backup of this portal');
  let manifest: Manifest;
  try {
    manifest = manifestSchema.parse(JSON.parse((text as Buffer).toString('utf8')));
  } catch (err) {
    throw new DamagedArchive(`the manifest is not valid: ${(err as Error).message.slice(0, 500)}`);
  }
  const names = Object.keys(digests).filter((n) => n !== MANIFEST_ENTRY);
  const listed = Object.keys(manifest.parts);
  for (const n of names) if (!(n in manifest.parts)) throw new DamagedArchive(`entry ${n} is not in the manifest`);
  for (const n of listed) {
    const got = digests[n];
    if (!got) throw new DamagedArchive(`entry ${n} is missing from the archive`);
    if (got.size !== manifest.parts[n].size || got.sha256 !== manifest.parts[n].sha256) throw new DamagedArchive(`entry ${n} does not match its sha256 in the manifest`);
  }
  const owned = new Set<string>();
  for (const t of manifest.tables) {
    for (const p of t.parts) {
      if (!(p in manifest.parts) || owned.has(p)) throw new DamagedArchive(`table ${t.schema}.${t.name} names a part that is not its own (${p})`);
      owned.add(p);
    }
    if (t.schema === 'datastore' && !t.definition) throw new DamagedArchive(`data table ${t.name} has no definition`);
  }
  for (const f of manifest.files) {
    const d = manifest.parts[f.part];
    if (!d || owned.has(f.part) || d.sha256 !== f.sha256 || d.size !== f.size) throw new DamagedArchive(`file ${f.key} does not match its part`);
    if (f.key.startsWith('raw/') && !f.key.endsWith(`/${f.sha256}`)) throw new DamagedArchive(`raw file ${f.key} is not named by its content`);
    owned.add(f.part);
  }
  return { manifest, digests };
}

/**
 * Restores `file` into the database at `url` (as its owner) and `files`. Refuses a database with
 * portal content (anything beyond the reference rows every install has) unless `force`, which
 * replaces it; refuses while other clients are connected. The schema is made by running the
 * migrations up to where the source was, the rows are copied in one transaction (checked against
 * the manifest's counts, foreign keys validated), then the remaining migrations run, the job
 * queue is installed and the app's role (if it exists here) gets its grants again.
 */
export async function restore(opts: { url: string; files: BackupFiles; file: string; force?: boolean; appRole?: string }): Promise<RestoreResult> {
  const { manifest, digests } = await verifyArchive(opts.file);
  const appRole = opts.appRole ?? APP_ROLE;
  const client = new pg.Client({ connectionString: opts.url, application_name: 'satudata-restore' });
  await client.connect();
  let filesWritten = 0;
  let filesPresent = 0;
  try {
    await refuseUnlessReady(client, opts.force === true);
    await clearPortalSchema(client);
    await migrateTo(opts.url, manifest.migrations);

    await client.query('BEGIN');
    await setDumpSettings(client);
    const undo = await prepareTables(client, manifest);

    const byPart = new Map<string, ManifestTable>();
    for (const t of manifest.tables) for (const p of t.parts) byPart.set(p, t);
    const fileByPart = new Map(manifest.files.map((f) => [f.part, f]));
    let current: { table: ManifestTable; stream: Writable & { rowCount?: number }; failed: Promise<never>; next: number } | null = null;
    const endCurrent = async () => {
      if (!current) return;
      const c = current;
      current = null;
      c.stream.end();
      await Promise.race([finished(c.stream), c.failed]);
      if (c.next !== c.table.parts.length) throw new DamagedArchive(`${c.table.schema}.${c.table.name}: parts missing`);
      if (c.stream.rowCount !== c.table.rows) throw new DamagedArchive(`${c.table.schema}.${c.table.name}: ${c.stream.rowCount} rows restored, the manifest says ${c.table.rows}`);
    };

    const seen = await readArchive(opts.file, async (e) => {
      if (e.name === MANIFEST_ENTRY) return;
      const table = byPart.get(e.name);
      if (table) {
        if (current?.table !== table) {
          await endCurrent();
          if (table.parts[0] !== e.name) throw new DamagedArchive(`${e.name} out of order`);
          const cols = table.columns.map((c) => client.escapeIdentifier(c)).join(', ');
          const stream = client.query(copyFrom(`COPY ${qualified(client, table)} (${cols}) FROM STDIN`));
          const failed = new Promise<never>((_, reject) => stream.once('error', reject));
          failed.catch(() => undefined);
          current = { table, stream, failed, next: 0 };
        }
        const c = current!;
        if (table.parts[c.next] !== e.name) throw new DamagedArchive(`${e.name} out of order`);
        c.next++;
        for await (const chunk of e.content) {
          if (!c.stream.write(chunk)) await Promise.race([once(c.stream, 'drain'), c.failed]);
        }
        return;
      }
      await endCurrent();
      const f = fileByPart.get(e.name);
      if (!f) throw new DamagedArchive(`unexpected entry ${e.name}`);
      // Raw files are named by their content: one of the same size is the same file.
      const have = await opts.files.stat(f.key);
      if (have && have.size === f.size && f.key.startsWith('raw/')) {
        filesPresent++;
        return;
      }
      await opts.files.put(f.key, Readable.from(e.content).pipe(checked(f.sha256, f.size, f.key)));
      filesWritten++;
    });
    await endCurrent();
    for (const [name, d] of Object.entries(digests)) {
      if (seen[name]?.sha256 !== d.sha256) throw new DamagedArchive(`the archive changed while it was restored (${name})`);
    }
    await finishTables(client, manifest, undo);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }

  // The rest of the schema (when this portal is newer than the backup), the job queue, and the
  // app's grants on what the restore made. Reference rows are the backup's (the next start adds
  // what a newer portal has more).
  const db = createDb(opts.url, 2);
  let granted = false;
  try {
    await migrate(db);
    await JobQueue.install(opts.url);
    if ((await db.raw('SELECT 1 FROM pg_roles WHERE rolname = ?', [appRole])).rows.length) {
      await grantAppRole(db, appRole);
      granted = true;
    }
    await db.raw('ANALYZE');
  } finally {
    await db.destroy();
  }
  return {
    file: opts.file,
    created_at: manifest.created_at,
    source: manifest.source,
    portal_version: manifest.portal_version,
    counts: manifest.counts,
    tables: manifest.tables.length,
    files_written: filesWritten,
    files_present: filesPresent,
    app_role: { role: appRole, granted },
  };
}

function qualified(client: pg.ClientBase, t: { schema: string; name: string }): string {
  return `${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`;
}

/** A pass-through that fails at its end unless the bytes have this sha256 and size. */
function checked(sha256: string, size: number, key: string): Transform {
  const hash = crypto.createHash('sha256');
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      n += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      cb(n === size && hash.digest('hex') === sha256 ? null : new DamagedArchive(`file ${key} does not match the manifest`));
    },
  });
}

/** Refuses a database other clients use, and one with portal content unless `force`. */
async function refuseUnlessReady(client: pg.Client, force: boolean): Promise<void> {
  const { rows: others } = await client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
  );
  if (others[0].n > 0) throw new RestoreRefused(`${others[0].n} other connection(s) to this database: stop the portal and its workers first.`);
  if (force) return;
  const content: string[] = [];
  for (const t of await listTables(client)) {
    if (t.schema === 'datastore') {
      content.push(`datastore.${t.name}`);
      continue;
    }
    if (UNSAVED_TABLES.has(t.name) || REFERENCE_TABLES.has(t.name)) continue;
    const { rows } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${qualified(client, t)}) AS any`);
    if (rows[0].any) content.push(t.name);
  }
  if (content.length) {
    throw new RestoreRefused(`The database is not empty (rows in ${content.slice(0, 8).join(', ')}${content.length > 8 ? ', …' : ''}). Restore into an empty database, or give --force to replace its content.`);
  }
}

/**
 * Removes the portal's objects (its tables, functions, types and text search configurations in
 * `public`, the `datastore` and `pgboss` schemas), leaving extensions as they are: the restore
 * builds the schema again from the migrations.
 */
async function clearPortalSchema(client: pg.Client): Promise<void> {
  const notExtension = (catalog: string, alias: string) =>
    `NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = '${catalog}'::regclass AND dep.objid = ${alias}.oid AND dep.deptype = 'e')`;
  await client.query('BEGIN');
  try {
    await client.query('DROP SCHEMA IF EXISTS datastore CASCADE');
    await client.query('DROP SCHEMA IF EXISTS pgboss CASCADE');
    const kinds: Record<string, string> = { r: 'TABLE', p: 'TABLE', f: 'FOREIGN TABLE', v: 'VIEW', m: 'MATERIALIZED VIEW', S: 'SEQUENCE' };
    const { rows: rels } = await client.query<{ name: string; kind: string }>(
      `SELECT c.oid::regclass::text AS name, c.relkind::text AS kind FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND ${notExtension('pg_class', 'c')}`,
    );
    for (const r of rels) await client.query(`DROP ${kinds[r.kind]} IF EXISTS ${r.name} CASCADE`);
    const { rows: procs } = await client.query<{ name: string }>(
      `SELECT p.oid::regprocedure::text AS name FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND ${notExtension('pg_proc', 'p')}`,
    );
    for (const p of procs) await client.query(`DROP ROUTINE IF EXISTS ${p.name} CASCADE`);
    const { rows: types } = await client.query<{ name: string; domain: boolean }>(
      `SELECT t.oid::regtype::text AS name, t.typtype = 'd' AS domain FROM pg_type t
        WHERE t.typnamespace = 'public'::regnamespace AND ${notExtension('pg_type', 't')}
          AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))`,
    );
    for (const t of types) await client.query(`DROP ${t.domain ? 'DOMAIN' : 'TYPE'} IF EXISTS ${t.name} CASCADE`);
    const { rows: configs } = await client.query<{ name: string }>(
      `SELECT c.oid::regconfig::text AS name FROM pg_ts_config c WHERE c.cfgnamespace = 'public'::regnamespace AND ${notExtension('pg_ts_config', 'c')}`,
    );
    for (const c of configs) await client.query(`DROP TEXT SEARCH CONFIGURATION IF EXISTS ${c.name} CASCADE`);
    const { rows: dicts } = await client.query<{ name: string }>(
      `SELECT d.oid::regdictionary::text AS name FROM pg_ts_dict d WHERE d.dictnamespace = 'public'::regnamespace AND ${notExtension('pg_ts_dict', 'd')}`,
    );
    for (const d of dicts) await client.query(`DROP TEXT SEARCH DICTIONARY IF EXISTS ${d.name} CASCADE`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Runs this portal's migrations, in order, until every one the source had has run. */
async function migrateTo(url: string, wanted: string[]): Promise<void> {
  const known = new Set(fs.readdirSync(migrationConfig().directory!.toString()));
  const unknown = wanted.filter((m) => !known.has(m));
  if (unknown.length) throw new RestoreRefused(`The backup comes from a newer portal: this one does not have the migration(s) ${unknown.join(', ')}. Restore with that version (or newer).`);
  const db = createDb(url, 2);
  try {
    const done = async () => new Set((await db('knex_migrations').select('name').catch(() => [])).map((r: { name: string }) => r.name));
    for (let have = await done(); wanted.some((m) => !have.has(m)); have = await done()) {
      const [, ran] = (await db.migrate.up(migrationConfig())) as [number, string[]];
      if (!ran.length) throw new RestoreRefused('The migrations the backup needs could not be run.');
    }
  } finally {
    await db.destroy();
  }
}

interface Undo {
  foreignKeys: Array<{ table: string; name: string; definition: string }>;
  triggersOff: string[];
}

/**
 * Inside the restore's transaction: checks that every table of the archive exists with the same
 * columns, empties what the migrations put in them, takes the foreign keys off until the rows
 * are in (datasets and versions reference each other), turns off the tables' own triggers (so
 * derived columns keep their saved values; the audit table's guards are left on: they do not
 * fire on INSERT), and creates the data tables.
 */
async function prepareTables(client: pg.Client, manifest: Manifest): Promise<Undo> {
  const present = await listTables(client);
  const columns = await columnsOf(client, present.map((t) => t.oid));
  const publicTables = manifest.tables.filter((t) => t.schema === 'public');
  for (const t of publicTables) {
    const target = present.find((p) => p.schema === 'public' && p.name === t.name);
    if (!target) throw new RestoreRefused(`The restored schema has no table ${t.name}.`);
    const have = columns.get(target.oid)!.filter((c) => !c.generated).map((c) => c.name).sort();
    const want = [...t.columns].sort();
    if (have.join(',') !== want.join(',')) throw new RestoreRefused(`Table ${t.name} has other columns here (${have.join(', ')}) than in the backup (${want.join(', ')}).`);
  }
  const { rows: fks } = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY conrelid, conname`,
  );
  for (const fk of fks) await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${client.escapeIdentifier(fk.name)}`);
  const triggersOff: string[] = [];
  for (const t of publicTables) {
    const name = qualified(client, t);
    if (t.name !== 'audit_events') {
      await client.query(`ALTER TABLE ${name} DISABLE TRIGGER USER`);
      triggersOff.push(name);
    }
    const { rows } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${name}) AS any`);
    if (rows[0].any) {
      if (t.name === 'audit_events') throw new RestoreRefused('The migrated database already has audit events.');
      await client.query(`DELETE FROM ${name}`);
    }
  }
  for (const t of manifest.tables.filter((x) => x.schema === 'datastore')) await client.query(createDataTableSql(client, t.name, t.definition!));
  return { foreignKeys: fks, triggersOff };
}

/** The data table as the loader made it (names and types were checked by the manifest's schema). */
function createDataTableSql(client: pg.ClientBase, name: string, def: DataTableDefinition): string {
  const cols = def.columns.map((c) => {
    const identity = c.identity === 'a' ? ' GENERATED ALWAYS AS IDENTITY' : c.identity === 'd' ? ' GENERATED BY DEFAULT AS IDENTITY' : '';
    return `${client.escapeIdentifier(c.name)} ${c.type}${identity}${c.not_null && !identity ? ' NOT NULL' : ''}`;
  });
  return `CREATE TABLE datastore.${client.escapeIdentifier(name)} (${cols.join(', ')})`;
}

/** After the rows: the data tables' indexes, the sequences, the foreign keys (validated) and triggers back. */
async function finishTables(client: pg.Client, manifest: Manifest, undo: Undo): Promise<void> {
  for (const t of manifest.tables) {
    for (const ix of t.definition?.indexes ?? []) {
      const cols = ix.columns.map((c) => client.escapeIdentifier(c)).join(', ');
      await client.query(`CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${client.escapeIdentifier(ix.name)} ON ${qualified(client, t)} USING ${ix.method} (${cols})`);
    }
    for (const s of t.sequences) {
      const { rows } = await client.query<{ seq: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS seq', [qualified(client, t), s.column]);
      if (!rows[0].seq) throw new RestoreRefused(`${t.schema}.${t.name}.${s.column} has no sequence here.`);
      await client.query('SELECT setval($1::regclass, $2::bigint, true)', [rows[0].seq, s.last_value]);
    }
  }
  for (const fk of undo.foreignKeys) await client.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${client.escapeIdentifier(fk.name)} ${fk.definition}`);
  for (const name of undo.triggersOff) await client.query(`ALTER TABLE ${name} ENABLE TRIGGER USER`);
}
