import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ZodError } from 'zod';
import { AppError, Invalid, userMessage } from '../../../errors';
import { log } from '../../../log';
import type { Services } from '../../../services';
import { baseUrl } from '../../base-url';
import { toAppError } from '../../errors';
import { jsonCached } from '../../http-cache';
import { ACTIONS } from './actions';
import { CkanError, ckanTypeOf } from './errors';

// CKAN's action API at both paths CKAN answers (`/api/3/action/<name>`, `/api/action/<name>`):
// GET with a query string or POST with a JSON body (what ckanapi's RemoteCKAN sends, with no
// CSRF token: nothing here changes state). Read actions only; writes answer 403.

const WRITE = /(_create|_update|_patch|_delete|_purge|_upsert|_revise|_reorder|_insert|_set|_add|_remove|_invite|_follow|_unfollow|_clear|_mark)$|^(bulk_|member_|datastore_run_triggers|task_status_|term_translation_|package_relationship_|user_|api_token_|job_)/;

function fieldsOf(err: AppError): Record<string, string[]> | undefined {
  if (err instanceof CkanError) return err.fields;
  if (err instanceof Invalid && Array.isArray(err.details)) {
    const out: Record<string, string[]> = {};
    for (const d of err.details as Array<{ path?: string; message?: string }>) {
      const key = d.path || '__junk';
      (out[key] ??= []).push(d.message ?? 'Invalid value');
    }
    return out;
  }
  return undefined;
}

/** The CKAN action API router, mounted at `/api/3/action` and `/api/action`. */
export function ckanRouter(services: Services): Router {
  const r = express.Router();
  r.use(express.json({ limit: '1mb', type: ['application/json', 'text/plain', 'application/*+json'] }));
  r.use(express.urlencoded({ extended: false, limit: '1mb' }));
  const help = (req: Request, name: string) => `${baseUrl(services, req)}/api/3/action/help_show?name=${encodeURIComponent(name)}`;

  r.all('/:name', async (req: Request, res: Response) => {
    if (req.authError) throw req.authError;
    const name = String(req.params.name);
    if (!['GET', 'HEAD', 'POST'].includes(req.method)) {
      throw new CkanError('Bad Request', 400, 'Metode tidak didukung.', 'Method not supported.');
    }
    const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
    if (!action) {
      if (WRITE.test(name)) {
        throw new CkanError(
          'Authorization Error',
          403,
          `Aksi ${name} tidak tersedia: data hanya masuk melalui alur unggah dan pemeriksaan portal.`,
          `Action ${name} is not offered: data only comes in through the portal's upload and review workflow.`,
        );
      }
      throw new CkanError('Bad Request', 400, `Nama aksi tidak dikenal: ${name}`, `Bad request - Action name not known: ${name}`);
    }
    const body = req.method === 'POST' && req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
    const input = { ...(req.query as Record<string, unknown>), ...body };
    const result = await action(input, req, services);
    const envelope = { help: help(req, name), success: true, result };
    if (req.method === 'POST') {
      res.set('Cache-Control', 'no-store');
      res.json(envelope);
    } else {
      jsonCached(req, res, envelope);
    }
  });

  r.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err instanceof ZodError ? new Invalid() : toAppError(err, Math.round(services.config.maxUploadBytes / 1024 / 1024));
    if (e.status >= 500) log.error({ err, url: req.originalUrl }, 'CKAN action failed');
    const { type, status } = ckanTypeOf(e);
    const name = String(req.params.name ?? req.path.replace(/^\//, ''));
    res.status(status).json({
      help: help(req, name),
      success: false,
      error: { ...(fieldsOf(e) ?? {}), __type: type, message: userMessage(e, req.lang) },
    });
  });
  return r;
}
