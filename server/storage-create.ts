import type { Config } from './config';
import type { Storage } from './storage';
import { LocalStorage } from './storage-local';
import { S3Storage } from './storage-s3';

/** The storage the configuration names: the bucket when S3 is configured (checked now), else `storageDir`. */
export async function createStorage(config: Pick<Config, 'storageDir' | 's3'>): Promise<Storage> {
  if (!config.s3) return new LocalStorage(config.storageDir);
  const s3 = new S3Storage(config.s3, config.storageDir);
  await s3.check();
  return s3;
}
