import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Storage, StreamTooLarge } from '../../server/storage';

describe('storing an upload', () => {
  it('leaves no file behind when a stream is refused at once for its size, however quickly', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'satudata-store-'));
    try {
      const storage = new Storage(root);
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
