import http from 'node:http';
import { applyTimeouts, requestTimeoutMs } from '../../server/http-timeouts';

describe('request timeouts', () => {
  it('let the largest allowed upload arrive over a 1 Mbit/s line, never less than 5 minutes', () => {
    const mb = 1024 * 1024;
    // 200 MB (the default MAX_UPLOAD_MB) at 125,000 bytes/s: 1,678 s, not Node's 300 s.
    expect(requestTimeoutMs(200 * mb)).toBe(1_677_722);
    expect(requestTimeoutMs(200 * mb)).toBeGreaterThan(200 * mb / 125_000 * 1000 - 1);
    expect(requestTimeoutMs(1 * mb)).toBe(300_000);
  });

  it('are set on the listening server, with headers still due within 60 s', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      applyTimeouts(server, 200 * 1024 * 1024);
      expect(server.requestTimeout).toBe(1_677_722);
      expect(server.headersTimeout).toBe(60_000);
      const { port } = server.address() as { port: number };
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
