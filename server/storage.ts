import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';

/** A file received into storage, not yet attached to a version. */
export interface StoredFile {
  /** Storage key of the kept file (content-addressed: `raw/ab/abcd…`). */
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

/**
 * Keeps uploaded files on local disk, content-addressed by sha256, so a raw file is never
 * overwritten and the same bytes are stored once.
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
    try {
      await pipeline(source, meter, fs.createWriteStream(tmp, { flags: 'wx' }));
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    const sha256 = hash.digest('hex');
    return { key: this.adopt(tmp, sha256), sha256, size };
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

  private adopt(tmp: string, sha256: string): string {
    const key = `raw/${sha256.slice(0, 2)}/${sha256}`;
    const dest = this.path(key);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (fs.existsSync(dest)) fs.rmSync(tmp);
    else fs.renameSync(tmp, dest);
    return key;
  }
}
