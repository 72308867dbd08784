import path from 'node:path';
import connectPgSimple from 'connect-pg-simple';
import cookieParser from 'cookie-parser';
import { requestLogger } from './request-log';
import express, { type NextFunction, type Request, type Response } from 'express';
import { engine } from 'express-handlebars';
import session from 'express-session';
import helmet from 'helmet';
import { actorForToken, actorForUser } from './auth/actors';
import { sessionTooOld } from './auth/session-life';
import { errorHandler } from './routes/errors';
import { apiRouter } from './routes/api/v1';
import { ckanRouter } from './routes/api/ckan';
import { dcatRouter } from './routes/api/dcat';
import { frictionlessRouter } from './routes/api/frictionless';
import { atomRouter } from './routes/api/feeds';
import { CKAN_PATHS, compressText, etagPerEncoding, publicCors } from './routes/http-cache';
import { webRouter } from './routes/web';
import { SharedPages } from './routes/web/shared-pages';
import type { Services } from './services';
import { helpers } from './views/helpers';
import { serveAssets } from './assets';
import { Unauthenticated } from './errors';

const ROOT = path.join(__dirname, '..');

/** Builds the Express app (it never listens; main.ts and the tests do). */
export function createApp(services: Services): express.Express {
  const { config, db } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'extended');

  app.engine('hbs', engine({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(ROOT, 'views/layouts'),
    partialsDir: path.join(ROOT, 'views/partials'),
    helpers,
  }));
  app.set('view engine', 'hbs');
  app.set('views', path.join(ROOT, 'views'));
  if (config.env === 'production') app.enable('view cache');

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
      crossOriginEmbedderPolicy: false,
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  app.use(publicCors());
  app.use(etagPerEncoding());
  app.use(compressText());
  if (config.env !== 'test') app.use(requestLogger(config.env));

  // public/, Chart.js, the map plugin and the boundaries it draws (the project's copy, with its
  // licence beside it): fingerprinted names cached for a year, compressed (server/assets.ts).
  app.use('/static', serveAssets());
  app.use('/static', express.static(path.join(ROOT, 'public'), { maxAge: 0 }));

  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'));

  app.get('/healthz', async (_req, res) => {
    try {
      await db.raw('SELECT 1');
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });

  // Pages shared between readers with no cookie and no credentials, served before the session is read.
  const sharedPages = new SharedPages(db);
  app.use(sharedPages.early());

  app.use(cookieParser());
  const PgStore = connectPgSimple(session);
  app.use(
    session({
      store: new PgStore({
        pool: services.sessionPool,
        tableName: 'sessions',
        createTableIfMissing: false,
        pruneSessionInterval: config.env === 'test' ? false : 900,
      }),
      name: 'sdp.sid',
      secret: config.sessionSecret,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.publicUrl?.startsWith('https://') ?? false,
        // Idle expiry: the cookie and the stored session (its `expire`) are renewed on each request.
        maxAge: config.sessionIdleMs,
      },
    }),
  );

  // Who is asking: a bearer token (API clients) or the session (browsers).
  app.use(async (req: Request, _res: Response, next: NextFunction) => {
    req.lang = pickLang(req);
    req.actor = null;
    req.authVia = null;
    let auth = req.get('authorization');
    if (CKAN_PATHS.test(req.path)) {
      // CKAN clients send the bare token (ckanapi: Authorization and X-CKAN-API-Key).
      const key = auth ?? req.get('x-ckan-api-key');
      if (key !== undefined && !/^Bearer\s/i.test(key)) auth = `Bearer ${key.trim()}`;
    }
    if (auth !== undefined) {
      // Any Authorization header means the caller authenticates by it, never by a cookie too.
      // The CKAN action API answers a bad credential in CKAN's envelope (ckanapi's NotAuthorized).
      const refuse = (e: Unauthenticated) => (CKAN_PATHS.test(req.path) ? ((req.authError = e), next()) : next(e));
      if (!/^Bearer\s+\S+$/i.test(auth)) return refuse(new Unauthenticated('Header Authorization harus berbentuk "Bearer <token>".', 'The Authorization header must be "Bearer <token>".'));
      req.actor = await actorForToken(db, auth.replace(/^Bearer\s+/i, '').trim());
      if (!req.actor) return refuse(new Unauthenticated());
      req.authVia = 'token';
    } else if (req.session?.userId) {
      // Absolute expiry: however busy, a session ends SESSION_MAX_HOURS after its sign-in.
      if (sessionTooOld(req, config.sessionMaxMs)) {
        await new Promise<void>((resolve) => req.session.regenerate(() => resolve()));
      } else {
        req.actor = await actorForUser(db, req.session.userId);
        if (!req.actor) delete req.session.userId;
        else req.authVia = 'session';
      }
    }
    next();
  });

  app.use('/api/v1', apiRouter(services));
  app.use(['/api/3/action', '/api/action'], ckanRouter(services));
  app.use(dcatRouter(services));
  app.use(frictionlessRouter(services));
  app.use(atomRouter(services));
  app.use(webRouter(services, sharedPages));
  app.use(errorHandler(services));
  return app;
}

/** The reader's language: `?lang=`, then the `lang` cookie, then Bahasa Indonesia. */
function pickLang(req: Request): 'id' | 'en' {
  const q = typeof req.query.lang === 'string' ? req.query.lang : undefined;
  const c = req.cookies?.lang as string | undefined;
  const l = q ?? c;
  return l === 'en' ? 'en' : 'id';
}
