/**
 * Backup benchmark: `npm run bench:backup -- --rows N --pairs P`.
 *
 * Publishes an Open Data style CSV of N rows (default 1,000,000) the way people do (upload,
 * submit, approve; see bench-lib's publishDataset) on a fresh database (on `DATABASE_URL`, else
 * the machine's PostgreSQL, else an embedded one), then, `--pairs` times, the portal's own
 * against the best a user could do instead in the same run, the order swapped from pair to pair:
 *   - backup: `npm run cli -- backup` (the database and the stored files in one archive, timed
 *     from the command's start to its exit) against `pg_dump -Fc` of the same database plus
 *     `tar -czf` of the same stored files;
 *   - restore: `npm run cli -- restore` into an empty database and an empty DATA_DIR against
 *     `pg_restore --no-owner --no-privileges` into an empty database plus `tar -xzf`; each restored
 *     database is checked for the N rows of the published table, then dropped.
 * The baseline needs a pg_dump that reads the server (pg_dump refuses a newer server: the
 * embedded PostgreSQL 18 against the machine's pg_dump 15); without one, `baseline` says why and
 * only the portal's figures are taken. Pairs go to stderr as they end; stdout gets one JSON line
 * with every pair and the median ratios (portal ÷ baseline). Load averages are in it: figures
 * from a busy machine are noise, whatever they say.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDatabase, freshDatabase, generateOpenDataCsv, hasCommand, loadAverage, median, publishDataset, round, runCli, startPortal } from './bench-lib';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    pairs: { type: 'string', default: '3' },
    embedded: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const PAIRS = Number(args.pairs);

/** Runs a command to its exit; rejects with its error output. */
function run(cmd: string, argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd}: ${err.slice(0, 2000)}`))));
  });
}

/** Seconds that `fn` took. */
async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** The major version of the server at `url`, and of the pg_dump on the PATH (null without one). */
async function versions(url: string): Promise<{ server: string; serverMajor: number; pgDump: string | null; pgDumpMajor: number | null }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query("SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int AS n");
  await c.end();
  const dump = hasCommand('pg_dump') && hasCommand('pg_restore') ? spawnSync('pg_dump', ['--version'], { encoding: 'utf8' }).stdout.trim() : null;
  const m = dump ? /(\d+)(?:\.\d+)?/.exec(dump.replace(/^\D+/, '')) : null;
  return { server: rows[0].v, serverMajor: Math.floor(rows[0].n / 10000), pgDump: dump, pgDumpMajor: m ? Number(m[1]) : null };
}

/** Rows of the published table in the database at `url` (restored there). */
async function rowsIn(url: string, table: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
  } finally {
    await c.end();
  }
}

/** The files' bytes, added up. */
function bytesOf(...files: string[]): number {
  return files.reduce((n, f) => n + fs.statSync(f).size, 0);
}

interface Side {
  backup_s: number;
  restore_s: number;
  archive_bytes: number;
}
interface Pair {
  portal: Side;
  baseline: (Side & { pg_dump_s: number; files_tar_s: number; pg_restore_s: number; files_untar_s: number }) | null;
  backup_ratio: number | null;
  restore_ratio: number | null;
  order: 'portal first' | 'baseline first';
  load_1m: number[];
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-bench-backup-'));
  const file = path.join(work, 'bench.csv');
  const csvBytes = await generateOpenDataCsv(file, ROWS);
  const db = await freshDatabase(work, 'satudata_bench_backup', args.embedded);
  const dataDir = path.join(work, 'app');
  const portal = await startPortal(db.url, work, { verbose: args.verbose });
  const loadAtStart = loadAverage();
  const targets: Array<{ stop(): Promise<void> }> = [];
  const pairs: Pair[] = [];
  try {
    const published = await publishDataset(portal, db.url, file, ROWS, { title: 'Indikator kabupaten/kota (bench backup)' });
    const v = await versions(db.url);
    const baselineWhy =
      v.pgDumpMajor === null ? 'no pg_dump/pg_restore on the PATH' : v.pgDumpMajor < v.serverMajor ? `${v.pgDump} cannot read a PostgreSQL ${v.server} server` : null;

    /** A restore target: an empty database on the same server, dropped after the pair. */
    const empty = async (name: string) => {
      const t = await createDatabase(db.url, `${name}_${Date.now()}`);
      targets.push(t);
      return t;
    };

    for (let i = 0; i < PAIRS; i++) {
      const load1 = loadAverage()[0];
      const dir = fs.mkdtempSync(path.join(work, `pair${i}-`));
      const portalSide = async (): Promise<Side> => {
        const archive = path.join(dir, 'portal.tar.gz');
        const backupS = await seconds(() => runCli(['backup', '--file', archive], { DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'warn' }));
        const target = await empty(`satudata_bench_restore_p${i}`);
        const restoreS = await seconds(() => runCli(['restore', '--file', archive], { DATABASE_URL: target.url, DATA_DIR: path.join(dir, 'portal-restored'), LOG_LEVEL: 'warn' }));
        const n = await rowsIn(target.url, published.table);
        if (n !== ROWS) throw new Error(`the portal's restore holds ${n} rows, not ${ROWS}`);
        await target.stop();
        return { backup_s: backupS, restore_s: restoreS, archive_bytes: bytesOf(archive) };
      };
      const baselineSide = async (): Promise<NonNullable<Pair['baseline']>> => {
        const dump = path.join(dir, 'db.dump');
        const tarball = path.join(dir, 'files.tar.gz');
        const pgDumpS = await seconds(() => run('pg_dump', ['-Fc', '-f', dump, '-d', db.url]));
        const tarS = await seconds(() => run('tar', ['-czf', tarball, '-C', dataDir, 'uploads']));
        const target = await empty(`satudata_bench_restore_b${i}`);
        const into = path.join(dir, 'baseline-restored');
        fs.mkdirSync(into);
        const pgRestoreS = await seconds(() => run('pg_restore', ['--no-owner', '--no-privileges', '-d', target.url, dump]));
        const untarS = await seconds(() => run('tar', ['-xzf', tarball, '-C', into]));
        const n = await rowsIn(target.url, published.table);
        if (n !== ROWS) throw new Error(`pg_restore's database holds ${n} rows, not ${ROWS}`);
        await target.stop();
        return { backup_s: pgDumpS + tarS, restore_s: pgRestoreS + untarS, archive_bytes: bytesOf(dump, tarball), pg_dump_s: pgDumpS, files_tar_s: tarS, pg_restore_s: pgRestoreS, files_untar_s: untarS };
      };
      const portalFirst = i % 2 === 0;
      let ours: Side;
      let base: Pair['baseline'] = null;
      if (baselineWhy) ours = await portalSide();
      else if (portalFirst) {
        ours = await portalSide();
        base = await baselineSide();
      } else {
        base = await baselineSide();
        ours = await portalSide();
      }
      fs.rmSync(dir, { recursive: true, force: true });
      const r = (x: Side) => ({ backup_s: round(x.backup_s), restore_s: round(x.restore_s), archive_bytes: x.archive_bytes });
      const pair: Pair = {
        portal: r(ours),
        baseline: base && { ...base, ...r(base), pg_dump_s: round(base.pg_dump_s), files_tar_s: round(base.files_tar_s), pg_restore_s: round(base.pg_restore_s), files_untar_s: round(base.files_untar_s) },
        backup_ratio: base ? round(ours.backup_s / base.backup_s) : null,
        restore_ratio: base ? round(ours.restore_s / base.restore_s) : null,
        order: portalFirst ? 'portal first' : 'baseline first',
        load_1m: [round(load1, 2), loadAverage()[0]],
      };
      pairs.push(pair);
      process.stderr.write(`pair ${i + 1}/${PAIRS}: ${JSON.stringify(pair)}\n`);
    }

    const med = (f: (p: Pair) => number | null | undefined) => {
      const xs = pairs.map(f).filter((x): x is number => typeof x === 'number');
      return xs.length ? round(median(xs)) : null;
    };
    process.stdout.write(
      `${JSON.stringify({
        bench: 'backup',
        rows: ROWS,
        csv_bytes: csvBytes,
        server: db.server,
        server_version: v.server,
        baseline: baselineWhy ? { available: false, why: baselineWhy } : { available: true, backup: `${v.pgDump}: pg_dump -Fc, and tar -czf of the stored files`, restore: 'pg_restore --no-owner --no-privileges into an empty database, and tar -xzf' },
        setup: { draft_s: round(published.draft_s), publish_s: round(published.publish_s) },
        pairs,
        median: {
          backup_s: med((p) => p.portal.backup_s),
          baseline_backup_s: med((p) => p.baseline?.backup_s),
          backup_ratio: med((p) => p.backup_ratio),
          restore_s: med((p) => p.portal.restore_s),
          baseline_restore_s: med((p) => p.baseline?.restore_s),
          restore_ratio: med((p) => p.restore_ratio),
        },
        load: { start: loadAtStart, end: loadAverage() },
      })}\n`,
    );
  } finally {
    await portal.stop();
    for (const t of targets) await t.stop().catch(() => undefined);
    await db.stop();
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
