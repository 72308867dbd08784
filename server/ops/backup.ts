// `npm run cli -- backup`: the database and the stored files in one archive, made in Node with
// COPY (the embedded server is PostgreSQL 18 and ships no pg_dump; an older pg_dump refuses it).
// The schema is not dumped: the restore runs the same migrations, then loads the rows.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { ArchiveWriter } from './archive';
import { UNSAVED_TABLES, columnsOf, dependencyOrder, foreignKeyEdges, indexesOf, listTables, sequenceValues, setDumpSettings } from './catalog';
import type { Storage } from '../storage';
import { FORMAT, FORMAT_VERSION, MANIFEST_ENTRY, filePartName, tablePartName, type Manifest, type ManifestTable } from './manifest';

/** What a backup needs of the portal's storage (local disk or the bucket). */
export type BackupFiles = Pick<Storage, 'list' | 'open' | 'stat' | 'put'>;

/** Uploads not yet adopted by a version are not kept (a refused or unfinished request's). */
const TRANSIENT_PREFIXES = ['incoming/'];

/** Rows are written in parts of about this size (the archive's entries need their size up front). */
const PART_BYTES = 8 * 1024 * 1024;

/** The portal's version, as package.json says. */
export function portalVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Writes a backup of the database at `url` and of `files` to `file` (which must not exist). The
 * rows come from one REPEATABLE READ snapshot, so they are consistent with each other; files
 * are read after it was taken (raw files are never changed, only added). Returns the manifest.
 */
export async function backup(opts: { url: string; files: BackupFiles; file: string; now?: Date }): Promise<Manifest> {
  const now = opts.now ?? new Date();
  if (fs.existsSync(opts.file)) throw new Error(`${opts.file} exists already; choose another file name.`);
  const client = new pg.Client({ connectionString: opts.url, application_name: 'satudata-backup' });
  await client.connect();
  const archive = new ArchiveWriter(opts.file, now);
  try {
    await setDumpSettings(client);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: src } = await client.query<{ server_version: string; database: string; migrations: boolean }>(
      "SELECT current_setting('server_version') AS server_version, current_database() AS database, to_regclass('public.knex_migrations') IS NOT NULL AS migrations",
    );
    if (!src[0].migrations) throw new Error('This database has no portal schema (no knex_migrations table): nothing to back up.');
    const migrations = (await client.query<{ name: string }>('SELECT name FROM knex_migrations ORDER BY id')).rows.map((r) => r.name);

    const all = (await listTables(client)).filter((t) => !(t.schema === 'public' && UNSAVED_TABLES.has(t.name)));
    // As pg_dump does: a table the snapshot shows must not be dropped (a discarded draft's, a
    // reload's) before its rows are read. A drop waits for the backup instead.
    for (let i = 0; i < all.length; i += 500) {
      const names = all.slice(i, i + 500).map((t) => `${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`);
      await client.query(`LOCK TABLE ${names.join(', ')} IN ACCESS SHARE MODE`);
    }
    const oids = all.map((t) => t.oid);
    const columns = await columnsOf(client, oids);
    const sequences = await sequenceValues(client, oids);
    const indexes = await indexesOf(client, oids);
    const edges = await foreignKeyEdges(client);
    const ordered = [...dependencyOrder(all.filter((t) => t.schema === 'public'), edges), ...all.filter((t) => t.schema === 'datastore')];

    const tables: ManifestTable[] = [];
    for (const t of ordered) {
      const cols = columns.get(t.oid)!.filter((c) => !c.generated);
      const entry: ManifestTable = { schema: t.schema, name: t.name, columns: cols.map((c) => c.name), rows: 0, parts: [], sequences: sequences.get(t.oid) ?? [] };
      if (t.schema === 'datastore') {
        const odd = (indexes.get(t.oid) ?? []).filter((ix) => !ix.plain);
        if (odd.length) throw new Error(`datastore.${t.name} has an index the loader does not make (${odd.map((i) => i.name).join(', ')}); drop it or extend the backup.`);
        entry.definition = {
          columns: cols.map((c) => ({ name: c.name, type: c.type, not_null: c.not_null, identity: c.identity })),
          indexes: (indexes.get(t.oid) ?? []).map((ix) => ({ name: ix.name, columns: ix.columns, unique: ix.unique, method: ix.method as 'btree' })),
        };
      }
      await dumpTable(client, archive, entry);
      tables.push(entry);
    }
    const { rows: referenced } = await client.query<{ raw_path: string }>('SELECT DISTINCT raw_path FROM versions ORDER BY raw_path');
    await client.query('COMMIT');

    const files: Manifest['files'] = [];
    for await (const f of opts.files.list('')) {
      if (TRANSIENT_PREFIXES.some((p) => f.key.startsWith(p))) continue;
      const part = filePartName(f.key);
      const d = await archive.addStream(part, f.size, await opts.files.open(f.key));
      files.push({ key: f.key, size: d.size, sha256: d.sha256, part });
    }
    const kept = new Set(files.map((f) => f.key));
    const rowsOf = (name: string) => tables.find((t) => t.schema === 'public' && t.name === name)?.rows ?? 0;
    const dataTables = tables.filter((t) => t.schema === 'datastore');
    const manifest: Manifest = {
      format: FORMAT,
      format_version: FORMAT_VERSION,
      created_at: now.toISOString(),
      portal_version: portalVersion(),
      source: { server_version: src[0].server_version, database: src[0].database },
      migrations,
      tables,
      files,
      parts: { ...archive.parts },
      counts: {
        organizations: rowsOf('organizations'),
        users: rowsOf('users'),
        datasets: rowsOf('datasets'),
        versions: rowsOf('versions'),
        audit_events: rowsOf('audit_events'),
        data_tables: dataTables.length,
        data_rows: dataTables.reduce((n, t) => n + t.rows, 0),
        files: files.length,
        file_bytes: files.reduce((n, f) => n + f.size, 0),
      },
      missing_files: referenced.map((r) => r.raw_path).filter((k) => !kept.has(k)),
    };
    await archive.addBuffer(MANIFEST_ENTRY, Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`));
    await archive.close();
    return manifest;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    await archive.abort(err as Error);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** COPYs a table's rows out in parts of about PART_BYTES, counting the rows (one newline each in COPY's text format). */
async function dumpTable(client: pg.Client, archive: ArchiveWriter, entry: ManifestTable): Promise<void> {
  const cols = entry.columns.map((c) => client.escapeIdentifier(c)).join(', ');
  const source = client.query(copyTo(`COPY ${client.escapeIdentifier(entry.schema)}.${client.escapeIdentifier(entry.name)} (${cols}) TO STDOUT`));
  let pending: Buffer[] = [];
  let size = 0;
  const flush = async () => {
    const name = tablePartName(entry.schema, entry.name, entry.parts.length);
    await archive.addBuffer(name, Buffer.concat(pending, size));
    entry.parts.push(name);
    pending = [];
    size = 0;
  };
  for await (const chunk of source) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) entry.rows++;
    pending.push(buf);
    size += buf.length;
    if (size >= PART_BYTES) await flush();
  }
  if (size > 0) await flush();
}
