import type { Server } from 'node:http';

/** The slowest upload link the portal still serves a full-size upload on: 1 Mbit/s. */
const SLOWEST_UPLOAD_BYTES_PER_SECOND = 125_000;
const FIVE_MINUTES = 5 * 60_000;

/**
 * How long one request may take to arrive whole. Node's default (5 minutes) cut a 200 MB upload
 * over a 5 Mbit/s office line off with a 408; the limit now fits the largest allowed upload at
 * 1 Mbit/s, and never less than Node's 5 minutes. Headers must still arrive within 60 s, and an
 * idle keep-alive socket is still closed, so slow-header attacks gain nothing.
 */
export function requestTimeoutMs(maxUploadBytes: number): number {
  return Math.max(FIVE_MINUTES, Math.ceil((maxUploadBytes / SLOWEST_UPLOAD_BYTES_PER_SECOND) * 1000));
}

/** Applies the portal's timeouts to a listening HTTP server. */
export function applyTimeouts(server: Server, maxUploadBytes: number): void {
  server.requestTimeout = requestTimeoutMs(maxUploadBytes);
  server.headersTimeout = 60_000;
}
