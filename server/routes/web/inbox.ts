import express, { type Router } from 'express';
import { z } from 'zod';
import { presentNotification } from '../../presenters/notification';
import { listNotifications, markRead } from '../../queries/notifications';
import type { Services } from '../../services';
import { parseInput } from '../parse';
import { requireUser } from './guards';

/** The signed-in user's notifications. */
export function inboxRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  r.use('/inbox', requireUser);

  r.get('/inbox', async (req, res) => {
    const rows = await listNotifications(db, req.actor!.id!, 100);
    res.render('inbox/index', { title: res.locals.t('inbox.title'), items: rows.map((n) => presentNotification(n, res.locals.t, { timeZone: services.config.timeZone, lang: req.lang })) });
  });

  // Following a notification marks it read.
  r.get('/inbox/:id', async (req, res) => {
    const id = parseInput(z.coerce.number().int().positive(), req.params.id);
    const [n] = await listNotifications(db, req.actor!.id!, 1, 0).where('n.id', id);
    if (!n) return res.redirect('/inbox');
    await markRead(db, req.actor!.id!, [id]);
    res.redirect(presentNotification(n, res.locals.t, { timeZone: services.config.timeZone, lang: req.lang }).href);
  });

  r.post('/inbox/read', async (req, res) => {
    await markRead(db, req.actor!.id!);
    res.redirect(303, '/inbox');
  });

  return r;
}
