import type { Services } from '../services';
import { StreamTooLarge, type StoredFile } from '../storage';
import { fileNameOf } from './pull';
import { FetchRefused, safeFetch } from './safe-fetch';

// The harvester's outbound requests, all through safeFetch (SSRF guard, FETCH_ALLOW_HOSTS,
// deadline) and all with a size limit: catalog pages are read into memory (bounded), tables
// streamed into storage like an upload.

/** A harvest step that failed, in both languages. */
export class HarvestFailed extends Error {
  constructor(readonly id: string, readonly en: string) {
    super(en);
  }
}

const TIMEOUT_MS = 60_000;
/** A catalog page (CKAN JSON, Turtle, JSON-LD) larger than this is refused. */
export const MAX_PAGE_BYTES = 20 * 1024 * 1024;

function refused(err: unknown): never {
  if (err instanceof FetchRefused) throw new HarvestFailed(err.id, err.en);
  throw err;
}

/** GETs a catalog page as text, with its content type. */
export async function fetchPage(services: Services, url: string, accept: string): Promise<{ text: string; contentType: string; url: string }> {
  const res = await safeFetch(url, { headers: { accept }, allowHosts: services.config.fetchAllowHosts, timeoutMs: TIMEOUT_MS }).catch(refused);
  if (res.status < 200 || res.status >= 300) {
    res.body.resume();
    throw new HarvestFailed(`${url} menjawab HTTP ${res.status}.`, `${url} answered HTTP ${res.status}.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_PAGE_BYTES) {
        res.body.destroy();
        throw new HarvestFailed(`Halaman katalog ${url} melebihi ${MAX_PAGE_BYTES / 1048576} MB.`, `Catalog page ${url} exceeds ${MAX_PAGE_BYTES / 1048576} MB.`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    refused(err);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? ''), url: res.url };
}

/** GETs a JSON document. */
export async function fetchJson(services: Services, url: string): Promise<unknown> {
  const page = await fetchPage(services, url, 'application/json');
  try {
    return JSON.parse(page.text);
  } catch {
    throw new HarvestFailed(`${url} tidak menjawab dengan JSON yang sah.`, `${url} did not answer valid JSON.`);
  }
}

/** Streams a table resource (CSV/XLSX) into storage, within the upload size limit. */
export async function fetchTable(services: Services, url: string): Promise<{ stored: StoredFile; filename: string; mediaType: string | undefined }> {
  const res = await safeFetch(url, { allowHosts: services.config.fetchAllowHosts, timeoutMs: TIMEOUT_MS }).catch(refused);
  if (res.status < 200 || res.status >= 300) {
    res.body.resume();
    throw new HarvestFailed(`Sumber daya ${url} menjawab HTTP ${res.status}.`, `Resource ${url} answered HTTP ${res.status}.`);
  }
  const mediaType = res.headers['content-type']?.slice(0, 200);
  try {
    const stored = await services.storage.store(res.body, services.config.maxUploadBytes);
    return { stored, filename: fileNameOf(res.url, mediaType), mediaType };
  } catch (err) {
    if (err instanceof StreamTooLarge) {
      const mb = Math.round(services.config.maxUploadBytes / 1048576);
      throw new HarvestFailed(`Sumber daya ${url} melebihi ${mb} MB.`, `Resource ${url} exceeds ${mb} MB.`);
    }
    refused(err);
  }
}
