import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_XLSX_LIMITS, type XlsxLimits } from './ingest/prepare/xlsx/zip';
import { parseAllowHosts } from './exchange/safe-fetch';

/** The portal's zone when TIME_ZONE is not set: Western Indonesia Time (WIB). */
export const DEFAULT_TIME_ZONE = 'Asia/Jakarta';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().default('./data'),
  SESSION_SECRET: z.string().optional(),
  MAX_UPLOAD_MB: z.coerce.number().positive().default(200),
  /** What one user may upload in 24 hours, in all. */
  UPLOAD_QUOTA_MB_PER_DAY: z.coerce.number().positive().default(2048),
  PUBLIC_URL: z.string().optional(),
  /** The proxies whose X-Forwarded-* headers count: none by default (see trustProxySetting). */
  TRUST_PROXY: z.string().default(''),
  DEMO_PASSWORD: z.string().default('satudata-demo'),
  LOAD_DEMO: z.enum(['auto', 'yes', 'no']).default('auto'),
  /** Files up to this size load within the upload request; larger ones go to the job queue. */
  INLINE_LOAD_MAX_MB: z.coerce.number().min(0).default(5),
  /** log2 of the scrypt cost; lowered only by the test suite to keep it fast. */
  SCRYPT_LOG_N: z.coerce.number().int().min(10).max(20).default(16),
  RUN_WORKER: z.enum(['yes', 'no']).default('yes'),
  /** Clean files from this size on load in two parts at once (one per core). */
  PARALLEL_LOAD_MIN_MB: z.coerce.number().min(0).default(16),
  /** A load without a heartbeat for this long is taken to be dead and picked up again. */
  LOAD_STALL_SECONDS: z.coerce.number().int().min(1).default(60),
  /** An XLSX upload may unpack to this much in all, and no entry over 1 MiB more densely than the ratio. */
  XLSX_MAX_UNPACKED_MB: z.coerce.number().positive().default(1024),
  XLSX_MAX_RATIO: z.coerce.number().positive().default(100),
  /** The shared strings of a workbook are held in memory while its sheet is read: at most this much XML. */
  XLSX_MAX_SHARED_STRINGS_MB: z.coerce.number().positive().default(100),
  /** Failed sign-ins (web form and POST /api/v1/tokens, counted apart) one address may make per 15 minutes. */
  SIGN_IN_ATTEMPTS: z.coerce.number().int().min(1).default(20),
  /** Data requests one address may send per hour (counted in the database, so across all app processes). */
  REQUESTS_PER_HOUR: z.coerce.number().int().min(1).default(5),
  /** How often each worker looks for scheduled releases whose time has passed (the queue's job usually comes first). */
  RELEASE_SWEEP_SECONDS: z.coerce.number().int().min(1).default(30),
  /** The portal's time zone: times are stored in UTC and shown and filtered in this zone. */
  TIME_ZONE: z
    .string()
    .default(DEFAULT_TIME_ZONE)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'not a time zone (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)'),
  /** Views and downloads are counted in memory and written every this many seconds (0: only when asked). */
  USAGE_FLUSH_SECONDS: z.coerce.number().min(0).default(5),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Hosts pulled sources, harvests and webhooks may reach although private or loopback (comma-separated). */
  FETCH_ALLOW_HOSTS: z.string().default(''),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  databaseUrl?: string;
  port: number;
  dataDir: string;
  storageDir: string;
  sessionSecret: string;
  maxUploadBytes: number;
  uploadQuotaBytesPerDay: number;
  inlineLoadMaxBytes: number;
  publicUrl?: string;
  /** Express's `trust proxy`: false (none), a hop count, or addresses/subnets/`loopback`. */
  trustProxy: boolean | number | string;
  demoPassword: string;
  loadDemo: 'auto' | 'yes' | 'no';
  scryptLogN: number;
  runWorker: boolean;
  loadStallSeconds: number;
  parallelLoadMinBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  releaseSweepSeconds: number;
  requestsPerHour: number;
  /** Failed sign-ins one address may make per 15 minutes, per way in (web, API). */
  signInAttempts: number;
  usageFlushSeconds: number;
  xlsxLimits: XlsxLimits;
  /** IANA zone in which times are shown and dates filtered (default Asia/Jakarta, WIB). */
  timeZone: string;
  /** Hosts outbound fetches may reach although their addresses are private or loopback. */
  fetchAllowHosts: string[];
};

/** Reads and checks the environment once; every other module receives the result. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    throw new Error('SESSION_SECRET is required when NODE_ENV=production');
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL || undefined,
    port: e.PORT,
    dataDir,
    storageDir: path.join(dataDir, 'uploads'),
    // Outside production an unset secret is derived per data directory, so sessions survive restarts.
    sessionSecret: e.SESSION_SECRET ?? `dev-secret:${dataDir}`,
    maxUploadBytes: Math.round(e.MAX_UPLOAD_MB * 1024 * 1024),
    uploadQuotaBytesPerDay: Math.round(e.UPLOAD_QUOTA_MB_PER_DAY * 1024 * 1024),
    inlineLoadMaxBytes: Math.round(e.INLINE_LOAD_MAX_MB * 1024 * 1024),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    trustProxy: trustProxySetting(e.TRUST_PROXY),
    demoPassword: e.DEMO_PASSWORD,
    loadDemo: e.LOAD_DEMO,
    scryptLogN: e.SCRYPT_LOG_N,
    runWorker: e.RUN_WORKER === 'yes',
    loadStallSeconds: e.LOAD_STALL_SECONDS,
    parallelLoadMinBytes: Math.round(e.PARALLEL_LOAD_MIN_MB * 1024 * 1024),
    logLevel: e.LOG_LEVEL,
    releaseSweepSeconds: e.RELEASE_SWEEP_SECONDS,
    requestsPerHour: e.REQUESTS_PER_HOUR,
    signInAttempts: e.SIGN_IN_ATTEMPTS,
    timeZone: e.TIME_ZONE,
    usageFlushSeconds: e.USAGE_FLUSH_SECONDS,
    fetchAllowHosts: parseAllowHosts(e.FETCH_ALLOW_HOSTS),
    xlsxLimits: {
      ...DEFAULT_XLSX_LIMITS,
      maxUnpackedBytes: Math.round(e.XLSX_MAX_UNPACKED_MB * 1024 * 1024),
      maxRatio: e.XLSX_MAX_RATIO,
      maxSharedStringsBytes: Math.round(e.XLSX_MAX_SHARED_STRINGS_MB * 1024 * 1024),
    },
  };
}

/**
 * TRUST_PROXY → Express's `trust proxy`. Empty: no proxy is trusted, so X-Forwarded-For cannot
 * change the address that rate limits and the audit log see. A number counts hops; otherwise a
 * comma-separated list of addresses, subnets or Express's names (`loopback`, `uniquelocal`).
 */
export function trustProxySetting(v: string): boolean | number | string {
  const s = v.trim();
  if (s === '' || s === 'false' || s === 'no') return false;
  if (/^\d+$/.test(s)) return Number(s);
  return s;
}
