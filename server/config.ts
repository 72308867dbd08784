import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_XLSX_LIMITS, type XlsxLimits } from './ingest/prepare/xlsx/zip';
import { parseAllowHosts } from './exchange/safe-fetch';

/** The portal's zone when TIME_ZONE is not set: Western Indonesia Time (WIB). */
export const DEFAULT_TIME_ZONE = 'Asia/Jakarta';

/** The most URLs one sitemap file may hold (sitemaps.org). */
export const SITEMAP_MAX = 50_000;

/** The URLs one sitemap file of this portal holds at most unless SITEMAP_MAX_URLS says otherwise: a little under SITEMAP_MAX. */
export const SITEMAP_LIMIT = 49_900;

/** An optional setting for which an empty value (`S3_ENDPOINT=` in an env file) means unset. */
function unsetWhenEmpty<T extends z.ZodType>(t: T) {
  return z.preprocess((v) => (v === '' ? undefined : v), t.optional());
}

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
  /** The URLs one sitemap file holds at most; a larger catalog gets a sitemap index (sitemaps.org allows 50,000). */
  SITEMAP_MAX_URLS: z.coerce.number().int().min(1).max(SITEMAP_MAX).default(SITEMAP_LIMIT),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** A session unused for this long ends (the store's expiry, renewed on every request). */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(120),
  /** A session ends this long after its sign-in, however busy. */
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(12),
  /** Failed sign-ins in a row an account takes before each further one locks it (1 minute, doubling, at most an hour). */
  LOGIN_ACCOUNT_FREE_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Reset links one address may ask for in an hour. */
  RESET_REQUESTS_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** Keeps the rate-limit counters of several portals (or test runs) on one database apart. */
  RATE_LIMIT_NAMESPACE: z.string().min(1).max(60).default('satudata'),
  /** Hosts pulled sources, harvests and webhooks may reach although private or loopback (comma-separated). */
  FETCH_ALLOW_HOSTS: z.string().default(''),
  /** Stored files in an S3-compatible bucket instead of DATA_DIR (all app and worker processes then share them). */
  S3_ENDPOINT: unsetWhenEmpty(z.url({ protocol: /^https?$/ })),
  S3_BUCKET: unsetWhenEmpty(z.string().min(3).max(63)),
  S3_REGION: unsetWhenEmpty(z.string().min(1)),
  S3_ACCESS_KEY_ID: unsetWhenEmpty(z.string().min(1)),
  S3_SECRET_ACCESS_KEY: unsetWhenEmpty(z.string().min(1)),
  /** Bucket in the path (`endpoint/bucket/key`), as most S3-compatible servers want: on by default with S3_ENDPOINT. */
  S3_FORCE_PATH_STYLE: z.enum(['yes', 'no']).optional(),
});

/** Where an S3-compatible bucket is, and how to sign in to it. */
export interface S3Settings {
  /** Unset for AWS itself (the region's endpoint). */
  endpoint?: string;
  bucket: string;
  region: string;
  /** Unset: the AWS SDK's default credentials (environment, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

export type Config = {
  env: 'development' | 'production' | 'test';
  databaseUrl?: string;
  port: number;
  dataDir: string;
  /** Uploads on local disk (the default), or scratch files only when `s3` is set. */
  storageDir: string;
  /** Stored files in this bucket instead of `storageDir`. */
  s3?: S3Settings;
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
  /** The URLs one sitemap file holds at most (SITEMAP_MAX_URLS). */
  sitemapMaxUrls: number;
  xlsxLimits: XlsxLimits;
  /** IANA zone in which times are shown and dates filtered (default Asia/Jakarta, WIB). */
  timeZone: string;
  sessionIdleMs: number;
  sessionMaxMs: number;
  loginIpLimit: number;
  loginAccountFreeFailures: number;
  resetRequestsPerHour: number;
  rateLimitNamespace: string;
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
  if (e.NODE_ENV === 'production') {
    const problem = weakSecret(e.SESSION_SECRET);
    if (problem) throw new Error(`SESSION_SECRET ${problem} when NODE_ENV=production (make one with: openssl rand -base64 48)`);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL || undefined,
    port: e.PORT,
    dataDir,
    storageDir: path.join(dataDir, 'uploads'),
    s3: s3Settings(e),
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
    sitemapMaxUrls: e.SITEMAP_MAX_URLS,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    loginIpLimit: e.SIGN_IN_ATTEMPTS,
    loginAccountFreeFailures: e.LOGIN_ACCOUNT_FREE_FAILURES,
    resetRequestsPerHour: e.RESET_REQUESTS_PER_HOUR,
    rateLimitNamespace: e.RATE_LIMIT_NAMESPACE,
    fetchAllowHosts: parseAllowHosts(e.FETCH_ALLOW_HOSTS),
    xlsxLimits: {
      ...DEFAULT_XLSX_LIMITS,
      maxUnpackedBytes: Math.round(e.XLSX_MAX_UNPACKED_MB * 1024 * 1024),
      maxRatio: e.XLSX_MAX_RATIO,
      maxSharedStringsBytes: Math.round(e.XLSX_MAX_SHARED_STRINGS_MB * 1024 * 1024),
    },
  };
}

/** The S3 settings, when a bucket is named; setting some S3_* without a bucket is a mistake, not local disk. */
function s3Settings(e: z.infer<typeof schema>): S3Settings | undefined {
  if (!e.S3_BUCKET) {
    const stray = (['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((k) => e[k]);
    if (stray.length) throw new Error(`Invalid configuration: ${stray.join(', ')} set without S3_BUCKET`);
    return undefined;
  }
  if (!e.S3_ACCESS_KEY_ID !== !e.S3_SECRET_ACCESS_KEY) throw new Error('Invalid configuration: set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither');
  return {
    endpoint: e.S3_ENDPOINT?.replace(/\/+$/, ''),
    bucket: e.S3_BUCKET,
    region: e.S3_REGION ?? 'us-east-1',
    accessKeyId: e.S3_ACCESS_KEY_ID,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY,
    forcePathStyle: e.S3_FORCE_PATH_STYLE ? e.S3_FORCE_PATH_STYLE === 'yes' : Boolean(e.S3_ENDPOINT),
  };
}

/** Minimum length of SESSION_SECRET in production: 32 characters (192 bits as base64). */
export const MIN_SESSION_SECRET_LENGTH = 32;

/**
 * Why a session secret is not good enough to sign production cookies, or null: it must be long
 * and look random (many different characters, not a word repeated or a placeholder).
 */
export function weakSecret(secret: string | undefined): string | null {
  if (!secret) return 'is required';
  if (secret.length < MIN_SESSION_SECRET_LENGTH) return `must have at least ${MIN_SESSION_SECRET_LENGTH} characters`;
  if (new Set(secret).size < 16) return 'does not look random (too few different characters)';
  if (/change.?me|secret|password|example|satudata|dev-secret/i.test(secret)) return 'looks like a placeholder';
  return null;
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
