import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Readable } from 'node:stream';

/**
 * Outbound HTTP for pulled sources, harvests and webhooks, safe against SSRF: only http(s), every
 * address the host resolves to (and every redirect's) checked against private, loopback,
 * link-local and other special ranges before connecting — and the connection made to the very
 * address that was checked, so a DNS answer cannot change between the check and the request.
 * Hosts in FETCH_ALLOW_HOSTS may be reached although their addresses are special.
 */

/** Why an outbound request was refused or failed; `code` is stable, the texts are for people. */
export class FetchRefused extends Error {
  constructor(
    readonly code: 'scheme' | 'blocked_address' | 'too_large' | 'timeout' | 'too_many_redirects' | 'http_status' | 'network',
    readonly id: string,
    readonly en: string,
  ) {
    super(en);
  }
}

export interface SafeFetchOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Hosts (lower-case names or literal addresses) that may be reached although private or loopback. */
  allowHosts?: readonly string[];
  /** The whole exchange must finish within this many milliseconds. */
  timeoutMs?: number;
  maxRedirects?: number;
}

export interface SafeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The final URL after redirects. */
  url: string;
  body: Readable;
}

// Two lists: one BlockList holding both families matches IPv4 addresses against ::ffff:0:0/96.
const BLOCKED4 = new net.BlockList();
const BLOCKED6 = new net.BlockList();
for (const [net4, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED4.addSubnet(net4, bits, 'ipv4');
for (const [net6, bits] of [
  ['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) BLOCKED6.addSubnet(net6, bits, 'ipv6');

/** Whether an address is private, loopback, link-local, reserved or otherwise not the public internet. */
export function isSpecialAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED4.check(address, 'ipv4');
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is in a blocked range of its own.
  if (family === 6) return BLOCKED6.check(address, 'ipv6');
  return true; // not an address at all: refuse
}

/** FETCH_ALLOW_HOSTS → a list of lower-case host names or addresses. */
export function parseAllowHosts(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase().replace(/^\[|\]$/g, ''))
    .filter(Boolean);
}

const refusedAddress = (host: string) =>
  new FetchRefused(
    'blocked_address',
    `Alamat ${host} adalah alamat privat, loopback atau khusus; portal tidak mengambil data dari sana (minta admin menambahkannya ke FETCH_ALLOW_HOSTS bila memang perlu).`,
    `${host} is a private, loopback or special address; the portal does not fetch from it (ask the admin to add it to FETCH_ALLOW_HOSTS if it must).`,
  );

/** A `lookup` for http.request that resolves, checks every address, and hands back a checked one. */
function checkedLookup(host: string, allowed: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family, hints: options.hints }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      if (!list.length) return callback(new Error(`no address for ${hostname}`), '', 0);
      // Every answer must be public: a name with one public and one private address is refused.
      if (!allowed && list.some((a) => isSpecialAddress(a.address))) return callback(refusedAddress(host), '', 0);
      const first = list[0];
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [first]);
      callback(null, first.address, first.family);
    });
  };
}

/** One request, no redirects followed; resolves when the response headers arrive. */
function requestOnce(url: URL, opts: SafeFetchOptions, allowed: boolean, signal: AbortSignal): Promise<http.IncomingMessage> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, {
      method: opts.method ?? 'GET',
      headers: { 'user-agent': 'SatuDataPortal/1 (+pull)', ...(opts.headers ?? {}) },
      lookup: checkedLookup(url.hostname, allowed),
      signal,
      agent: false,
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * GETs (or POSTs) `url` safely and returns the response with its body unread. Redirects are
 * followed (each one checked again) up to `maxRedirects`; the caller reads the body and enforces
 * its own size limit (storage.store does) — the deadline covers the body too.
 */
export async function safeFetch(raw: string, opts: SafeFetchOptions = {}): Promise<SafeResponse> {
  const allowHosts = (opts.allowHosts ?? []).map((h) => h.toLowerCase());
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 30_000);
  timer.unref();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    clearTimeout(timer);
    throw new FetchRefused('scheme', `Alamat ${raw} bukan URL yang sah.`, `${raw} is not a valid URL.`);
  }
  try {
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new FetchRefused('scheme', `Hanya alamat http(s) yang dapat diambil (bukan ${url.protocol}).`, `Only http(s) addresses can be fetched (not ${url.protocol}).`);
      }
      const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
      const allowed = allowHosts.includes(host);
      // A literal address is never looked up: check it here.
      if (net.isIP(host) && !allowed && isSpecialAddress(host)) throw refusedAddress(host);
      let res: http.IncomingMessage;
      try {
        res = await requestOnce(url, opts, allowed, controller.signal);
      } catch (err) {
        if (err instanceof FetchRefused) throw err;
        if (controller.signal.aborted) throw timeoutError(opts.timeoutMs ?? 30_000);
        const msg = (err as Error).message;
        throw new FetchRefused('network', `Tidak dapat menghubungi ${host}: ${msg}`, `Could not reach ${host}: ${msg}`);
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (hop >= (opts.maxRedirects ?? 5)) {
          throw new FetchRefused('too_many_redirects', 'Terlalu banyak pengalihan (redirect).', 'Too many redirects.');
        }
        url = new URL(res.headers.location, url);
        continue;
      }
      res.on('close', () => clearTimeout(timer));
      res.on('error', () => clearTimeout(timer));
      controller.signal.addEventListener('abort', () => res.destroy(timeoutError(opts.timeoutMs ?? 30_000)), { once: true });
      return { status, headers: res.headers, url: url.toString(), body: res };
    }
  } catch (err) {
    clearTimeout(timer);
    throw err;
  }
}

function timeoutError(ms: number): FetchRefused {
  const s = Math.round(ms / 1000);
  return new FetchRefused('timeout', `Sumber tidak menjawab dalam ${s} detik.`, `The source did not answer within ${s} seconds.`);
}
