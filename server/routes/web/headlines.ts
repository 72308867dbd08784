import express, { type Request, type Response, type Router } from 'express';
import { perform, untrusted } from '../../actions/action';
import { setHeadlineIndicators } from '../../actions/headlines';
import { AppError, Forbidden, userMessage } from '../../errors';
import { canManageHeadlines } from '../../policies/headline';
import { headlineChoices, headlineSettings, MAX_HEADLINES } from '../../queries/headlines';
import type { Services } from '../../services';
import { flash } from './csrf';
import { requireUser } from './guards';

type Slot = { choice: string; fn: string };

/** The form's slots (`slot[i][choice]` = "slug|measure", `slot[i][fn]`) as the action's list; empty slots dropped. */
function indicatorsFrom(body: unknown): Array<{ dataset: string; measure: string; fn: string }> {
  const slots = (body as { slot?: unknown })?.slot;
  const list = Array.isArray(slots) ? slots : slots && typeof slots === 'object' ? Object.values(slots) : [];
  return (list as Slot[])
    .slice(0, MAX_HEADLINES + 1)
    .filter((s) => s && typeof s.choice === 'string' && s.choice.includes('|'))
    .map((s) => {
      const [dataset, measure] = s.choice.split('|', 2);
      return { dataset, measure, fn: typeof s.fn === 'string' ? s.fn : 'sum' };
    });
}

/** The walidata's choice of the home page's headline indicators (`/manage/beranda`). */
export function headlineRoutes(services: Services): Router {
  const r = express.Router();
  const { db } = services;
  r.use('/manage/beranda', requireUser, (req, _res, next) => {
    if (!canManageHeadlines(req.actor)) throw new Forbidden();
    next();
  });

  async function render(req: Request, res: Response, values?: Array<{ dataset: string; measure: string; fn: string }>, formError?: string, details?: unknown) {
    const [choices, current] = await Promise.all([headlineChoices(db), headlineSettings(db)]);
    const chosen = values ?? current.map((c) => ({ dataset: c.slug, measure: c.measure, fn: c.fn }));
    const slots = Array.from({ length: MAX_HEADLINES }, (_, i) => {
      const v = chosen[i];
      return {
        index: i,
        number: i + 1,
        fn: v?.fn ?? 'sum',
        groups: choices.map((d) => ({
          label: `${d.title} (${d.org})`,
          options: d.measures.map((m) => ({ value: `${d.slug}|${m.name}`, label: m.unit ? `${m.label} (${m.unit})` : m.label, selected: v?.dataset === d.slug && v?.measure === m.name })),
        })),
      };
    });
    res.status(formError ? 400 : 200).render('manage/headlines', {
      title: res.locals.t('headline.manageTitle'),
      slots,
      stale: current.filter((c) => !c.live),
      formError,
      formErrors: details,
    });
  }

  r.get('/manage/beranda', (req, res) => render(req, res));

  r.post('/manage/beranda', async (req, res) => {
    const indicators = indicatorsFrom(req.body);
    try {
      await perform(setHeadlineIndicators, req.actor, untrusted({ indicators }), services, { ip: req.ip });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      return render(req, res, indicators, userMessage(err, req.lang), err.details);
    }
    flash(req, 'ok', res.locals.t('headline.saved'));
    res.redirect(303, '/manage/beranda');
  });

  return r;
}
