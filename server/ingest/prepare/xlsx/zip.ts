// The workbook's zip container, read through its central directory (random access): sizes and
// compression ratios are checked before a single entry is inflated, and every entry is inflated
// as a stream whose real size yauzl holds to the size the directory declares.
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { XlsxRefused } from './refused';

/** How much a workbook may unpack to, and how densely. */
export interface XlsxLimits {
  /** All entries together, uncompressed. */
  maxUnpackedBytes: number;
  /** Uncompressed ÷ compressed size of any entry larger than 1 MiB. */
  maxRatio: number;
  /** The shared-strings part, which must be held in memory while the sheet is read. */
  maxSharedStringsBytes: number;
  /** The CSV written from one sheet (a sparse sheet can widen many times over). */
  maxOutputBytes: number;
}

export const DEFAULT_XLSX_LIMITS: XlsxLimits = {
  maxUnpackedBytes: 1024 * 1024 * 1024,
  maxRatio: 100,
  maxSharedStringsBytes: 100 * 1024 * 1024,
  maxOutputBytes: 2 * 1024 * 1024 * 1024,
};

const MAX_ENTRIES = 10_000;
const RATIO_FLOOR_BYTES = 1024 * 1024;

/** An opened workbook container: its entries by name, each openable as a stream. */
export class Zip {
  private constructor(
    private readonly file: yauzl.ZipFile,
    readonly entries: Map<string, yauzl.Entry>,
  ) {}

  /** Opens `path` and checks the directory against `limits`; refuses bombs before inflating anything. */
  static async open(path: string, limits: XlsxLimits): Promise<Zip> {
    const file = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, zf) =>
        err || !zf ? reject(new XlsxRefused('bad_xlsx')) : resolve(zf),
      ),
    );
    const entries = new Map<string, yauzl.Entry>();
    try {
      let unpacked = 0;
      await new Promise<void>((resolve, reject) => {
        file.on('entry', (e: yauzl.Entry) => {
          if (entries.size >= MAX_ENTRIES) return reject(new XlsxRefused('xlsx_too_large'));
          unpacked += e.uncompressedSize;
          if (unpacked > limits.maxUnpackedBytes) return reject(new XlsxRefused('xlsx_too_large'));
          const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
          if (e.uncompressedSize > RATIO_FLOOR_BYTES && ratio > limits.maxRatio) return reject(new XlsxRefused('xlsx_bomb'));
          entries.set(e.fileName.replace(/^\/+/, ''), e);
          file.readEntry();
        });
        file.on('end', () => resolve());
        file.on('error', () => reject(new XlsxRefused('bad_xlsx')));
        file.readEntry();
      });
    } catch (err) {
      file.close();
      throw err;
    }
    return new Zip(file, entries);
  }

  /** The inflated bytes of one entry (null when the workbook has no such part). */
  async stream(name: string): Promise<Readable | null> {
    const entry = this.entries.get(name);
    if (!entry) return null;
    return new Promise((resolve, reject) =>
      this.file.openReadStream(entry, (err, s) => (err || !s ? reject(new XlsxRefused('bad_xlsx')) : resolve(s))),
    );
  }

  /** The declared uncompressed size of an entry (0 when absent). */
  size(name: string): number {
    return this.entries.get(name)?.uncompressedSize ?? 0;
  }

  close(): void {
    this.file.close();
  }
}
