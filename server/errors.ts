/** An error meant for the user: a code, an HTTP status and messages in Bahasa Indonesia and English. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageEn: string = message,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** 400: the input does not have the expected shape. */
export class Invalid extends AppError {
  constructor(message = 'Masukan tidak valid.', messageEn = 'Invalid input.', details?: unknown) {
    super(400, 'invalid', message, messageEn, details);
  }
}

/** 401: the caller must sign in first. */
export class Unauthenticated extends AppError {
  constructor(message = 'Silakan masuk terlebih dahulu.', messageEn = 'Please sign in first.') {
    super(401, 'unauthenticated', message, messageEn);
  }
}

/** 403: signed in, but not allowed. */
export class Forbidden extends AppError {
  constructor(message = 'Anda tidak berwenang melakukan ini.', messageEn = 'You are not allowed to do this.') {
    super(403, 'forbidden', message, messageEn);
  }
}

/** 404: unknown, or not visible to the caller (the two are not told apart). */
export class NotFound extends AppError {
  constructor(message = 'Tidak ditemukan.', messageEn = 'Not found.') {
    super(404, 'not_found', message, messageEn);
  }
}

/** 409: the record is not in a state that allows this (or someone else was first). */
export class Conflict extends AppError {
  constructor(message: string, messageEn: string = message, details?: unknown) {
    super(409, 'conflict', message, messageEn, details);
  }
}

/** 413: the upload is larger than allowed. */
export class TooLarge extends AppError {
  constructor(limitMb: number) {
    super(
      413,
      'too_large',
      `Berkas melebihi batas ukuran ${limitMb} MB.`,
      `The file exceeds the ${limitMb} MB size limit.`,
      { limit_mb: limitMb },
    );
  }
}

/** 422: the file could not be accepted. */
export class InvalidFile extends AppError {
  constructor(message: string, messageEn: string = message, details?: unknown) {
    super(422, 'invalid_file', message, messageEn, details);
  }
}

/** 429: the caller used up what they may do for now (a quota or a rate limit). */
export class TooMany extends AppError {
  constructor(code: string, message: string, messageEn: string = message, details?: unknown) {
    super(429, code, message, messageEn, details);
  }
}

/** 403: the form's CSRF token is missing or wrong. */
export class BadCsrf extends AppError {
  constructor() {
    super(403, 'csrf', 'Formulir kedaluwarsa; muat ulang halaman lalu coba lagi.', 'The form expired; reload the page and try again.');
  }
}

/** The one answer for a dataset that does not exist or that the caller may not know of. */
export const datasetNotFound = (): NotFound => new NotFound('Dataset tidak ditemukan.', 'Dataset not found.');

/** The one answer for a version that does not exist or that the caller may not know of. */
export const versionNotFound = (): NotFound => new NotFound('Versi tidak ditemukan.', 'Version not found.');

/** An error's message for the user, in their language. */
export function userMessage(err: AppError, lang: 'id' | 'en'): string {
  return lang === 'en' ? err.messageEn : err.message;
}

/** 503: the database cannot be reached (stopped, restarting, out of connections); retry shortly. */
export class Unavailable extends AppError {
  constructor() {
    super(
      503,
      'database_unavailable',
      'Basis data sedang tidak dapat dihubungi. Silakan coba lagi sebentar lagi.',
      'The database cannot be reached right now. Please try again in a moment.',
    );
  }
}

/** Connection-level failures of PostgreSQL (not errors in a query): the database is away, not the request wrong. */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_SQLSTATES = /^(08|57P0[1-4]|53300)/; // connection exception, admin/crash shutdown, cannot connect now, too many connections

/** True when `err` says the database is unreachable rather than that the query was wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (CONNECTION_ERRNOS.has(code) || CONNECTION_SQLSTATES.test(code)) return true;
  if (e.name === 'KnexTimeoutError') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection error|terminating connection|the database system is (starting up|shutting down|in recovery)|Client was closed/i.test(message);
}
