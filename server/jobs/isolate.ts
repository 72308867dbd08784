import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** The isolated thread ran out of its heap (the process itself is unharmed). */
export class IsolatedOutOfMemory extends Error {
  constructor() {
    super('isolated worker ran out of memory');
  }
}

/** An error thrown inside the isolated thread, with the code it carried. */
export class IsolatedError extends Error {
  constructor(
    message: string,
    readonly code: unknown,
    readonly innerStack?: string,
  ) {
    super(message);
  }
}

const BOOT = path.join(__dirname, 'isolate-boot.cjs');

/**
 * Calls `module`'s export `fn` with `args` in a worker thread whose heap is capped: for work on
 * untrusted input that might exhaust memory. Arguments and result must be structured-cloneable.
 * With `onProgress`, the function receives a last argument that sends progress messages back.
 */
export function runIsolated<T>(
  module: string,
  fn: string,
  args: unknown[],
  opts: { maxHeapMb: number; onProgress?: (message: unknown) => void },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const worker = new Worker(BOOT, {
      workerData: { module, fn, args, progress: Boolean(opts.onProgress) },
      resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb, maxYoungGenerationSizeMb: 32 },
      stdout: false,
      stderr: false,
    });
    worker.on('message', (m: { ok: boolean; progress?: unknown; result?: T; error?: { code: unknown; message: string; stack?: string } }) => {
      if ('progress' in m) {
        opts.onProgress?.(m.progress);
        return;
      }
      settled = true;
      if (m.ok) resolve(m.result as T);
      else reject(new IsolatedError(m.error!.message, m.error!.code, m.error!.stack));
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new IsolatedOutOfMemory() : err);
    });
    worker.on('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`isolated worker exited with code ${code}`));
    });
  });
}
