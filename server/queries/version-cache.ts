// Answers computed from a published version's table, kept in memory (a small LRU per database).
//
// Why this is safe: a version's table never changes once loaded (a reload is a new table, a new
// upload a new version), and only published or superseded versions are cached, under a key made
// of the version's uuid and its table. What is kept is data only, never who may see it: every
// request checks its reader first (findVersion, the page loader), then asks here. A retraction
// or a change of access level therefore takes effect on the next request, and nothing can be
// served from here to a reader the checks refused.
import type { Knex } from 'knex';

/**
 * Entries kept at most, and their estimated size in all (bytes of their JSON; the objects take
 * a few times that in memory, so this keeps the cache under about 100 MB).
 */
const MAX_ENTRIES = 2000;
const MAX_BYTES = 24 * 1024 * 1024;
/** Answers larger than this are not kept (a page of 10,000 wide rows): they would push out many. */
const MAX_ENTRY_BYTES = 2 * 1024 * 1024;

interface Entry {
  value: Promise<unknown>;
  bytes: number;
}

/** A least-recently-used map of promised answers, bounded by entry count and estimated bytes. */
export class AnswerCache {
  private entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = MAX_ENTRIES,
    private readonly maxBytes = MAX_BYTES,
  ) {}

  /**
   * The answer under `key`, computed by `compute` on a miss. Concurrent misses share one
   * computation; a failure is not kept. `size` estimates an answer's bytes once it is known.
   */
  get<T>(key: string, compute: () => Promise<T>, size: (value: T) => number): Promise<T> {
    // Most recently used last.
    const hit = this.peek<T>(key);
    if (hit) return hit;
    const entry: Entry = { value: Promise.resolve(), bytes: 0 };
    const value = compute().then(
      (v) => {
        const bytes = size(v);
        if (this.entries.get(key) === entry) {
          if (bytes > MAX_ENTRY_BYTES) this.drop(key);
          else {
            entry.bytes = bytes;
            this.bytes += bytes;
            this.trim();
          }
        }
        return v;
      },
      (err) => {
        if (this.entries.get(key) === entry) this.drop(key);
        throw err;
      },
    );
    entry.value = value;
    this.entries.set(key, entry);
    this.trim();
    return value;
  }

  /** The answer kept (or being computed) under `key`, without computing it; null when there is none. */
  peek<T>(key: string): Promise<T> | null {
    const hit = this.entries.get(key);
    if (!hit) return null;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value as Promise<T>;
  }

  /** How many answers are kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.bytes;
    this.entries.delete(key);
  }

  private trim(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.drop(key);
    }
  }
}

const caches = new WeakMap<Knex, AnswerCache>();

/** The answer cache of a database handle (one per pool, as the data it keeps belongs to it). */
export function answerCache(db: Knex): AnswerCache {
  let c = caches.get(db);
  if (!c) {
    c = new AnswerCache();
    caches.set(db, c);
  }
  return c;
}

/** A version whose answers may be kept: its data are fixed once it is published. */
export interface CacheableVersion {
  uuid: string;
  table_name: string | null;
  state: string;
}

/** The cache key of a version's data, or null when its answers must not be kept (not published yet). */
export function versionCacheKey(v: CacheableVersion): string | null {
  if (!v.table_name || !(v.state === 'published' || v.state === 'superseded')) return null;
  return `${v.uuid}/${v.table_name}`;
}

/** `compute()`, kept under the version's key and `part` when the version's data may be kept. */
export function cachedAnswer<T>(db: Knex, version: string | null | undefined, part: string, compute: () => Promise<T>): Promise<T> {
  if (!version) return compute();
  return answerCache(db).get(`${version}:${part}`, compute, (v) => JSON.stringify(v)?.length ?? 0);
}
