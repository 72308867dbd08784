// The backup's container: one gzip-compressed tar file. Every byte of it is checked on reading:
// the gzip header must be exactly the one written here (its time and OS bytes are not covered by
// the gzip checksum), the compressed data by deflate and its CRC-32, nothing may follow the gzip
// member, and each entry's content by the sha256 the manifest names.
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar from 'tar-stream';

/** The 10-byte header Node's gzip writes (no name, no time, OS unix): the only one accepted. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);

/** Thrown when an archive is not one this portal wrote, or was changed since. */
export class DamagedArchive extends Error {}

/** Size and sha256 of an entry's content. */
export interface PartDigest {
  size: number;
  sha256: string;
}

/** Writes a backup archive entry by entry; the file appears under its name only once complete. */
export class ArchiveWriter {
  private readonly pack: tar.Pack = tar.pack();
  private readonly done: Promise<void>;
  private readonly partial: string;
  readonly parts: Record<string, PartDigest> = {};

  constructor(
    readonly file: string,
    private readonly mtime = new Date(),
  ) {
    this.partial = `${file}.partial`;
    this.done = pipeline(Readable.from(this.pack), zlib.createGzip({ level: 6 }), fs.createWriteStream(this.partial, { flags: 'wx', mode: 0o600 }));
    // The pipeline's failure is reported by close(); until then it must not be unhandled.
    this.done.catch(() => undefined);
  }

  /** Adds an entry whose content is in memory. */
  async addBuffer(name: string, content: Buffer): Promise<PartDigest> {
    const digest = { size: content.length, sha256: crypto.createHash('sha256').update(content).digest('hex') };
    await new Promise<void>((resolve, reject) => this.pack.entry(this.header(name, content.length), content, (err) => (err ? reject(err) : resolve())));
    this.parts[name] = digest;
    return digest;
  }

  /** Adds an entry streamed from `source`, which must yield exactly `size` bytes. */
  async addStream(name: string, size: number, source: Readable): Promise<PartDigest> {
    const hash = crypto.createHash('sha256');
    let sink!: ReturnType<tar.Pack['entry']>;
    const entryDone = new Promise<void>((resolve, reject) => {
      sink = this.pack.entry(this.header(name, size), (err) => (err ? reject(err) : resolve()));
    });
    entryDone.catch(() => undefined);
    let written = 0;
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      written += buf.length;
      if (written > size) break;
      hash.update(buf);
      if (!sink.write(buf)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
    }
    if (written !== size) {
      sink.destroy(new Error(`${name} changed while it was read (${written} bytes, expected ${size})`));
      await entryDone.catch(() => undefined);
      throw new Error(`${name} changed while it was read (expected ${size} bytes)`);
    }
    (sink as unknown as { end(): void }).end();
    await entryDone;
    const digest = { size, sha256: hash.digest('hex') };
    this.parts[name] = digest;
    return digest;
  }

  /** Ends the archive and gives it its name. */
  async close(): Promise<void> {
    this.pack.finalize();
    await this.done;
    await fs.promises.rename(this.partial, this.file);
  }

  /** Stops writing and removes the unfinished file. */
  async abort(err: Error): Promise<void> {
    this.pack.destroy(err);
    await this.done.catch(() => undefined);
    await fs.promises.rm(this.partial, { force: true });
  }

  private header(name: string, size: number): Parameters<tar.Pack['entry']>[0] {
    return { name, size, mtime: this.mtime, mode: 0o600, type: 'file' };
  }
}

/** An entry being read: its name, size and content. */
export interface ArchiveEntry {
  name: string;
  size: number;
  content: AsyncIterable<Buffer>;
}

/**
 * Reads the archive's entries in order, handing each to `onEntry` (which must consume its
 * content) and returning every entry's digest. Refuses, with DamagedArchive, a file whose
 * gzip header, compressed data, checksum, tar structure or length is not as written.
 */
export async function readArchive(file: string, onEntry: (entry: ArchiveEntry) => Promise<void>): Promise<Record<string, PartDigest>> {
  const size = (await fs.promises.stat(file)).size;
  const source = fs.createReadStream(file);
  const gunzip = zlib.createGunzip();
  const extract = tar.extract();
  let seen = 0;
  const header = Buffer.alloc(GZIP_HEADER.length);
  const check = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (seen < header.length) chunk.copy(header, seen, 0, Math.min(chunk.length, header.length - seen));
      seen += chunk.length;
      if (seen >= header.length && !header.equals(GZIP_HEADER)) return cb(new DamagedArchive('not a backup archive of this portal (unexpected gzip header)'));
      cb(null, chunk);
    },
  });
  const fail = (err: Error) => extract.destroy(err instanceof DamagedArchive ? err : new DamagedArchive(`the archive is damaged: ${err.message}`));
  source.on('error', fail);
  check.on('error', fail);
  gunzip.on('error', fail);
  source.pipe(check).pipe(gunzip).pipe(extract as unknown as NodeJS.WritableStream);

  const digests: Record<string, PartDigest> = {};
  const entries = extract[Symbol.asyncIterator]();
  const nextEntry = async () => {
    try {
      return await entries.next();
    } catch (err) {
      throw err instanceof DamagedArchive ? err : new DamagedArchive(`the archive is damaged: ${(err as Error).message}`);
    }
  };
  try {
    for (let step = await nextEntry(); !step.done; step = await nextEntry()) {
      const entry = step.value;
      const name = entry.header.name;
      if (entry.header.type !== 'file') throw new DamagedArchive(`unexpected ${entry.header.type} entry ${name} in the archive`);
      if (name in digests) throw new DamagedArchive(`entry ${name} appears twice in the archive`);
      const hash = crypto.createHash('sha256');
      let bytes = 0;
      const content = (async function* (): AsyncGenerator<Buffer> {
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      })();
      await onEntry({ name, size: entry.header.size ?? 0, content });
      // Whatever the handler left unread still counts.
      for await (const _ of content) void _;
      digests[name] = { size: bytes, sha256: hash.digest('hex') };
    }
  } catch (err) {
    source.destroy();
    throw err;
  }
  if (seen < GZIP_HEADER.length) throw new DamagedArchive('the archive is empty or truncated');
  if (gunzip.bytesWritten !== size) throw new DamagedArchive(`the archive has ${size - gunzip.bytesWritten} unexpected byte(s) after its end`);
  return digests;
}
