import type { AppError } from './errors';
import type { Actor } from './policies/actor';

declare global {
  namespace Express {
    interface Request {
      /** Who is calling: resolved from the bearer token or the session; null for the public. */
      actor: Actor | null;
      /** How the actor was recognised: a bearer token, the browser's session cookie, or not at all. */
      authVia: 'token' | 'session' | null;
      /** A credential that failed, kept for an API that answers it in its own envelope (CKAN). */
      authError?: AppError;
      /** The reader's language. */
      lang: 'id' | 'en';
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    flash?: { kind: 'ok' | 'error'; text: string };
  }
}

export {};
