import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchRefused, isSpecialAddress, safeFetch } from '../../server/exchange/safe-fetch';

let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/redirect-metadata') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/redirect-local') return res.writeHead(302, { location: `http://localhost:${port}/data.csv` }).end();
    if (req.url === '/slow') {
      const timer = setTimeout(() => res.end('late'), 3000);
      return res.on('close', () => clearTimeout(timer));
    }
    res.writeHead(200, { 'content-type': 'text/csv' }).end('a,b\n1,2\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => {
  server.closeAllConnections();
  server.close(r);
}));

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(FetchRefused);
  return err as FetchRefused;
};
const text = async (body: NodeJS.ReadableStream) => {
  let s = '';
  for await (const c of body) s += c;
  return s;
};

describe('outbound requests cannot reach the portal\'s own network (SSRF)', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.9', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::ffff:127.0.0.1', 'fd00::1', 'fe80::1', '224.0.0.1'])(
    'takes %s for a special address',
    (a) => expect(isSpecialAddress(a)).toBe(true),
  );
  it.each(['8.8.8.8', '103.10.20.30', '2606:4700:4700::1111'])('takes %s for a public address', (a) => expect(isSpecialAddress(a)).toBe(false));

  it('refuses loopback, link-local metadata and IPv6 loopback, by address and by name', async () => {
    expect((await refusal(safeFetch(`http://127.0.0.1:${port}/data.csv`))).code).toBe('blocked_address');
    expect((await refusal(safeFetch(`http://localhost:${port}/data.csv`))).code).toBe('blocked_address');
    expect((await refusal(safeFetch('http://169.254.169.254/latest/meta-data/'))).code).toBe('blocked_address');
    expect((await refusal(safeFetch(`http://[::1]:${port}/`))).code).toBe('blocked_address');
    expect((await refusal(safeFetch(`http://[::ffff:127.0.0.1]:${port}/`))).code).toBe('blocked_address');
    const e = await refusal(safeFetch(`http://127.0.0.1:${port}/`));
    expect(e.id).toMatch(/FETCH_ALLOW_HOSTS/);
  });

  it('refuses other schemes', async () => {
    expect((await refusal(safeFetch('file:///etc/passwd'))).code).toBe('scheme');
    expect((await refusal(safeFetch('gopher://127.0.0.1:6379/_INFO'))).code).toBe('scheme');
    expect((await refusal(safeFetch('not a url'))).code).toBe('scheme');
  });

  it('reaches a host the admin allowed, and checks every redirect again', async () => {
    const ok = await safeFetch(`http://127.0.0.1:${port}/data.csv`, { allowHosts: ['127.0.0.1'] });
    expect(ok.status).toBe(200);
    expect(await text(ok.body)).toBe('a,b\n1,2\n');
    // Allowed 127.0.0.1 redirects to the cloud metadata address: refused.
    expect((await refusal(safeFetch(`http://127.0.0.1:${port}/redirect-metadata`, { allowHosts: ['127.0.0.1'] }))).code).toBe('blocked_address');
    // ...and to `localhost`, which is not on the list although it is the same machine.
    expect((await refusal(safeFetch(`http://127.0.0.1:${port}/redirect-local`, { allowHosts: ['127.0.0.1'] }))).code).toBe('blocked_address');
    const both = await safeFetch(`http://127.0.0.1:${port}/redirect-local`, { allowHosts: ['127.0.0.1', 'localhost'] });
    expect(both.url).toBe(`http://localhost:${port}/data.csv`);
    both.body.resume();
  });

  it('gives up on a source that does not answer in time', async () => {
    expect((await refusal(safeFetch(`http://127.0.0.1:${port}/slow`, { allowHosts: ['127.0.0.1'], timeoutMs: 300 }))).code).toBe('timeout');
  });
});
