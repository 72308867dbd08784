// What the backup tests compare between a source database and its restored copy, read with
// plain SQL (not with the backup's own catalog code): every row of every table, the indexes and
// the sequences.
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';

/** Tables not kept by a backup (bookkeeping the restore recreates, short-lived state). */
const NOT_KEPT = new Set(['knex_migrations', 'knex_migrations_lock', 'sessions', 'rate_limits']);

export interface DbState {
  /** `schema.table` → row count and md5 of all rows as text, sorted. */
  tables: Record<string, { rows: number; md5: string }>;
  indexes: string[];
  sequences: Record<string, string | null>;
  serverVersion: string;
}

/** Reads the state of the portal's tables at `url`. */
export async function dbState(url: string): Promise<DbState> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("SET TimeZone = 'UTC'; SET extra_float_digits = 3");
    const { rows: tables } = await c.query<{ schemaname: string; tablename: string }>(
      "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('public', 'datastore') ORDER BY 1, 2",
    );
    const out: DbState = { tables: {}, indexes: [], sequences: {}, serverVersion: '' };
    for (const t of tables) {
      if (t.schemaname === 'public' && NOT_KEPT.has(t.tablename)) continue;
      const q = `${c.escapeIdentifier(t.schemaname)}.${c.escapeIdentifier(t.tablename)}`;
      const { rows } = await c.query<{ n: number; h: string }>(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS h FROM ${q} t`);
      out.tables[`${t.schemaname}.${t.tablename}`] = { rows: rows[0].n, md5: rows[0].h };
    }
    const { rows: ix } = await c.query<{ d: string }>(
      "SELECT indexdef AS d FROM pg_indexes WHERE schemaname IN ('public', 'datastore') AND tablename NOT LIKE 'knex\\_%' ORDER BY schemaname, tablename, indexname",
    );
    out.indexes = ix.map((r) => r.d);
    const { rows: seqs } = await c.query<{ name: string; v: string | null }>(
      "SELECT schemaname || '.' || sequencename AS name, last_value::text AS v FROM pg_sequences WHERE schemaname IN ('public', 'datastore') AND sequencename NOT LIKE 'knex\\_%' ORDER BY 1",
    );
    for (const s of seqs) out.sequences[s.name] = s.v;
    out.serverVersion = (await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0].v;
    return out;
  } finally {
    await c.end();
  }
}

/** Runs `npm run cli -- <args>` (the script itself) with `env`; resolves with its exit code and output. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', '..', 'scripts', 'cli.ts'), ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
