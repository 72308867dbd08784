import express, { type Router } from 'express';
import { perform, untrusted } from '../../actions/action';
import { requestSourceRun, setSource } from '../../actions/sources';
import { runSource } from '../../exchange/pull';
import { presentSource, presentSourceRun } from '../../presenters/source';
import { findWork } from '../../queries/datasets';
import { runsOf, sourceOf, versionNumbers } from '../../queries/sources';
import type { Services } from '../../services';

/** Pulled sources (SPEC §5): set, show, run now, and the run log. */
export function sourcesApi(services: Services): Router {
  const r = express.Router();
  const { db } = services;

  r.put('/datasets/:slug/source', async (req, res) => {
    const saved = await perform(setSource, req.actor, untrusted({ ...(req.body ?? {}), slug: req.params.slug }), services, { ip: req.ip });
    res.json({ data: presentSource(saved) });
  });

  r.get('/datasets/:slug/source', async (req, res) => {
    const ds = await findWork(db, req.actor, req.params.slug);
    const source = await sourceOf(db, ds.id);
    res.json({ data: source ? presentSource(source) : null });
  });

  // A manual run happens within the request (bounded by the fetch's deadline) and answers its
  // log entry — 200 whatever the source did: the run is the resource, `result` says how it went.
  r.post('/datasets/:slug/source/run', async (req, res) => {
    const source = await perform(requestSourceRun, req.actor, untrusted({ slug: req.params.slug }), services, { ip: req.ip });
    const run = await runSource(services, source.id, 'manual');
    const number = run.version_id ? ((await versionNumbers(db, [run.version_id])).get(run.version_id) ?? null) : null;
    res.json({ data: presentSourceRun(run, req.lang, number) });
  });

  r.get('/datasets/:slug/source/runs', async (req, res) => {
    const ds = await findWork(db, req.actor, req.params.slug);
    const source = await sourceOf(db, ds.id);
    const runs = source ? await runsOf(db, source.id, 50) : [];
    const numbers = await versionNumbers(db, runs.map((x) => x.version_id));
    res.json({ data: runs.map((x) => presentSourceRun(x, req.lang, x.version_id ? numbers.get(x.version_id) : null)) });
  });

  return r;
}
