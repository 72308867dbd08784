import express, { type Router } from 'express';
import { z } from 'zod';
import { perform, untrusted } from '../../actions/action';
import { requestHarvestRun } from '../../actions/harvest';
import { Forbidden } from '../../errors';
import { runHarvest } from '../../exchange/harvest';
import { canManageHarvest } from '../../policies/harvest';
import { presentHarvestRun, presentHarvestSource } from '../../presenters/harvest';
import { harvestRunsOf, listHarvestSources } from '../../queries/harvest';
import type { Services } from '../../services';
import { parseInput } from '../parse';
import { flash } from './csrf';
import { requireUser } from './guards';

const RUNS_SHOWN = 5;
const idParam = z.coerce.number().int().positive();

/** The walidata's page of harvest sources (`/manage/panen`): each portal, its last runs, "harvest now". */
export function harvestRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  r.use('/manage/panen', requireUser, (req, _res, next) => {
    if (!canManageHarvest(req.actor)) throw new Forbidden();
    next();
  });

  r.get('/manage/panen', async (req, res) => {
    const sources = await listHarvestSources(db, req.actor);
    const runs = await Promise.all(sources.map((s) => harvestRunsOf(db, s.id, RUNS_SHOWN)));
    res.render('manage/harvest', {
      title: res.locals.t('harvest.title'),
      sources: sources.map((s, i) => ({ ...presentHarvestSource(s), runs: runs[i].map((x) => presentHarvestRun(x, req.lang)) })),
    });
  });

  // Runs within the request, like the API's run: the page comes back with the run's outcome.
  r.post('/manage/panen/:id/run', async (req, res) => {
    const source = await perform(requestHarvestRun, req.actor, untrusted({ id: parseInput(idParam, req.params.id) }), services, { ip: req.ip });
    const run = await runHarvest(services, source.id, 'manual');
    const t = res.locals.t;
    flash(req, run.result === 'failed' ? 'error' : 'ok', `${t('harvest.ran', { name: source.name, result: t(`harvest.result.${run.result}`), created: run.created, updated: run.updated, retracted: run.retracted, failed: run.failed })}${run.error ? ` ${req.lang === 'en' ? (run.error_en ?? run.error) : run.error}` : ''}`);
    res.redirect(303, '/manage/panen');
  });
  return r;
}
