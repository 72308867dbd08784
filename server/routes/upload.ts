import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { Invalid, TooLarge, TooMany } from '../errors';
import type { Actor } from '../policies/actor';
import { uploadedBytesToday } from '../queries/uploads';
import type { Services } from '../services';
import { StreamTooLarge, type StoredFile } from '../storage';

/** The uploaded file, stored, as the upload action takes it. */
export interface UploadedFile extends StoredFile {
  filename: string;
  media_type?: string;
}

/** Checks an upload must pass before its bytes are kept. */
export interface UploadGuard {
  /** Before the body is read: throws when the caller may not upload here (401/403/404). */
  allow(req: Request): Promise<void>;
  /** When the file part begins, with the fields sent before it (the web form's CSRF token). */
  atFile?(req: Request): void;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The most this request's file may hold: the upload limit, or what is left of the caller's quota. */
    uploadLimit?: number;
  }
}

/** Multer storage engine: the guard's file check, then a stream into storage, hashed as it goes. */
function storageEngine(services: Services, guard: UploadGuard): multer.StorageEngine {
  return {
    _handleFile(req, file, cb) {
      try {
        guard.atFile?.(req);
      } catch (err) {
        return cb(err);
      }
      services.storage
        .store(file.stream, req.uploadLimit ?? services.config.maxUploadBytes)
        .then((stored) => cb(null, stored as unknown as Partial<Express.Multer.File>))
        .catch((err) => cb(err));
    },
    _removeFile(_req, file, cb) {
      const key = (file as unknown as Partial<StoredFile>).key;
      if (!key) return cb(null);
      services.storage.discard(key).then(() => cb(null), cb);
    },
  };
}

/**
 * A refused request's body up to this size is read and thrown away after the answer, on a
 * connection kept open, so the client reads the answer instead of a reset connection (closing a
 * socket the client is still writing to resets it, and the answer in flight is lost). Larger
 * bodies are not worth reading: their connection is closed.
 */
const DRAIN_BYTES = 64 * 1024 * 1024;

/** Answers `err` at once; Node reads and drops what is left of a body up to DRAIN_BYTES, a larger one's connection is closed. */
function refuse(req: Request, res: Response, next: NextFunction, err: unknown): void {
  if (!req.readableEnded && !(Number(req.get('content-length') ?? DRAIN_BYTES + 1) <= DRAIN_BYTES)) res.set('Connection', 'close');
  next(err);
}

/**
 * Accepts one multipart file field `file` (plus text fields). Nothing is stored unless the guard
 * lets the caller upload here and the caller's daily quota has room; the declared length is
 * refused at once when over the limit, and reading stops past the limit otherwise. A file the
 * route then refuses is discarded by `discardUpload`.
 */
export function uploadFile(services: Services, guard: UploadGuard): RequestHandler {
  const limit = services.config.maxUploadBytes;
  const upload = multer({
    storage: storageEngine(services, guard),
    limits: { fileSize: limit, files: 1, fields: 50, fieldSize: 1024 * 1024 },
    defParamCharset: 'utf8',
  }).single('file');
  return async (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > limit + 1024 * 1024) return refuse(req, res, next, new TooLarge(Math.round(limit / 1024 / 1024)));
    try {
      await guard.allow(req);
      req.uploadLimit = await uploadLimitFor(services, req.actor);
    } catch (err) {
      return refuse(req, res, next, err);
    }
    upload(req, res, (err?: unknown) => {
      if (!err) return next();
      const stored = uploadedFile(req);
      res.set('Connection', 'close');
      (stored ? services.storage.discard(stored.key) : Promise.resolve()).finally(() =>
        next(err instanceof StreamTooLarge && req.uploadLimit !== undefined && err.limit < limit ? quotaExceeded(services, err.limit) : err),
      );
    });
  };
}

/** Runs the route's work on an uploaded file; the file is discarded when the work fails. */
export async function withUpload<T>(services: Services, req: Request, fn: (file: UploadedFile | undefined) => Promise<T>): Promise<T> {
  const file = uploadedFile(req);
  try {
    return await fn(file);
  } catch (err) {
    if (file) await services.storage.discard(file.key);
    throw err;
  }
}

/** What the actor may still upload today: the upload limit, capped by the daily quota. */
async function uploadLimitFor(services: Services, actor: Actor | null): Promise<number> {
  const { maxUploadBytes, uploadQuotaBytesPerDay } = services.config;
  if (!actor?.id) return maxUploadBytes;
  const used = await uploadedBytesToday(services.db, actor.id);
  const left = uploadQuotaBytesPerDay - used;
  if (left <= 0) throw quotaExceeded(services, 0);
  return Math.min(maxUploadBytes, left);
}

function quotaExceeded(services: Services, left: number): TooMany {
  const quotaMb = Math.round(services.config.uploadQuotaBytesPerDay / 1048576);
  const leftMb = Math.floor(left / 1048576);
  return new TooMany(
    'upload_quota',
    `Kuota unggahan harian Anda (${quotaMb} MB per 24 jam) ${left > 0 ? `hanya tersisa ${leftMb} MB` : 'sudah habis'}. Coba lagi nanti atau hubungi admin.`,
    `Your daily upload quota (${quotaMb} MB per 24 hours) ${left > 0 ? `has only ${leftMb} MB left` : 'is used up'}. Try again later or ask the admin.`,
    { quota_mb: quotaMb, left_mb: leftMb },
  );
}

/** The stored file of a request that went through uploadFile, if any. */
export function uploadedFile(req: Request): UploadedFile | undefined {
  const f = req.file as unknown as (StoredFile & { originalname: string; mimetype: string }) | undefined;
  if (!f) return undefined;
  return {
    key: f.key,
    sha256: f.sha256,
    size: f.size,
    filename: f.originalname,
    media_type: f.mimetype,
  };
}

/** Upload form fields → load options, unchecked (columns and reshape arrive as JSON text; the action's schema checks the rest). */
export function optionsFromFields(body: Record<string, unknown>): Record<string, unknown> {
  const json = (v: unknown, what: string) => {
    if (typeof v !== 'string' || v.trim() === '') return undefined;
    try {
      return JSON.parse(v);
    } catch {
      throw new Invalid(`Isian ${what} harus JSON.`, `Field ${what} must be JSON.`);
    }
  };
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  const sheet = str(body.sheet);
  return {
    encoding: str(body.encoding),
    delimiter: str(body.delimiter),
    decimal: str(body.decimal),
    columns: json(body.columns, 'columns'),
    sheet: sheet && /^\d+$/.test(sheet) ? Number(sheet) : sheet,
    reshape: json(body.reshape, 'reshape'),
  };
}
