import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '../storage';

/** What a backup needs of the portal's file storage: list, read, write back. */
export interface FileStore {
  /** Every stored file whose key starts with `prefix`. */
  list(prefix?: string): AsyncIterable<{ key: string; size: number }>;
  open(key: string): Promise<Readable>;
  /** Size of a stored file, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Writes `source` at exactly `key`; nothing is kept there when `source` fails. */
  put(key: string, source: Readable): Promise<void>;
}

/** Storage areas a backup leaves out: uploads not yet adopted, and scratch files of loads. */
export const TRANSIENT_PREFIXES = ['incoming/', 'derived/'];

/** The files of the local-disk storage (DATA_DIR/uploads) as a FileStore. */
export function localFiles(storage: Storage): FileStore {
  const root = storage.root;
  return {
    async *list(prefix = '') {
      const walk = async function* (dir: string): AsyncGenerator<{ key: string; size: number }> {
        const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const e of entries) {
          const full = path.join(dir, e.name);
          if (e.isDirectory()) yield* walk(full);
          else if (e.isFile()) {
            const key = path.relative(root, full).split(path.sep).join('/');
            if (key.startsWith(prefix)) yield { key, size: (await fs.promises.stat(full)).size };
          }
        }
      };
      yield* walk(root);
    },
    async open(key) {
      return fs.createReadStream(storage.path(key));
    },
    async stat(key) {
      const st = await fs.promises.stat(storage.path(key)).catch(() => null);
      return st?.isFile() ? { size: st.size } : null;
    },
    async put(key, source) {
      const dest = storage.path(key);
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      const tmp = path.join(root, 'incoming', `restore-${crypto.randomUUID()}`);
      try {
        await pipeline(source, fs.createWriteStream(tmp, { flags: 'wx' }));
        await fs.promises.rename(tmp, dest);
      } finally {
        await fs.promises.rm(tmp, { force: true });
      }
    },
  };
}
