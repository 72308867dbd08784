import type { Knex } from 'knex';
import { Conflict } from '../errors';
import { loadVersion } from '../jobs/load-version';
import type { VersionRow } from '../db/rows';
import type { Services } from '../services';

// What an upload needs besides making the version row: whether an earlier upload already
// answers it (a retry, the same file again), and how its load is started.

/** Starts loading a version: inline for small files, in the job queue for large ones. */
export function scheduleLoad(services: Services, versionId: number, size: number): () => Promise<void> {
  return () =>
    size <= services.config.inlineLoadMaxBytes ? loadVersion(services, versionId) : services.jobs.enqueueLoad(versionId);
}

/** A version upload's outcome: `reused` when an earlier upload answers it (nothing new was made). */
export type UploadedVersion = VersionRow & { reused: boolean };

/**
 * The version an upload repeats, if any: the one made with the same idempotency key (a different
 * file under the same key is a client's mistake, refused), else the latest version when it holds
 * the very same file — unless that one failed, when a new upload is how to try again.
 */
export async function earlierUpload(tx: Knex.Transaction, datasetId: number, sha256: string, key: string | undefined): Promise<VersionRow | null> {
  if (key) {
    const keyed = (await tx('versions').where({ dataset_id: datasetId, idempotency_key: key }).first()) as VersionRow | undefined;
    if (keyed) {
      if (keyed.raw_sha256 !== sha256) {
        throw new Conflict(
          `Idempotency-Key ini sudah dipakai untuk berkas lain (versi ${keyed.number}).`,
          `This Idempotency-Key was already used for another file (version ${keyed.number}).`,
          { version: keyed.number },
        );
      }
      return keyed;
    }
  }
  const latest = (await tx('versions').where({ dataset_id: datasetId }).orderBy('number', 'desc').first()) as VersionRow | undefined;
  if (latest && latest.raw_sha256 === sha256 && latest.state !== 'failed') return latest;
  return null;
}
