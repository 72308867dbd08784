import express, { type Router } from 'express';
import { perform, untrusted } from '../../actions/action';
import { setDatasetAutomation } from '../../actions/automation';
import type { Services } from '../../services';
import { attempt, flash } from './csrf';
import { requireUser } from './guards';

/** The workspace page's automation form: each switch is sent only by those who may use it. */
export function automationRoutes(services: Services): Router {
  const r = express.Router();
  r.use('/dashboard', requireUser);
  r.post('/dashboard/datasets/:slug/automation', async (req, res) => {
    const b = req.body ?? {};
    const on = (name: string) => (b[`has_${name}`] === '1' ? b[name] === 'on' : undefined);
    const done = await attempt(req, () =>
      perform(setDatasetAutomation, req.actor, untrusted({ slug: req.params.slug, auto_submit: on('auto_submit'), auto_publish: on('auto_publish') }), services, { ip: req.ip }),
    );
    if (done) flash(req, 'ok', res.locals.t('automation.saved'));
    res.redirect(303, `/dashboard/datasets/${req.params.slug}#otomatis`);
  });
  return r;
}
