import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import type { z } from 'zod';
import type { loadOptionsSchema } from '../ingest/options';
import { Invalid, TooLarge } from '../errors';
import type { Services } from '../services';
import type { StoredFile } from '../storage';

/** The uploaded file, stored, as the upload action takes it. */
export interface UploadedFile extends StoredFile {
  filename: string;
  media_type?: string;
}

/** Multer storage engine: streams the file into content-addressed storage, hashing as it goes. */
function storageEngine(services: Services): multer.StorageEngine {
  return {
    _handleFile(_req, file, cb) {
      services.storage
        .store(file.stream, services.config.maxUploadBytes)
        .then((stored) => cb(null, stored as unknown as Partial<Express.Multer.File>))
        .catch((err) => cb(err));
    },
    _removeFile(_req, _file, cb) {
      cb(null); // content-addressed: the bytes may be shared with another version
    },
  };
}

/**
 * Accepts one multipart file field `file` (plus text fields). Refuses at once, before reading
 * the body, when the declared length is over the limit; otherwise stops reading past it.
 */
export function uploadFile(services: Services): RequestHandler {
  const limit = services.config.maxUploadBytes;
  const upload = multer({
    storage: storageEngine(services),
    limits: { fileSize: limit, files: 1, fields: 50, fieldSize: 1024 * 1024 },
    defParamCharset: 'utf8',
  }).single('file');
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > limit + 1024 * 1024) {
      res.set('Connection', 'close');
      return next(new TooLarge(Math.round(limit / 1024 / 1024)));
    }
    upload(req, res, (err?: unknown) => {
      if (err) res.set('Connection', 'close');
      next(err);
    });
  };
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

/** Upload form fields → load options (columns and reshape arrive as JSON text). */
export function optionsFromFields(body: Record<string, unknown>): z.input<typeof loadOptionsSchema> {
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
    encoding: str(body.encoding) as never,
    delimiter: str(body.delimiter) as never,
    decimal: str(body.decimal) as never,
    columns: json(body.columns, 'columns'),
    sheet: sheet && /^\d+$/.test(sheet) ? Number(sheet) : sheet,
    reshape: json(body.reshape, 'reshape'),
  };
}
