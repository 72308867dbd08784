import type { ErrorRequestHandler } from 'express';
import multer from 'multer';
import { AppError, Invalid, isDatabaseUnavailable, TooLarge, Unavailable } from '../errors';
import { log } from '../log';
import type { Services } from '../services';
import { StreamTooLarge } from '../storage';

/** Turns anything thrown into a typed AppError (unknown errors become a 500). */
export function toAppError(err: unknown, maxUploadMb: number): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof StreamTooLarge) return new TooLarge(maxUploadMb);
  if (isDatabaseUnavailable(err)) return new Unavailable();
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return new TooLarge(maxUploadMb);
    return new Invalid(`Unggahan tidak valid (${err.code}).`, `Invalid upload (${err.code}).`);
  }
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.parse.failed') return new Invalid('JSON tidak valid.', 'Invalid JSON.');
  if (e?.type === 'entity.too.large') return new TooLarge(maxUploadMb);
  if ((err as { code?: string })?.code === 'EBADCSRFTOKEN' || e?.status === 403) {
    return new AppError(403, 'csrf', 'Formulir kedaluwarsa; muat ulang halaman lalu coba lagi.', 'The form expired; reload the page and try again.');
  }
  return new AppError(500, 'internal', 'Terjadi kesalahan pada server.', 'Something went wrong on the server.');
}

/** One error handler: JSON for APIs (SPEC error shape; CKAN's for /api/3), a friendly page otherwise. */
export function errorHandler(services: Services): ErrorRequestHandler {
  const maxMb = Math.round(services.config.maxUploadBytes / 1024 / 1024);
  return (err, req, res, _next) => {
    const e = toAppError(err, maxMb);
    if (e instanceof Unavailable) log.warn({ url: req.originalUrl, reason: (err as Error)?.message }, 'database unavailable');
    else if (e.status >= 500) log.error({ err, url: req.originalUrl }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // No `Connection: close` for a 413 here: closing while the client still sends its body resets
    // the connection and loses the answer; the upload route closes only what it will not drain.
    const message = req.lang === 'en' ? e.messageEn : e.message;
    if (e.status === 503) res.set('Retry-After', '5');
    if (req.originalUrl.startsWith('/api/3/')) {
      const type = { 404: 'Not Found Error', 403: 'Authorization Error', 401: 'Authorization Error', 400: 'Validation Error', 409: 'Validation Error' }[e.status] ?? 'Internal Error';
      res.status(e.status).json({ help: req.originalUrl, success: false, error: { __type: type, message } });
      return;
    }
    if (req.originalUrl.startsWith('/api/') || req.accepts(['html', 'json']) === 'json') {
      res.status(e.status).json({ error: { code: e.code, message, ...(e.details !== undefined ? { details: e.details } : {}) } });
      return;
    }
    // A 503 may come before the reader's language is known (the session is in the database): both.
    const other = e.status === 503 && e.message !== e.messageEn ? (req.lang === 'en' ? e.message : e.messageEn) : undefined;
    res.status(e.status).render('errors/error', {
      title: message,
      status: e.status,
      message,
      other,
      otherLang: req.lang === 'en' ? 'id' : 'en',
      code: e.code,
      details: e.details,
    });
  };
}
