import express, { type Request, type Router } from 'express';
import { perform, untrusted } from '../../actions/action';
import { requestSourceRun, setSource } from '../../actions/sources';
import { runSource } from '../../exchange/pull';
import { Invalid } from '../../errors';
import { presentSourceRun } from '../../presenters/source';
import { versionNumberOf } from '../../queries/sources';
import type { Services } from '../../services';
import { requireUser } from './guards';
import { attempt, flash } from './csrf';

/** `name = value` (or `name: value`) lines → an object; a line of another shape is refused. */
function pairs(text: unknown, sep: '=' | ':', t: (k: string, o?: Record<string, unknown>) => string): Record<string, string> | undefined {
  const lines = String(text ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return undefined;
  const out: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(sep);
    if (at <= 0) {
      const shape = sep === '=' ? 'kolom = jalur' : 'Nama-Header: nilai';
      throw new Invalid(t('source.badLine', { line, shape, lng: 'id' }), t('source.badLine', { line, shape, lng: 'en' }));
    }
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** The workspace page's source form and its "run now" button. */
export function sourceRoutes(services: Services): Router {
  const r = express.Router();
  r.use('/dashboard', requireUser);

  r.post('/dashboard/datasets/:slug/source', async (req: Request, res) => {
    const t = res.locals.t;
    const done = await attempt(req, async () => {
      const body = req.body ?? {};
      const json = body.kind === 'json_api';
      const input = {
        slug: req.params.slug,
        kind: body.kind,
        url: String(body.url ?? ''),
        schedule: String(body.schedule ?? ''),
        records_path: json && body.records_path ? String(body.records_path) : undefined,
        fields: json ? pairs(body.fields, '=', t) : undefined,
        headers: pairs(body.headers, ':', t),
        enabled: body.enabled === 'on' || body.enabled === 'true',
      };
      return perform(setSource, req.actor, untrusted(input), services, { ip: req.ip });
    });
    if (done) flash(req, 'ok', t('source.saved'));
    res.redirect(303, `/dashboard/datasets/${req.params.slug}#sumber`);
  });

  r.post('/dashboard/datasets/:slug/source/run', async (req, res) => {
    const t = res.locals.t;
    const source = await attempt(req, () => perform(requestSourceRun, req.actor, untrusted({ slug: req.params.slug }), services, { ip: req.ip }));
    if (source) {
      const run = await runSource(services, source.id, 'manual');
      const shown = presentSourceRun(run, req.lang);
      if (run.result === 'failed') flash(req, 'error', t('source.ranFailed', { error: shown.error }));
      else if (run.result === 'new_version') {
        flash(req, 'ok', t('source.ranNew', { version: (await versionNumberOf(services.db, run.version_id)) ?? undefined }));
      } else flash(req, 'ok', t('source.ranUnchanged'));
    }
    res.redirect(303, `/dashboard/datasets/${req.params.slug}#sumber`);
  });
  return r;
}
