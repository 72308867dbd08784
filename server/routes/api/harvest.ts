import express, { type Router } from 'express';
import { z } from 'zod';
import { perform, untrusted } from '../../actions/action';
import { createHarvestSource, requestHarvestRun } from '../../actions/harvest';
import { runHarvest } from '../../exchange/harvest';
import { presentHarvestRun, presentHarvestSource } from '../../presenters/harvest';
import { findHarvestSource, harvestRunsOf, listHarvestSources } from '../../queries/harvest';
import type { Services } from '../../services';
import { parseInput } from '../parse';

const idParam = z.coerce.number().int().positive();

/** Harvest sources (SPEC §5): register, list, run now, and the run log — the walidata's. */
export function harvestApi(services: Services): Router {
  const r = express.Router();
  const { db } = services;

  r.post('/harvest-sources', async (req, res) => {
    const saved = await perform(createHarvestSource, req.actor, untrusted(req.body ?? {}), services, { ip: req.ip });
    res.status(201).json({ data: presentHarvestSource({ ...saved, org_slug: saved.organization.slug, org_name: saved.organization.name }) });
  });

  r.get('/harvest-sources', async (req, res) => {
    res.json({ data: (await listHarvestSources(db, req.actor)).map(presentHarvestSource) });
  });

  // A manual run happens within the request and answers its log entry — 200 whatever the
  // remote did: the run is the resource, `result` says how it went.
  r.post('/harvest-sources/:id/run', async (req, res) => {
    const source = await perform(requestHarvestRun, req.actor, untrusted({ id: req.params.id }), services, { ip: req.ip });
    res.json({ data: presentHarvestRun(await runHarvest(services, source.id, 'manual'), req.lang) });
  });

  r.get('/harvest-sources/:id/runs', async (req, res) => {
    const source = await findHarvestSource(db, req.actor, parseInput(idParam, req.params.id));
    res.json({ data: (await harvestRunsOf(db, source.id)).map((x) => presentHarvestRun(x, req.lang)) });
  });
  return r;
}
