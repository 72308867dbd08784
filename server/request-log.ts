// How requests are logged: a newcomer's first `npm start` must show the banner with the URL and
// the demo accounts, not a JSON line with every header of every request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Level } from 'pino';
import pinoHttp from 'pino-http';
import type { Config } from './config';
import { log } from './log';

/**
 * The level a finished request is logged at. In development only server errors show at the
 * default level (the rest at debug: `LOG_LEVEL=debug` shows them); in
 * production every request is, failures a level higher.
 */
export function requestLogLevel(env: Config['env'], status: number, err?: Error): Level {
  if (err || status >= 500) return 'error';
  if (env !== 'production') return 'debug';
  return status >= 400 ? 'warn' : 'info';
}

/** The request logger of the app (none under test). */
export function requestLogger(env: Config['env']) {
  return pinoHttp({
    logger: log,
    autoLogging: { ignore: (req) => req.url === '/healthz' },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => requestLogLevel(env, res.statusCode, err),
    // Method, path and status are what an operator reads; headers stay out of the log.
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
