import { z } from 'zod';
import { doc, named, timestamp } from './base';

// Data exchange (issue 12): a dataset's pulled source and its runs, webhooks and their
// deliveries, harvested kabupaten/kota portals and their harvests.

/** What every logged run (of a source or of a harvest) starts with: which, why, when, how long. */
const runFields = {
  id: z.number().int(),
  trigger: z.enum(['schedule', 'manual']),
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
  duration_ms: z.number().int().nullable(),
};
/** Why a run failed. */
const runError = z.string().nullable().meta(doc('Mengapa gagal, dalam bahasa pembaca.', 'Why it failed, in the reader’s language.'));

export const sourceSchema = named(
  'Source',
  z.object({
    kind: z.enum(['url', 'json_api']).meta(doc('`url`: berkas CSV/XLSX; `json_api`: rekaman dari API JSON.', '`url`: a CSV/XLSX file; `json_api`: records from a JSON API.')),
    url: z.string(),
    schedule: z.string().meta(doc('Mis. `daily 06:00`, `weekly senin 06:00`, `monthly 5 06:00` atau cron, di zona portal.', 'E.g. `daily 06:00`, `weekly mon 06:00`, `monthly 5 06:00` or cron, in the portal’s zone.')),
    records_path: z.string().nullable(),
    fields: z.record(z.string(), z.string()).nullable(),
    header_names: z.array(z.string()).meta(doc('Nama header rahasia yang tersimpan (nilainya tidak pernah ditampilkan).', 'Names of the stored secret headers (their values are never shown).')),
    enabled: z.boolean(),
    next_run_at: timestamp.nullable(),
    failures: z.number().int().meta(doc('Kegagalan berturut-turut.', 'Failures in a row.')),
    updated_at: timestamp.nullable(),
  }),
  'Sumber data otomatis sebuah dataset.',
  'A dataset’s pulled source.',
);

export const sourceRunSchema = named(
  'SourceRun',
  z.object({
    ...runFields,
    bytes: z.number().int().nullable(),
    http_status: z.number().int().nullable(),
    result: z.enum(['running', 'new_version', 'unchanged', 'failed']),
    error: runError,
    sha256: z.string().nullable(),
    version: z.number().int().nullable().meta(doc('Versi yang dibuatnya.', 'The version it made.')),
  }),
  'Satu pengambilan sumber.',
  'One run of a source.',
);

export const webhookSchema = named(
  'Webhook',
  z.object({
    id: z.number().int(),
    url: z.string(),
    events: z.array(z.string()),
    organization: z.string().nullable(),
    dataset: z.string().nullable(),
    active: z.boolean().meta(doc('Salah bila dijeda setelah sehari gagal.', 'False when paused after a day of failures.')),
    failing_since: timestamp.nullable(),
    paused_at: timestamp.nullable(),
    created_at: timestamp.nullable(),
  }),
  'Langganan peristiwa katalog publik.',
  'A subscription to the public catalog’s events.',
);

export const deliverySchema = named(
  'WebhookDelivery',
  z.object({
    id: z.number().int(),
    event: z.string().nullable(),
    dataset: z.string().nullable(),
    status: z.enum(['pending', 'retrying', 'delivered', 'abandoned']),
    attempts: z.number().int(),
    last_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: timestamp.nullable(),
    delivered_at: timestamp.nullable(),
    created_at: timestamp.nullable(),
  }),
  'Satu pengiriman webhook.',
  'One webhook delivery.',
);

export const harvestSourceSchema = named(
  'HarvestSource',
  z.object({
    id: z.number().int(),
    kind: z.enum(['ckan', 'dcat']).meta(doc('`ckan`: API aksi CKAN (package_search); `dcat`: katalog DCAT (Turtle/JSON-LD, halaman hydra).', '`ckan`: a CKAN action API (package_search); `dcat`: a DCAT catalog (Turtle/JSON-LD, hydra pages).')),
    url: z.string(),
    name: z.string().meta(doc('Nama portal kabupaten/kota, mis. "Kabupaten Lampung Selatan".', 'The kabupaten/kota portal’s name, e.g. "Kabupaten Lampung Selatan".')),
    review: z.boolean().meta(doc('Benar: hasil panen menunggu di antrean walidata; salah: langsung terbit.', 'True: what is harvested waits in the walidata’s queue; false: published at once.')),
    schedule: z.string(),
    organization: z.object({ slug: z.string(), name: z.string() }).meta(doc('Organisasi "hasil panen" tempat datasetnya disimpan.', 'The "harvested" organization its datasets are filed under.')),
    enabled: z.boolean(),
    next_run_at: timestamp.nullable(),
    failures: z.number().int().meta(doc('Panen gagal berturut-turut.', 'Failed harvests in a row.')),
    created_at: timestamp.nullable(),
  }),
  'Portal kabupaten/kota yang dipanen ke katalog provinsi.',
  'A kabupaten/kota portal harvested into the province catalog.',
);

export const harvestRunSchema = named(
  'HarvestRun',
  z.object({
    ...runFields,
    result: z.enum(['running', 'ok', 'partial', 'failed']).meta(doc('`partial`: sebagian dataset gagal atau daftar sumber tidak utuh.', '`partial`: some datasets failed or the remote listing was not whole.')),
    seen: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    retracted: z.number().int(),
    failed: z.number().int(),
    error: runError,
    problems: z.array(z.object({ dataset: z.string().nullable(), message: z.string() })),
  }),
  'Satu panen sebuah sumber.',
  'One harvest of a source.',
);