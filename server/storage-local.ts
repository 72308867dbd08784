import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { checkKey, countUnder, removeOlder, derivedPathIn, incomingKey, meter, NotStored, rawKeyFor, type LocalFile, type Storage, type StoredFile, type StoredInfo } from './storage';

/**
 * Keeps uploaded files on local disk (the embedded default). A file arrives in `incoming/`; a
 * version adopts it into `raw/`, content-addressed by sha256, so a raw file is never overwritten
 * and the same bytes are stored once. What no version adopts (a refused request) is discarded.
 */
export class LocalStorage implements Storage {
  readonly kind = 'local';

  constructor(readonly root: string) {
    fs.mkdirSync(path.join(root, 'incoming'), { recursive: true });
    fs.mkdirSync(path.join(root, 'raw'), { recursive: true });
  }

  /** Absolute path of a storage key. */
  private path(key: string): string {
    return path.join(this.root, checkKey(key));
  }

  async store(source: Readable, limit = Number.POSITIVE_INFINITY): Promise<StoredFile> {
    const key = incomingKey();
    const tmp = this.path(key);
    const m = meter(limit);
    // The file is open before a byte flows: a stream refused at once must not leave behind a
    // file whose opening was still under way when it was removed.
    const dest = fs.createWriteStream(tmp, { flags: 'wx' });
    try {
      await once(dest, 'ready');
      await pipeline(source, m.stream, dest);
    } catch (err) {
      if (!dest.closed) await new Promise<void>((resolve) => dest.destroy().once('close', () => resolve()));
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    return { key, ...m.result() };
  }

  async storeFile(file: string): Promise<StoredFile> {
    return this.store(fs.createReadStream(file));
  }

  async adopt(key: string, sha256: string): Promise<string> {
    if (!key.startsWith('incoming/')) {
      await this.touch(key);
      return key;
    }
    const tmp = this.path(key);
    const raw = rawKeyFor(sha256);
    const dest = this.path(raw);
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    if (fs.existsSync(dest)) {
      await fs.promises.rm(tmp, { force: true });
      await this.touch(raw);
    } else await fs.promises.rename(tmp, dest);
    return raw;
  }

  /** Bytes kept already and adopted again: their time is now, so the orphan sweep leaves them. */
  private async touch(key: string): Promise<void> {
    const now = new Date();
    await fs.promises.utimes(this.path(key), now, now).catch(() => undefined);
  }

  async discard(key: string): Promise<void> {
    if (key.startsWith('incoming/')) await this.remove(key);
  }

  async remove(key: string): Promise<void> {
    await fs.promises.rm(this.path(key), { force: true });
  }

  async put(key: string, source: Readable): Promise<void> {
    const dest = this.path(key);
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.part`;
    try {
      await pipeline(source, fs.createWriteStream(tmp));
      await fs.promises.rename(tmp, dest);
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
  }

  async open(key: string): Promise<Readable> {
    const stream = fs.createReadStream(this.path(key));
    try {
      await once(stream, 'open');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotStored(key);
      throw err;
    }
    return stream;
  }

  async stat(key: string): Promise<StoredInfo | null> {
    const st = await fs.promises.stat(this.path(key)).catch(() => null);
    return st?.isFile() ? { key, size: st.size, modified: st.mtime } : null;
  }

  async *list(prefix = ''): AsyncIterable<StoredInfo> {
    for (const top of ['incoming', 'raw']) {
      const walk = async function* (this: LocalStorage, rel: string): AsyncIterable<StoredInfo> {
        const entries = await fs.promises.readdir(path.join(this.root, rel), { withFileTypes: true }).catch(() => []);
        for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
          const key = `${rel}/${e.name}`;
          if (e.isDirectory()) yield* walk.call(this, key);
          else if (e.isFile() && key.startsWith(prefix) && !e.name.endsWith('.part')) {
            const info = await this.stat(key);
            if (info) yield info;
          }
        }
      };
      if (top.startsWith(prefix) || prefix.startsWith(`${top}/`)) yield* walk.call(this, top);
    }
  }

  async localFile(key: string): Promise<LocalFile> {
    const file = this.path(key);
    if (!(await this.stat(key))) throw new NotStored(key);
    return { path: file, release: async () => undefined };
  }

  derivedPath(name: string): string {
    return derivedPathIn(this.root, name);
  }

  async sweepIncoming(maxAgeMs: number): Promise<number> {
    return removeOlder(this, 'incoming/', maxAgeMs);
  }

  async incomingCount(): Promise<number> {
    return countUnder(this, 'incoming/');
  }
}
