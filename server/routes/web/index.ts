import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { csrfForForms, csrfToken } from './csrf';
import { safeNext } from './auth';
import { NotFound } from '../../errors';
import { translator } from '../../i18n';
import { presentUser } from '../../presenters/catalog';
import { headerCounts } from '../../queries/header';
import type { Services } from '../../services';
import { authRoutes } from './auth';
import { dashboardRoutes } from './dashboard';
import { sourceRoutes } from './sources';
import { automationRoutes } from './automation';
import { webhookRoutes } from './webhooks';
import { downloadRoutes } from './downloads';
import { publicRoutes } from './public';
import type { SharedPages } from './shared-pages';
import { embedRoutes } from './embed';
import { seoRoutes } from './seo';
import { reviewRoutes } from './review';
import { inboxRoutes } from './inbox';
import { adminRoutes } from './admin';
import { accountRoutes } from './account';
import { passwordRoutes } from './password';
import { releaseRoutes } from './releases';
import { dataListRoutes } from './datalist';
import { scorecardRoutes } from './scorecards';
import { requestRoutes } from './requests';
import { usageRoutes } from './usage';
import { headlineRoutes } from './headlines';
import { harvestRoutes } from './harvest';
import { wilayahRoutes } from './wilayah';
import { canUseReviewQueue } from '../../policies/review';
import { canUseProducerWorkspace } from '../../policies/dataset';
import { canViewAudit } from '../../policies/organization';
import { zoneLabel } from '../../manage/calendar';
import { mayUseWebPages } from '../../policies/service-account';
import { canUseWebhookPage } from '../../policies/webhook';

/** The HTML pages. */
export function webRouter(services: Services, sharedPages: SharedPages): Router {
  const r = express.Router();
  r.use(express.urlencoded({ extended: true, limit: '1mb' }));
  // Pages are for people: a service account's token reads them as the public does.
  r.use((req: Request, _res: Response, next: NextFunction) => {
    if (!mayUseWebPages(req.actor)) {
      req.actor = null;
      req.authVia = null;
    }
    next();
  });

  // Every state-changing form carries the session's CSRF token (see csrfForForms).
  r.use(csrfForForms);

  r.use(async (req: Request, res: Response, next: NextFunction) => {
    const t = translator(req.lang);
    res.locals.lang = req.lang;
    res.locals.timeZone = services.config.timeZone;
    res.locals.zoneLabel = zoneLabel(services.config.timeZone, req.lang);
    res.locals.otherLang = req.lang === 'id' ? 'en' : 'id';
    res.locals.t = t;
    res.locals.path = req.path;
    res.locals.returnTo = encodeURIComponent(req.originalUrl);
    res.locals.user = req.actor ? presentUser(req.actor) : null;
    res.locals.isReviewer = canUseReviewQueue(req.actor);
    res.locals.isProducer = canUseProducerWorkspace(req.actor);
    if (req.session) {
      // Anonymous readers get no session (and no token) unless a page with a form asks for one.
      if (req.actor) res.locals.csrfToken = csrfToken(req);
      if (req.session.flash) {
        res.locals.flash = req.session.flash;
        delete req.session.flash;
      }
      // A redirect that carries a flash message waits for the session to be stored: express-session
      // sends the headers before its save is done, and a browser that follows the Location at once
      // read the session without the message (lost now and then on a loaded machine).
      const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
      res.redirect = ((...args: unknown[]) => {
        if (!req.session?.flash) return redirect(...args); // (no session after signing out)
        // A failed save is left to express-session's own at the response's end, which reports it.
        req.session.save(() => redirect(...args));
      }) as typeof res.redirect;
    }
    res.locals.isAdmin = canViewAudit(req.actor);
    res.locals.webhookPage = canUseWebhookPage(req.actor);
    if (req.method === 'GET') Object.assign(res.locals, await headerCounts(services.db, req.actor));
    next();
  });

  r.get('/lang/:code', (req, res) => {
    const lang = req.params.code === 'en' ? 'en' : 'id';
    res.cookie('lang', lang, { maxAge: 365 * 24 * 3600 * 1000, sameSite: 'lax', httpOnly: true });
    const back = safeNext(req.query.next, '/');
    res.redirect(back.replace(/([?&])lang=(id|en)&?/, '$1'));
  });

  r.use(publicRoutes(services, sharedPages));
  r.use(embedRoutes(services));
  r.use(seoRoutes(services));
  r.use(releaseRoutes(services));
  r.use(dataListRoutes(services));
  r.use(scorecardRoutes(services));
  r.use(requestRoutes(services));
  r.use(usageRoutes(services));
  r.use(headlineRoutes(services));
  r.use(harvestRoutes(services));
  r.use(wilayahRoutes(services));
  r.use(downloadRoutes(services));
  r.use(authRoutes(services));
  r.use(dashboardRoutes(services));
  r.use(sourceRoutes(services));
  r.use(automationRoutes(services));
  r.use(webhookRoutes(services));
  r.use(reviewRoutes(services));
  r.use(inboxRoutes(services));
  r.use(accountRoutes(services));
  r.use(passwordRoutes(services));
  r.use(adminRoutes(services));
  r.use(() => {
    throw new NotFound('Halaman tidak ditemukan.', 'Page not found.');
  });
  return r;
}
