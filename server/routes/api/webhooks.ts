import express, { type Router } from 'express';
import { z } from 'zod';
import { perform, untrusted } from '../../actions/action';
import { createWebhook, deleteWebhook } from '../../actions/webhooks';
import { Unauthenticated } from '../../errors';
import { presentDelivery, presentWebhook } from '../../presenters/webhook';
import { deliveriesOf, findWebhook, listWebhooks } from '../../queries/webhooks';
import type { Services } from '../../services';
import { parseInput } from '../parse';

const idParam = z.coerce.number().int().positive();

/** Webhooks (SPEC §5): subscribe, list own, remove, and the delivery log. */
export function webhooksApi(services: Services): Router {
  const r = express.Router();
  const { db } = services;

  r.post('/webhooks', async (req, res) => {
    const out = await perform(createWebhook, req.actor, untrusted(req.body ?? {}), services, { ip: req.ip });
    res.status(201).json({ data: { ...presentWebhook({ ...out, organization: req.body?.organization ?? null, dataset: req.body?.dataset ?? null }), secret: out.secret } });
  });

  r.get('/webhooks', async (req, res) => {
    if (!req.actor) throw new Unauthenticated();
    res.json({ data: (await listWebhooks(db, req.actor)).map(presentWebhook) });
  });

  r.get('/webhooks/:id/deliveries', async (req, res) => {
    const hook = await findWebhook(db, req.actor, parseInput(idParam, req.params.id));
    res.json({ data: (await deliveriesOf(db, hook.id)).map(presentDelivery) });
  });

  r.delete('/webhooks/:id', async (req, res) => {
    await perform(deleteWebhook, req.actor, untrusted({ id: req.params.id }), services, { ip: req.ip });
    res.json({ data: { id: Number(req.params.id), deleted: true } });
  });
  return r;
}
