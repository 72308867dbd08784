import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Settings } from './config';
import { checkKey, countUnder, removeOlder, derivedPathIn, incomingKey, meter, NotStored, rawKeyFor, type LocalFile, type Storage, type StoredFile, type StoredInfo } from './storage';

/** Parts of a streamed upload: S3's minimum; two in flight, so memory stays ~10 MB per upload. */
const PART_BYTES = 5 * 1024 * 1024;

/**
 * Keeps uploaded files in an S3-compatible bucket (`S3_*` settings), with the same keys as the
 * local disk: `incoming/<uuid>` while a request is answered, then `raw/ab/<sha256>`. Several app
 * and worker processes on different machines then see the same files. Files the loader reads by
 * path are fetched into a scratch file under `scratchRoot` and removed after.
 */
export class S3Storage implements Storage {
  readonly kind = 's3';
  readonly client: S3Client;
  readonly bucket: string;

  constructor(
    settings: S3Settings,
    private readonly scratchRoot: string,
  ) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined,
      // Checksums only where S3 requires them: many S3-compatible servers refuse the newer
      // default (trailing CRC32 in aws-chunked bodies).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const cache = path.join(scratchRoot, 'cache');
    fs.mkdirSync(cache, { recursive: true });
    // Copies left by a process killed mid-load (a load takes minutes, not a day).
    for (const name of fs.readdirSync(cache)) {
      const file = path.join(cache, name);
      if (Date.now() - fs.statSync(file).mtimeMs > 24 * 3600 * 1000) fs.rmSync(file, { force: true });
    }
  }

  /** Fails at start, with a clear message, when the bucket cannot be reached. */
  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw new Error(`S3 bucket ${this.bucket} cannot be reached (${(err as Error).name}: ${(err as Error).message}): check S3_ENDPOINT, S3_BUCKET, S3_REGION and the keys`);
    }
  }

  async store(source: Readable, limit = Number.POSITIVE_INFINITY): Promise<StoredFile> {
    const key = incomingKey();
    const m = meter(limit);
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: key, Body: m.stream }, partSize: PART_BYTES, queueSize: 2, leavePartsOnError: false });
    let failure: unknown = null;
    const feeding = pipeline(source, m.stream).catch((err) => {
      failure ??= err;
      throw err;
    });
    try {
      await Promise.all([feeding, upload.done()]);
    } catch (err) {
      // The first failure is the cause (a later one is the other side stopping because of it).
      const first = failure ?? err;
      m.stream.destroy();
      await upload.abort().catch(() => undefined);
      await feeding.catch(() => undefined);
      // A single-part upload could have been sent just before the failure: nothing stays.
      await this.remove(key).catch(() => undefined);
      throw first;
    }
    return { key, ...m.result() };
  }

  async storeFile(file: string): Promise<StoredFile> {
    return this.store(fs.createReadStream(file));
  }

  async adopt(key: string, sha256: string): Promise<string> {
    if (!key.startsWith('incoming/')) {
      if (await this.stat(key)) await this.touch(key);
      return key;
    }
    const raw = rawKeyFor(sha256);
    // Raw keys are content-addressed: bytes already kept are not copied again, only touched.
    if (await this.stat(raw)) await this.touch(raw);
    else await this.copy(key, raw);
    await this.remove(key);
    return raw;
  }

  private async copy(from: string, to: string, touching = false): Promise<void> {
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: checkKey(to),
        CopySource: `${encodeURIComponent(this.bucket)}/${checkKey(from)}`,
        ...(touching ? { MetadataDirective: 'REPLACE' as const, Metadata: { touched: new Date().toISOString() } } : {}),
      }),
    );
  }

  /**
   * Bytes kept already and adopted again get a new time (a copy onto themselves, done by the
   * bucket, with the time in their metadata too), so the orphan sweep leaves them while the row
   * that names them is written. The object must exist.
   */
  private async touch(key: string): Promise<void> {
    await this.copy(key, key, true);
  }

  async discard(key: string): Promise<void> {
    if (key.startsWith('incoming/')) await this.remove(key);
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
  }

  async put(key: string, source: Readable): Promise<void> {
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: checkKey(key), Body: source }, partSize: PART_BYTES, queueSize: 2, leavePartsOnError: false });
    await upload.done();
  }

  async open(key: string): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      return res.Body as Readable;
    } catch (err) {
      if (isMissing(err)) throw new NotStored(key);
      throw err;
    }
  }

  async stat(key: string): Promise<StoredInfo | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      // A copy onto itself renews LastModified in S3; some compatible stores keep the old time,
      // so the time of the touch is also written as metadata, and the later one counts.
      const touched = Date.parse(res.Metadata?.touched ?? '');
      const modified = res.LastModified ?? new Date(0);
      return { key, size: Number(res.ContentLength ?? 0), modified: touched > modified.getTime() ? new Date(touched) : modified };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async *list(prefix = ''): AsyncIterable<StoredInfo> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix || undefined, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (o.Key) yield { key: o.Key, size: Number(o.Size ?? 0), modified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async localFile(key: string): Promise<LocalFile> {
    const file = path.join(this.scratchRoot, 'cache', crypto.randomUUID());
    try {
      await pipeline(await this.open(key), fs.createWriteStream(file, { flags: 'wx' }));
    } catch (err) {
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    return { path: file, release: () => fs.promises.rm(file, { force: true }) };
  }

  derivedPath(name: string): string {
    return derivedPathIn(this.scratchRoot, name);
  }

  async sweepIncoming(maxAgeMs: number): Promise<number> {
    return removeOlder(this, 'incoming/', maxAgeMs);
  }

  async incomingCount(): Promise<number> {
    return countUnder(this, 'incoming/');
  }

}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
