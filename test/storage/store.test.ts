import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { NotStored, StreamTooLarge, type Storage, type StoredInfo } from '../../server/storage';
import { LocalStorage } from '../../server/storage-local';
import { S3Storage } from '../../server/storage-s3';
import { startS3, type TestBucket } from '../support/s3';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

async function all(it: AsyncIterable<StoredInfo>): Promise<string[]> {
  const keys: string[] = [];
  for await (const f of it) keys.push(f.key);
  return keys.sort();
}

/** `n` bytes in chunks of 64 KiB, then (when `fail`) an error, as a client that goes away mid-upload. */
function bytes(n: number, fail = false): Readable {
  return Readable.from(
    (async function* () {
      for (let done = 0; done < n; done += 65536) yield Buffer.alloc(Math.min(65536, n - done), 0x62);
      if (fail) throw new Error('client went away');
    })(),
  );
}

describe('storing an upload on local disk', () => {
  it('leaves no file behind when a stream is refused at once for its size, however quickly', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-store-'));
    try {
      const storage = new LocalStorage(root);
      for (let i = 0; i < 200; i++) {
        await expect(storage.store(Readable.from([Buffer.alloc(2000, 0x61)]), 1000)).rejects.toBeInstanceOf(StreamTooLarge);
        // Nothing may appear afterwards either (an open still under way when the refusal came).
        await new Promise((r) => setImmediate(r));
        expect(fs.readdirSync(path.join(root, 'incoming'))).toEqual([]);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

let bucket: TestBucket;
const roots: string[] = [];
beforeAll(async () => {
  bucket = await startS3();
});
afterAll(async () => {
  await bucket?.close();
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function scratch(): string {
  const r = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-store-'));
  roots.push(r);
  return r;
}

// The same behaviour from both backends: callers cannot tell them apart.
describe.each([
  ['local disk', () => new LocalStorage(scratch()) as Storage],
  ['an S3 bucket (s3rver)', () => new S3Storage(bucket.settings, scratch()) as Storage],
])('storage on %s', (_name, make) => {
  let storage: Storage;
  beforeEach(async () => {
    storage = make();
    for await (const f of storage.list('')) await storage.remove(f.key);
  });

  it('receives a stream into incoming/ with its hash and size, and gives the bytes back', async () => {
    const body = Buffer.from(`kode;nama\n1801;LAMPUNG BARAT ${crypto.randomUUID()}\n`);
    const stored = await storage.store(Readable.from([body]));
    expect(stored.key).toMatch(/^incoming\/[0-9a-f-]{36}$/);
    expect(stored).toMatchObject({ sha256: sha(body), size: body.length });
    expect(await text(await storage.open(stored.key))).toBe(body.toString());
    expect((await storage.stat(stored.key))?.size).toBe(body.length);
    expect(await storage.incomingCount()).toBe(1);
  });

  it('adopts an incoming file under its content address, keeping the same bytes once', async () => {
    const body = Buffer.from(`a,b\n${crypto.randomUUID()},2\n`);
    const first = await storage.store(Readable.from([body]));
    const raw = await storage.adopt(first.key, first.sha256);
    expect(raw).toBe(`raw/${first.sha256.slice(0, 2)}/${first.sha256}`);
    const again = await storage.store(Readable.from([body]));
    expect(await storage.adopt(again.key, again.sha256)).toBe(raw);
    expect(await storage.adopt(raw, first.sha256)).toBe(raw);
    expect(await all(storage.list(''))).toEqual([raw]);
    expect(await storage.incomingCount()).toBe(0);
    // A raw file is never discarded (another version may share it); an incoming one is.
    await storage.discard(raw);
    expect(await storage.stat(raw)).not.toBeNull();
  });

  it('gives bytes kept already the time of now when they are adopted again (the orphan sweep leaves them)', async () => {
    const body = Buffer.from(`a,b\n${crypto.randomUUID()},3\n`);
    const raw = await storage.adopt((await storage.store(Readable.from([body]))).key, sha(body));
    const first = (await storage.stat(raw))!.modified.getTime();
    // Bucket times are in whole seconds.
    await new Promise((r) => setTimeout(r, 1100));
    await storage.adopt((await storage.store(Readable.from([body]))).key, sha(body));
    const second = (await storage.stat(raw))!.modified.getTime();
    expect(second).toBeGreaterThan(first);
    await new Promise((r) => setTimeout(r, 1100));
    await storage.adopt(raw, sha(body));
    expect((await storage.stat(raw))!.modified.getTime()).toBeGreaterThan(second);
    expect(await text(await storage.open(raw))).toBe(body.toString());
    expect(await all(storage.list(''))).toEqual([raw]);
  });

  it('keeps nothing of a stream over its limit, also one long enough to go up in parts', async () => {
    await expect(storage.store(bytes(5000), 1000)).rejects.toBeInstanceOf(StreamTooLarge);
    await expect(storage.store(bytes(13 * 1024 * 1024), 12 * 1024 * 1024)).rejects.toBeInstanceOf(StreamTooLarge);
    expect(await all(storage.list(''))).toEqual([]);
  });

  it('keeps nothing of a stream that breaks off, and stores a large one whole', async () => {
    await expect(storage.store(bytes(11 * 1024 * 1024, true))).rejects.toThrow('client went away');
    expect(await all(storage.list(''))).toEqual([]);
    const big = await storage.store(bytes(11 * 1024 * 1024 + 7));
    expect(big.size).toBe(11 * 1024 * 1024 + 7);
    expect((await storage.stat(big.key))?.size).toBe(big.size);
  });

  it('gives the loader a local file with the bytes, and frees its copy after', async () => {
    const body = Buffer.from('x;y\n1;2\n');
    const raw = await storage.adopt((await storage.store(Readable.from([body]))).key, sha(body));
    const local = await storage.localFile(raw);
    expect(fs.readFileSync(local.path)).toEqual(body);
    await local.release();
    if (storage.kind === 's3') expect(fs.existsSync(local.path)).toBe(false);
    expect(await storage.stat(raw)).not.toBeNull();
  });

  it('says a missing key is missing, and refuses keys that leave storage', async () => {
    const missing = `raw/00/${'0'.repeat(64)}`;
    expect(await storage.stat(missing)).toBeNull();
    await expect(storage.open(missing)).rejects.toBeInstanceOf(NotStored);
    await expect(storage.localFile(missing)).rejects.toBeInstanceOf(NotStored);
    await expect(storage.open('raw/../../etc/passwd')).rejects.toThrow(/bad storage key/);
    await expect(storage.put('/etc/x', Readable.from(['x']))).rejects.toThrow(/bad storage key/);
  });

  it('writes and removes a file at a given key (restoring a backup)', async () => {
    const body = Buffer.from('restored');
    const key = `raw/${sha(body).slice(0, 2)}/${sha(body)}`;
    await storage.put(key, Readable.from([body]));
    expect(await text(await storage.open(key))).toBe('restored');
    expect(await all(storage.list('raw/'))).toEqual([key]);
    await storage.remove(key);
    await storage.remove(key); // gone already: not an error
    expect(await all(storage.list('raw/'))).toEqual([]);
  });

  it('sweeps incoming files older than asked, leaving raw ones', async () => {
    const raw = await storage.adopt((await storage.store(Readable.from(['kept']))).key, sha(Buffer.from('kept')));
    await storage.store(Readable.from(['left behind']));
    expect(await storage.sweepIncoming(60_000)).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await storage.sweepIncoming(500)).toBe(1);
    expect(await all(storage.list(''))).toEqual([raw]);
  });
});
