import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { NextFunction, Request, Response, RequestHandler } from 'express';
import { noneMatch, strongEtag } from './routes/http-cache';

// Static assets under fingerprinted names: /static/css/site.3f9a0c1d2e.css is the file
// public/css/site.css whose content hashes to 3f9a0c1d2e. Such a URL names one content for ever,
// so it is cached for a year as immutable; a change of the file changes the name pages link to.
// Text assets are sent compressed (brotli or gzip, made once per file and kept in memory).

const ROOT = path.join(__dirname, '..');
const PUBLIC = path.join(ROOT, 'public');
const HASH_LEN = 10;
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const HASHED = new RegExp(`^(.*)\\.([0-9a-f]{${HASH_LEN}})(\\.[A-Za-z0-9]+)$`);
const TEXT = /^(text\/|application\/(javascript|json|geo\+json|xml)|image\/svg\+xml)/;
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Files served under /static that live outside public/ (packages, the project's own seeds). */
function extraSources(): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: string, resolve: () => string) => {
    try {
      out[name] = resolve();
    } catch {
      // A package not installed (e.g. a slimmed production image): that asset is not offered.
    }
  };
  add('vendor/chart.umd.js', () => path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js'));
  add('vendor/chartjs-chart-geo.js', () => path.join(path.dirname(require.resolve('chartjs-chart-geo')), 'index.umd.min.js'));
  for (const f of ['lampung_kabupaten_kota.geojson', 'LICENSE-wilayah_boundaries.txt']) {
    const p = path.join(ROOT, 'seeds', f);
    if (fs.existsSync(p)) out[`geo/${f}`] = p;
  }
  return out;
}

interface Asset {
  name: string;
  file: string;
  hash: string;
  ext: string;
  mtimeMs: number;
  body: Buffer;
  encoded: Map<string, Promise<Buffer>>;
}

function walk(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, walk(path.join(dir, e.name), rel));
    else if (e.isFile()) out[rel] = path.join(dir, e.name);
  }
  return out;
}

/** The registry of static assets: their hashes, types and (compressed) bytes. */
export class Assets {
  private byName = new Map<string, Asset>();

  constructor(private sources: Record<string, string>, private watch: boolean) {}

  /** Every file of public/ and the extra sources. */
  static fromDisk(watch: boolean): Assets {
    return new Assets({ ...walk(PUBLIC), ...extraSources() }, watch);
  }

  /** The asset called `name` (a path under /static), read (again, when watching and the file changed). */
  get(name: string): Asset | null {
    const file = this.sources[name];
    if (!file) return null;
    let a = this.byName.get(name);
    if (a && !this.watch) return a;
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(file).mtimeMs;
    } catch {
      return null;
    }
    if (a && a.mtimeMs === mtimeMs) return a;
    const body = fs.readFileSync(file);
    a = {
      name,
      file,
      body,
      mtimeMs,
      hash: createHash('sha256').update(body).digest('hex').slice(0, HASH_LEN),
      ext: path.extname(name),
      encoded: new Map(),
    };
    this.byName.set(name, a);
    return a;
  }

  /** The fingerprinted URL of asset `name` (`css/site.css` → `/static/css/site.<hash>.css`); unknown names keep their plain URL. */
  url(name: string): string {
    const clean = name.replace(/^\/?(static\/)?/, '');
    const a = this.get(clean);
    if (!a) return `/static/${clean}`;
    const ext = path.extname(clean);
    return `/static/${clean.slice(0, clean.length - ext.length)}.${a.hash}${ext}`;
  }

  /** The asset a request path under /static names, and whether it carried the current hash. */
  resolve(reqPath: string): { asset: Asset; hashed: boolean } | null {
    const rel = decodeURIComponent(reqPath.replace(/^\//, ''));
    const m = HASHED.exec(rel);
    if (m) {
      const asset = this.get(`${m[1]}${m[3]}`);
      if (asset) return { asset, hashed: asset.hash === m[2] };
    }
    const asset = this.get(rel);
    return asset ? { asset, hashed: false } : null;
  }

  /** The body in `encoding` (br, gzip), compressed once (off the event loop, in zlib's thread pool) and kept. */
  encode(a: Asset, encoding: 'br' | 'gzip'): Promise<Buffer> {
    let out = a.encoded.get(encoding);
    if (!out) {
      out = encoding === 'br'
        ? brotli(a.body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: a.body.length } })
        : gzip(a.body, { level: 9 });
      a.encoded.set(encoding, out);
      out.catch(() => a.encoded.delete(encoding));
    }
    return out;
  }
}

let shared: Assets | null = null;

/** The process's asset registry (files are re-read when they change, except in production). */
export function assets(): Assets {
  if (!shared) shared = Assets.fromDisk(process.env.NODE_ENV !== 'production');
  return shared;
}

/** The fingerprinted URL of a static asset, for templates (`{{asset "css/site.css"}}`). */
export const assetUrl = (name: string): string => assets().url(name);

/**
 * Serves the registry under /static: a fingerprinted name with the current hash for a year,
 * immutable; a plain name (or an outdated hash) revalidated on every use. Compressed when the
 * client accepts it; 304 on a matching ETag. Anything else falls through.
 */
export function serveAssets(registry: Assets = assets()): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const hit = registry.resolve(req.path);
    if (!hit) return next();
    const { asset, hashed } = hit;
    const etag = strongEtag(`${asset.name}:${asset.hash}`);
    res.set('Cache-Control', hashed ? IMMUTABLE : 'public, no-cache');
    res.set('ETag', etag);
    res.type(asset.ext || 'application/octet-stream');
    res.set('X-Content-Type-Options', 'nosniff');
    const text = TEXT.test(String(res.get('Content-Type')));
    if (text) res.vary('Accept-Encoding');
    const inm = req.get('if-none-match');
    if (inm !== undefined && noneMatch(inm, etag)) return void res.status(304).end();
    let body = asset.body;
    if (text && body.length > 512) {
      const accepted = req.acceptsEncodings('br', 'gzip', 'identity');
      if (accepted === 'br' || accepted === 'gzip') {
        body = await registry.encode(asset, accepted);
        res.set('Content-Encoding', accepted);
      }
    }
    res.set('Content-Length', String(body.length));
    if (req.method === 'HEAD') return void res.end();
    res.end(body);
  };
}
