import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { log } from './log';

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

/** What storage knows of a kept file. */
export interface StoredInfo {
  key: string;
  size: number;
  modified: Date;
}

/** A stored file as a file on this machine's disk, for code that reads by path (the loader). */
export interface LocalFile {
  path: string;
  /** Frees the local copy (a no-op when the file is stored on this disk). */
  release(): Promise<void>;
}

/** Thrown when a stream exceeds the byte limit given to `store`. */
export class StreamTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`stream exceeds ${limit} bytes`);
  }
}

/** Thrown when a key names no stored file. */
export class NotStored extends Error {
  constructor(readonly key: string) {
    super(`no stored file ${key}`);
  }
}

/** Storage keys the upload action accepts: an incoming file, or an already kept raw one. */
export const STORAGE_KEY = /^(?:raw\/[0-9a-f]{2}\/[0-9a-f]{64}|incoming\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Where the files of the portal are kept: a directory (the default) or an S3-compatible bucket. */
export interface Storage {
  readonly kind: 'local' | 's3';
  /**
   * Streams `source` into `incoming/`, hashing as it goes; past `limit` bytes it stops with
   * StreamTooLarge and keeps nothing.
   */
  store(source: Readable, limit?: number): Promise<StoredFile>;
  /** Copies a file from disk into storage (demo loading, CLI). */
  storeFile(file: string): Promise<StoredFile>;
  /**
   * Makes an incoming file a kept raw file (its key by content); raw keys are returned as they are.
   * Bytes already kept get the time of now, so the orphan sweep (ops/raw-sweep.ts) leaves them.
   */
  adopt(key: string, sha256: string): Promise<string>;
  /** Removes a file no version adopted (raw files are kept: another version may share them). */
  discard(key: string): Promise<void>;
  /** Removes any stored file (backup restore, operators); missing files are not an error. */
  remove(key: string): Promise<void>;
  /** Writes `source` at exactly `key`, replacing what is there (restoring a backup). */
  put(key: string, source: Readable): Promise<void>;
  /** Reads a stored file; NotStored when there is none. */
  open(key: string): Promise<Readable>;
  /** Size and time of a stored file, or null. */
  stat(key: string): Promise<StoredInfo | null>;
  /** Every stored file whose key starts with `prefix` (`raw/`, `incoming/`, or '' for all). */
  list(prefix?: string): AsyncIterable<StoredInfo>;
  /** The file on local disk (fetched into a scratch file when the bucket holds it); release it after. */
  localFile(key: string): Promise<LocalFile>;
  /** A local scratch path for files derived while loading (e.g. the CSV of an XLSX sheet). */
  derivedPath(name: string): string;
  /** Removes incoming files older than `maxAgeMs`: left by a process that died between receiving and adopting. */
  sweepIncoming(maxAgeMs: number): Promise<number>;
  /** The number of files waiting in `incoming/` (tests check that refused uploads leave none). */
  incomingCount(): Promise<number>;
}

/** An incoming file older than this belongs to no request still being answered. */
const INCOMING_MAX_AGE_MS = 24 * 3600 * 1000;

/**
 * Removes files received by a process that died before a version adopted them (or before it
 * refused them), once a day old: at every start, and in every worker's sweep. Never throws.
 */
export async function sweepLeftIncoming(storage: Pick<Storage, 'sweepIncoming'>): Promise<void> {
  await storage
    .sweepIncoming(INCOMING_MAX_AGE_MS)
    .then((n) => n && log.info({ removed: n }, 'removed incoming files left by a process that stopped'))
    .catch((err) => log.warn({ reason: (err as Error).message }, 'sweeping incoming files failed'));
}

/** The content-addressed key of raw bytes with this sha256. */
export function rawKeyFor(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`bad sha256 ${sha256}`);
  return `raw/${sha256.slice(0, 2)}/${sha256}`;
}

/** A fresh incoming key. */
export function incomingKey(): string {
  return `incoming/${crypto.randomUUID()}`;
}

/** Refuses keys that could leave storage's space (`..`, absolute, odd characters). */
export function checkKey(key: string): string {
  if (!/^[a-z]+\/[A-Za-z0-9._/-]+$/.test(key) || key.split('/').some((p) => p === '..' || p === '.' || p === '')) {
    throw new Error(`bad storage key ${JSON.stringify(key)}`);
  }
  return key;
}

/** A pass-through that hashes and counts, failing with StreamTooLarge past `limit` bytes. */
export function meter(limit: number): { stream: Transform; result: () => { sha256: string; size: number } } {
  const hash = crypto.createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) return cb(new StreamTooLarge(limit));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  return { stream, result: () => ({ sha256: hash.digest('hex'), size }) };
}

/** Local scratch files derived while loading, under `root/derived`. */
export function derivedPathIn(root: string, name: string): string {
  if (path.basename(name) !== name || name === '..' || name === '.') throw new Error(`bad derived file name ${JSON.stringify(name)}`);
  const dir = path.join(root, 'derived');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/** Removes the files under `prefix` older than `maxAgeMs`; how many (either backend, by list and remove). */
export async function removeOlder(storage: Pick<Storage, 'list' | 'remove'>, prefix: string, maxAgeMs: number): Promise<number> {
  let removed = 0;
  for await (const f of storage.list(prefix)) {
    if (Date.now() - f.modified.getTime() > maxAgeMs) {
      await storage.remove(f.key);
      removed++;
    }
  }
  return removed;
}

/** How many files are under `prefix`. */
export async function countUnder(storage: Pick<Storage, 'list'>, prefix: string): Promise<number> {
  let n = 0;
  for await (const _ of storage.list(prefix)) n++;
  return n;
}
