import pino from 'pino';

/** The process-wide structured (JSON) logger. */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { app: 'satudata' },
  redact: ['req.headers.authorization', 'req.headers.cookie', 'password'],
});
