/**
 * The sweep of orphaned raw files. In: the stored `raw/` files and the database rows that name
 * them. Out: files that nothing names and nobody touched for a day are removed; their count.
 *
 * A file is adopted into `raw/` just before the row that names it is written (a version, a pulled
 * source's answer, a data-list import in the audit trail); a process that dies in between, or a
 * transaction that fails after the adoption, leaves the file named by nothing. Adopting bytes
 * already kept refreshes their time (storage's `adopt`), so a file adopted again is never swept
 * while its row is being written.
 */
import type { Knex } from 'knex';
import { log } from '../log';
import type { Storage, StoredInfo } from '../storage';

/** A raw file younger than this may belong to a row not yet committed. */
export const ORPHAN_MIN_AGE_MS = 24 * 3600 * 1000;
/** How many keys are looked up in one query (each query reads the naming tables once). */
const BATCH = 10_000;

/**
 * Of `keys`, those a row names: a version's file, a pulled source's kept answer, a data-list import.
 * One hash join against all the names (three `IN`s joined by OR left the last one unhashed: a scan
 * of the imports for every key the others did not name).
 */
async function referenced(db: Knex, keys: string[]): Promise<Set<string>> {
  const { rows } = await db.raw<{ rows: { k: string }[] }>(
    `SELECT k FROM unnest(?::text[]) AS k
      WHERE k IN (SELECT raw_path FROM versions
                  UNION ALL SELECT response_key FROM source_runs WHERE response_key IS NOT NULL
                  UNION ALL SELECT details->>'raw_path' FROM audit_events WHERE details->>'raw_path' IS NOT NULL)`,
    [keys],
  );
  return new Set(rows.map((r) => r.k));
}

/** Removes raw files no row names and older than `minAgeMs` (at `now`); how many. */
export async function sweepOrphanRaw(
  services: { db: Knex; storage: Pick<Storage, 'list' | 'stat' | 'remove'> },
  { now = Date.now(), minAgeMs = ORPHAN_MIN_AGE_MS }: { now?: number; minAgeMs?: number } = {},
): Promise<number> {
  const old = (f: Pick<StoredInfo, 'modified'>) => now - f.modified.getTime() > minAgeMs;
  const candidates: string[] = [];
  for await (const f of services.storage.list('raw/')) if (old(f)) candidates.push(f.key);
  let removed = 0;
  for (let i = 0; i < candidates.length; i += BATCH) {
    const batch = candidates.slice(i, i + BATCH);
    const named = await referenced(services.db, batch);
    for (const key of batch) {
      if (named.has(key)) continue;
      // Looked at again just before it goes: adopted again since the listing, it stays.
      const info = await services.storage.stat(key);
      if (!info || !old(info)) continue;
      await services.storage.remove(key);
      removed++;
    }
  }
  return removed;
}

/** Every `everyMs` at most, the orphan sweep of one process; never throws, never overlaps itself. */
export function orphanRawSweeper(services: { db: Knex; storage: Pick<Storage, 'list' | 'stat' | 'remove'> }, everyMs = 6 * 3600 * 1000): () => Promise<void> {
  let last = 0;
  let running = false;
  return async () => {
    if (running || Date.now() - last < everyMs) return;
    running = true;
    last = Date.now();
    try {
      const n = await sweepOrphanRaw(services);
      if (n) log.info({ removed: n }, 'removed raw files that no version, source run or import names');
    } catch (err) {
      log.warn({ reason: (err as Error).message }, 'sweeping orphaned raw files failed');
    } finally {
      running = false;
    }
  };
}
