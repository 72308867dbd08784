import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import { CopyOutFrames, copyOut } from '../../server/db/copy-out';
import { withClient } from '../../server/db/knex';
import { testServices, type TestServices } from '../support/services';

const message = (code: string, payload: string | Buffer) => {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

/** Feeds `bytes` to a parser in chunks of `size` (copies: the parser rewrites chunks in place). */
function parse(bytes: Buffer, size: number) {
  const f = new CopyOutFrames();
  const data: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    const part = f.feed(Buffer.from(bytes.subarray(i, i + size)));
    data.push(Buffer.from(part.data));
    if (part.end) return { data: Buffer.concat(data).toString(), end: part.end, rest: Buffer.concat([part.rest, bytes.subarray(i + size)]) };
  }
  return { data: Buffer.concat(data).toString(), end: null, rest: Buffer.alloc(0) };
}

describe('COPY TO output taken out of its messages', () => {
  const rows = ['a,b\n', '"x, ""y""",ä€😀\n', '', `${'z'.repeat(300)}\n`, '1,2\n'];
  const after = Buffer.concat([message('C', 'COPY 4\0'), message('Z', 'I')]);

  it('gives the CopyData payloads in order and hands back what follows CopyDone, however the bytes are split', () => {
    const stream = Buffer.concat([
      message('H', Buffer.from([0, 0, 2, 0, 0, 0, 0])),
      message('d', rows[0]),
      message('N', 'a notice in between\0'),
      ...rows.slice(1).map((r) => message('d', r)),
      message('S', 'TimeZone\0UTC\0'),
      message('c', ''),
      after,
    ]);
    for (let size = 1; size <= stream.length; size++) {
      const got = parse(stream, size);
      expect({ size, data: got.data, end: got.end }).toEqual({ size, data: rows.join(''), end: 'done' });
      expect(got.rest.equals(after)).toBe(true);
    }
  });

  it('stops at an error and hands it to the driver from its first byte', () => {
    const error = Buffer.concat([message('E', 'SERROR\0C22012\0Mdivision by zero\0\0'), message('Z', 'I')]);
    const stream = Buffer.concat([message('H', Buffer.from([0, 0, 0])), message('d', rows[0]), error]);
    for (let size = 1; size <= stream.length; size++) {
      const got = parse(stream, size);
      expect(got.end).toBe('error');
      expect(got.rest.equals(error)).toBe(true);
    }
  });

  describe('on PostgreSQL', () => {
    let svc: TestServices;
    beforeAll(() => {
      svc = testServices();
    });
    afterAll(() => svc.close());

    const read = async (stream: NodeJS.ReadableStream) => {
      const parts: Buffer[] = [];
      await pipeline(stream, new Writable({ write: (c: Buffer, _e, cb) => (parts.push(Buffer.from(c)), cb()) }));
      return Buffer.concat(parts);
    };

    it('writes the bytes pg-copy-streams writes, and leaves the connection usable after an error', async () => {
      const sql = `COPY (SELECT i, repeat('é"', i % 7) AS t, CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1.5 END AS x FROM generate_series(1, 20000) i) TO STDOUT WITH (FORMAT csv, HEADER true)`;
      await withClient(svc.db, async (client) => {
        const ours = await read(client.query(copyOut(sql)));
        const theirs = await read(client.query(copyTo(sql)));
        expect(ours.length).toBeGreaterThan(100_000);
        expect(ours.equals(theirs)).toBe(true);
        await expect(read(client.query(copyOut('COPY (SELECT 1 / (i - 15000) FROM generate_series(1, 20000) i) TO STDOUT')))).rejects.toThrow(/division by zero/);
        expect((await client.query('SELECT 42 AS n')).rows).toEqual([{ n: 42 }]);
      });
    });
  });
});
