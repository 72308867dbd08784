import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import compression from 'compression';
import cors from 'cors';

// HTTP manners for public reads: strong validators with 304s, Cache-Control a CDN can act on,
// CORS for machine interfaces, compression for text. Routes call `fresh()` / `sendCached()`.

/** What a response's validators are made from. */
export interface Validators {
  /** Identifies the bytes: equal keys mean byte-identical bodies (it is hashed into the ETag). */
  key: string;
  /** When the content last changed (sent as Last-Modified, compared with If-Modified-Since). */
  modified?: Date | string | null;
}

const ENCODING_SUFFIX = /-(gzip|br|deflate)$/;

/** A strong entity tag for `key` (quoted, as sent). */
export function strongEtag(key: string | Buffer): string {
  return `"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
}

function asDate(d: Date | string | null | undefined): Date | null {
  if (!d) return null;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Whether the request's If-None-Match names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '').replace(/"$/, '');
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '').replace(/"$/, '').replace(ENCODING_SUFFIX, '');
    return v === bare;
  });
}

/**
 * Sets ETag, Last-Modified and Cache-Control for a read; answers 304 and returns true when the
 * client's copy is current. Public answers (no caller) may be stored by shared caches but are
 * revalidated on every use (`no-cache`), so a new publication or a retraction shows at once while
 * a CDN still saves the bytes; answers for a signed-in caller are private.
 */
export function fresh(req: Request, res: Response, v: Validators): boolean {
  const etag = strongEtag(v.key);
  const modified = asDate(v.modified);
  res.set('ETag', etag);
  if (modified) res.set('Last-Modified', modified.toUTCString());
  res.set('Cache-Control', req.actor || req.get('authorization') ? 'private, no-cache' : 'public, no-cache');
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const inm = req.get('if-none-match');
  let notModified = false;
  if (inm !== undefined) notModified = noneMatch(inm, etag);
  else if (modified) {
    const ims = asDate(req.get('if-modified-since'));
    notModified = ims !== null && Math.floor(modified.getTime() / 1000) <= Math.floor(ims.getTime() / 1000);
  }
  if (notModified) {
    res.status(304).end();
    return true;
  }
  return false;
}

/** Sends a body built in memory with validators from its own bytes (and 304 when unchanged). */
export function sendCached(req: Request, res: Response, body: string | Buffer, opts: { type: string; modified?: Date | string | null }): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.type(opts.type);
  if (fresh(req, res, { key: bytes.toString('latin1'), modified: opts.modified })) return;
  res.send(bytes);
}

/** `res.json` with validators from the JSON's bytes. */
export function jsonCached(req: Request, res: Response, value: unknown, modified?: Date | string | null): void {
  sendCached(req, res, JSON.stringify(value), { type: 'application/json; charset=utf-8', modified });
}

/**
 * Every successful JSON read of a router gets strong validators from its bytes, a 304 when the
 * client's copy is current, and Cache-Control (public or private, by `fresh()`). A route may set
 * `res.locals.lastModified` to send Last-Modified too.
 */
export function cachedJsonReads(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const json = res.json.bind(res);
    res.json = ((value: unknown) => {
      if (res.statusCode !== 200 || res.getHeader('Cache-Control') !== undefined) return json(value);
      jsonCached(req, res, value, (res.locals.lastModified as Date | string | null | undefined) ?? null);
      return res;
    }) as Response['json'];
    next();
  };
}

/**
 * A strong ETag names one representation: when compression encodes the body, the encoding is
 * appended to the tag (as Apache's mod_deflate does), and `fresh()` ignores that suffix when
 * comparing. Mount before `compression()` so this runs after it has chosen the encoding.
 */
export function etagPerEncoding(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const writeHead = res.writeHead;
    res.writeHead = function patched(this: Response, ...args: Parameters<Response['writeHead']>) {
      const enc = res.getHeader('Content-Encoding');
      const etag = res.getHeader('ETag');
      if (typeof enc === 'string' && enc !== 'identity' && typeof etag === 'string' && etag.startsWith('"') && !ENCODING_SUFFIX.test(etag.slice(1, -1))) {
        res.setHeader('ETag', `${etag.slice(0, -1)}-${enc}"`);
      }
      return writeHead.apply(this, args);
    } as Response['writeHead'];
    next();
  };
}

const ALREADY_COMPRESSED = /spreadsheetml|zip|gzip|image\/(png|jpe?g|webp|gif)|font\/woff/;

/** gzip/brotli for HTML, JSON, CSV, RDF and XML; never for workbooks and other packed formats. */
export function compressText(): RequestHandler {
  return compression({
    filter(req, res) {
      const type = String(res.getHeader('Content-Type') ?? '');
      if (ALREADY_COMPRESSED.test(type)) return false;
      if (/text\/turtle|application\/(ld\+json|rdf\+xml|atom\+xml|n-triples)/.test(type)) return true;
      return compression.filter(req, res);
    },
  });
}

/** The public machine-readable reads (path patterns) that other origins may call. */
export const PUBLIC_READ_PATHS: RegExp[] = [
  /^\/api\/v1(\/|$)/,
  /^\/catalog(\.(ttl|jsonld|rdf))?$/,
  /^\/dataset\/[^/]+\.(ttl|jsonld|rdf)$/,
  /^\/dataset\/[^/]+\/(download\.(csv|json|xlsx)|datapackage\.json)$/,
  /^\/dataset\/[^/]+\/versions\/\d+\/raw$/,
  /^\/reference\/[^/]+\.csv$/,
  /^\/feeds\/[^/]+\.atom$/,
  /^\/jadwal\.ics$/,
];
/** The CKAN action API: read actions also by POST (ckanapi's default), so POST is allowed too. */
export const CKAN_PATHS = /^\/api(\/3)?\/action\//;

const EXPOSED = ['ETag', 'Last-Modified', 'Content-Disposition', 'Content-Length', 'Link', 'Vary'];

/**
 * CORS for public reads and downloads: any origin, never with credentials (cookies are not
 * sent or honoured cross-origin), GET/HEAD only — the write API keeps no CORS, so a page on
 * another origin can never drive a signed-in browser into a write. CKAN reads also by POST.
 */
export function publicCors(): RequestHandler {
  const reads = cors({ origin: '*', methods: ['GET', 'HEAD'], allowedHeaders: ['Accept', 'Authorization', 'If-None-Match', 'If-Modified-Since', 'Accept-Language'], exposedHeaders: EXPOSED, maxAge: 86400 });
  const ckan = cors({ origin: '*', methods: ['GET', 'HEAD', 'POST'], allowedHeaders: ['Accept', 'Authorization', 'Content-Type', 'If-None-Match', 'If-Modified-Since'], exposedHeaders: EXPOSED, maxAge: 86400 });
  return (req, res, next) => {
    if (CKAN_PATHS.test(req.path)) return ckan(req, res, next);
    if (!PUBLIC_READ_PATHS.some((p) => p.test(req.path))) return next();
    // A write to the JSON API gets no CORS headers at all, not even on its preflight.
    const method = req.method === 'OPTIONS' ? (req.get('access-control-request-method') ?? '').toUpperCase() : req.method;
    if (method !== 'GET' && method !== 'HEAD') return next();
    return reads(req, res, next);
  };
}
