import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';

/** A file received into storage, not yet attached to a version. */
export interface StoredFile {
  /**
   * Storage key: `incoming/<uuid>` while it belongs to no version (discarded when the request is
   * refused), `raw/ab/abcd…` (content-addressed) once adopted by a version.
   */
  key: string;
  sha256: string;
  size: number;
}

/** Thrown when a stream exceeds the byte limit given to `store`. */
export class StreamTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`stream exceeds ${limit} bytes`);
  }
}

/** Storage keys the upload action accepts: an incoming file, or an already kept raw one. */
export const STORAGE_KEY = /^(?:raw\/[0-9a-f]{2}\/[0-9a-f]{64}|incoming\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * Keeps uploaded files on local disk. A file arrives in `incoming/`; a version adopts it into
 * `raw/`, content-addressed by sha256, so a raw file is never overwritten and the same bytes are
 * stored once. What no version adopts (a refused request) is discarded.
 */
export class Storage {
  constructor(readonly root: string) {
    fs.mkdirSync(path.join(root, 'incoming'), { recursive: true });
    fs.mkdirSync(path.join(root, 'raw'), { recursive: true });
  }

  /** Absolute path of a storage key. */
  path(key: string): string {
    if (key.includes('..')) throw new Error(`bad storage key ${key}`);
    return path.join(this.root, key);
  }

  /** Streams `source` into storage, hashing as it goes; stops early past `limit` bytes. */
  async store(source: Readable, limit = Number.POSITIVE_INFINITY): Promise<StoredFile> {
    const tmp = path.join(this.root, 'incoming', crypto.randomUUID());
    const hash = crypto.createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > limit) return cb(new StreamTooLarge(limit));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    // The file is open before a byte flows: a stream refused at once must not leave behind a
    // file whose opening was still under way when it was removed.
    const dest = fs.createWriteStream(tmp, { flags: 'wx' });
    try {
      await once(dest, 'ready');
      await pipeline(source, meter, dest);
    } catch (err) {
      if (!dest.closed) await new Promise<void>((resolve) => dest.destroy().once('close', () => resolve()));
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    return { key: path.relative(this.root, tmp), sha256: hash.digest('hex'), size };
  }

  /** Makes an incoming file a kept raw file (its key by content); raw keys are returned as they are. */
  async adopt(key: string, sha256: string): Promise<string> {
    if (!key.startsWith('incoming/')) return key;
    const tmp = this.path(key);
    const raw = `raw/${sha256.slice(0, 2)}/${sha256}`;
    const dest = this.path(raw);
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
    if (fs.existsSync(dest)) await fs.promises.rm(tmp, { force: true });
    else await fs.promises.rename(tmp, dest);
    return raw;
  }

  /** Removes a file no version adopted (raw files are kept: another version may share them). */
  async discard(key: string): Promise<void> {
    if (key.startsWith('incoming/')) await fs.promises.rm(this.path(key), { force: true });
  }

  /** Removes incoming files older than `maxAgeMs`: left by a process that died between receiving and adopting. */
  async sweepIncoming(maxAgeMs: number): Promise<number> {
    const dir = path.join(this.root, 'incoming');
    let removed = 0;
    for (const name of await fs.promises.readdir(dir)) {
      const file = path.join(dir, name);
      const st = await fs.promises.stat(file).catch(() => null);
      if (st && Date.now() - st.mtimeMs > maxAgeMs) {
        await fs.promises.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  /** The number of files waiting in `incoming/` (tests check that refused uploads leave none). */
  async incomingCount(): Promise<number> {
    return (await fs.promises.readdir(path.join(this.root, 'incoming'))).length;
  }

  /** Copies a file from disk into storage (demo loading, CLI). */
  async storeFile(file: string): Promise<StoredFile> {
    return this.store(fs.createReadStream(file));
  }

  /** Keeps derived files (e.g. the CSV of an XLSX sheet) beside the raw ones. */
  derivedPath(name: string): string {
    if (path.basename(name) !== name || name === '..' || name === '.') throw new Error(`bad derived file name ${JSON.stringify(name)}`);
    const dir = path.join(this.root, 'derived');
    fs.mkdirSync(dir, { recursive: true });
    return path.join(dir, name);
  }
}
