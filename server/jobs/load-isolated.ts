// loadFile in a worker thread of its own: for a load whose earlier attempt died with its process.
// Whatever took that process down (a file no check foresaw) can now only end this thread.
import { createDb } from '../db/knex';
import { loadFile, type LoadInput, type LoadProgress, type LoadResult } from '../ingest';
import type { Wilayah } from '../ingest/finish/regions';

/** The serialisable part of a LoadInput, plus where to connect and where derived files go. */
export interface IsolatedLoad extends Omit<LoadInput, 'db' | 'derivedPath' | 'onProgress'> {
  url: string;
  derivedPrefix: string;
  wilayah: Wilayah[];
}

/** Runs inside the isolated thread (see jobs/isolate.ts). */
export async function loadInThread(job: IsolatedLoad, progress: (p: LoadProgress) => void): Promise<LoadResult> {
  const db = createDb(job.url, 4);
  try {
    const { url: _u, derivedPrefix, wilayah, ...rest } = job;
    return await loadFile({ ...rest, db, derivedPath: (s) => `${derivedPrefix}${s}`, onProgress: progress }, wilayah);
  } finally {
    await db.destroy();
  }
}
