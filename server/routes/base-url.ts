import type { Request } from 'express';
import type { Services } from '../services';

// Without PUBLIC_URL, only loopback names are taken from the Host header: a forged Host must not
// end up in the absolute links of API output, feeds and catalogs that others cache and harvest.
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

/** Base URL for absolute links: PUBLIC_URL, else the request's own loopback host, else localhost. */
export function baseUrl(services: Services, req: Request): string {
  if (services.config.publicUrl) return services.config.publicUrl;
  const host = req.get('host') ?? '';
  if (LOOPBACK_HOST.test(host)) return `${req.protocol}://${host.toLowerCase()}`;
  return `http://localhost:${services.config.port}`;
}
