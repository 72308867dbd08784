import { z } from 'zod';
import { COLUMN_ROLES, COLUMN_TYPES } from '../db/datastore';
import { ITEM_STATUSES } from '../datalist/status';
import { ACCESS_LEVELS, FREQUENCIES, MS_IND_FIELDS, STATISTICS_CLASSES } from '../metadata';
import { VERSION_STATES } from '../policies/records';
import { PROBLEMS, type ProblemCode } from '../ingest/problems';

// The shapes of what the JSON API answers (SPEC §5), as zod schemas. The presenters are typed by
// them (their return types are these schemas' inputs), and the OpenAPI document is generated
// from them (server/routes/api/openapi.ts): a field the presenters add without a schema here does
// not compile, and the API tests check every real answer against the generated document.
//
// Every description is in both languages: `description` in English (what OpenAPI tools show)
// and `x-description-id` in Bahasa Indonesia; /api/docs shows the reader's language.

/** Metadata of a schema or field in both languages. */
export function doc(id: string, en: string, extra: Record<string, unknown> = {}) {
  return { description: en, 'x-description-id': id, ...extra };
}

/** A point in time: a Date in the presenters, an ISO 8601 string on the wire. */
export const timestamp = z.codec(z.union([z.date(), z.string()]), z.iso.datetime({ offset: true }), {
  decode: (v) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString()),
  encode: (s) => s,
});
/** A calendar day, `YYYY-MM-DD`. */
export const day = z.iso.date();

const id = <S extends z.ZodType>(name: string, schema: S, idText: string, en: string): S => schema.meta({ id: name, ...doc(idText, en) });

export const errorSchema = id(
  'Error',
  z.object({
    error: z.object({
      code: z.string().meta(doc('Kode galat yang stabil, mis. `invalid`, `not_found`.', 'Stable error code, e.g. `invalid`, `not_found`.')),
      message: z.string().meta(doc('Pesan dalam bahasa pembaca.', 'Message in the reader’s language.')),
      message_en: z.string().optional(),
      details: z.unknown().optional(),
    }).loose(),
  }),
  'Galat: kode, pesan dan rinciannya.',
  'An error: code, message and details.',
);

export const organizationSchema = id(
  'Organization',
  z.object({
    slug: z.string(),
    name: z.string(),
    short_name: z.string().nullable(),
    kind: z.enum(['opd', 'walidata', 'pembina', 'kabkota']).meta(doc('Jenis: OPD produsen data, walidata, pembina data, atau kabupaten/kota yang datanya dipanen dari portalnya.', 'Kind: producing OPD, walidata (data steward), pembina (statistics office), or a kabupaten/kota whose data is harvested from its portal.')),
    description: z.string().nullable(),
    contact_email: z.string().nullable(),
    website: z.string().nullable(),
    dataset_count: z.number().int().optional().meta(doc('Jumlah dataset terbuka yang terbit.', 'Number of published open datasets.')),
  }),
  'Organisasi (OPD, walidata, pembina).',
  'An organization (OPD, walidata, pembina).',
);

export const topicSchema = id(
  'Topic',
  z.object({
    slug: z.string(),
    name: z.string().meta(doc('Nama dalam bahasa pembaca.', 'Name in the reader’s language.')),
    description: z.string().nullable(),
    dataset_count: z.number().int().optional(),
  }),
  'Topik katalog.',
  'A catalog topic.',
);

const orgRef = z.object({ slug: z.string(), name: z.string(), short_name: z.string().nullable() });
const topicRef = z.object({ slug: z.string(), name: z.string() });

export const qualitySchema = id(
  'Quality',
  z.object({
    score: z.number().min(0).max(100),
    band: z.enum(['tinggi', 'sedang', 'rendah']),
    parts: z.array(z.object({ key: z.string(), label: z.string(), score: z.number(), max: z.number(), reason: z.string() })),
  }),
  'Skor kualitas versi terbit (0–100) dengan bagian-bagiannya.',
  'Quality score of the published version (0–100) with its parts.',
);

export const columnSchema = id(
  'Column',
  z.object({
    name: z.string(),
    label: z.string(),
    type: z.enum(COLUMN_TYPES),
    role: z.enum(COLUMN_ROLES),
    unit: z.string().nullable(),
    description: z.string().nullable(),
    ref_scheme: z.string().nullable().meta(doc('Skema kode wilayah kolom ini (`bps` atau `kemendagri`).', 'Region code scheme of this column (`bps` or `kemendagri`).')),
    stats: z.record(z.string(), z.unknown()).nullable().meta(doc('Ringkasan nilai kolom (min, maks, jumlah kosong, …).', 'Summary of the column’s values (min, max, missing, …).')),
  }),
  'Kolom (kamus data, MS-Var).',
  'A column (data dictionary, MS-Var).',
);

export const datasetSchema = id(
  'Dataset',
  z.object({
    slug: z.string(),
    title: z.string(),
    description: z.string(),
    title_en: z.string().nullable(),
    description_en: z.string().nullable(),
    display: z.object({ title: z.string(), description: z.string() }).meta(doc('Judul dan deskripsi dalam bahasa pembaca.', 'Title and description in the reader’s language.')),
    organization: organizationSchema,
    topic: topicSchema.nullable(),
    tags: z.array(z.string()),
    frequency: z.enum(FREQUENCIES),
    license: z.string(),
    access_level: z.enum(ACCESS_LEVELS),
    prioritas: z.boolean().meta(doc('Data prioritas (diperiksa juga oleh pembina).', 'Priority data (checked by the pembina too).')),
    source: z.string().nullable(),
    contact: z.object({ name: z.string().nullable(), email: z.string().nullable() }),
    metadata: z.object(Object.fromEntries(MS_IND_FIELDS.map((f) => [f, z.string().nullable()])) as Record<(typeof MS_IND_FIELDS)[number], z.ZodNullable<z.ZodString>>).meta(
      doc('Metadata indikator (MS-Ind).', 'Indicator metadata (MS-Ind).'),
    ),
    methodology_note: z.string().nullable(),
    retracted: z.object({ at: timestamp, reason: z.string() }).nullable(),
    current_version: z.object({ number: z.number().int(), row_count: z.number().int().nullable(), published_at: timestamp.nullable() }).nullable(),
    download_count: z.number().int(),
    view_count: z.number().int(),
    statistics_class: z.enum(STATISTICS_CLASSES),
    quality: qualitySchema.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    url: z.url(),
    download_url: z.url().nullable(),
  }),
  'Dataset dengan metadatanya.',
  'A dataset with its metadata.',
);

export const versionSummarySchema = id(
  'VersionSummary',
  z.object({
    number: z.number().int(),
    state: z.enum(VERSION_STATES),
    row_count: z.number().int().nullable(),
    has_table: z.boolean(),
    created_at: timestamp,
    submitted_at: timestamp.nullable(),
    published_at: timestamp.nullable(),
    uploaded_by: z.string().nullable(),
    decisions: z.array(z.object({ stage: z.string(), decision: z.string(), at: timestamp, by: z.string().nullable() }).loose()),
    download_url: z.url().nullable(),
  }),
  'Satu versi dalam riwayat dataset.',
  'One version in a dataset’s history.',
);

export const datasetDetailSchema = id(
  'DatasetDetail',
  datasetSchema.extend({ columns: z.array(columnSchema), versions: z.array(versionSummarySchema) }),
  'Dataset dengan kolom versi terbit dan riwayat versinya.',
  'A dataset with the columns of its published version and its version history.',
);

export const problemSchema = id(
  'Problem',
  z.object({ code: z.enum(Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]]), message: z.string(), message_en: z.string(), line: z.number().int().optional(), column: z.string().optional(), value: z.string().optional() }),
  'Satu masalah dalam berkas (baris fisik, kolom, nilai).',
  'One problem in a file (physical line, column, value).',
);

export const versionSchema = id(
  'Version',
  versionSummarySchema.extend({
    dataset: z.string(),
    file: z.object({
      name: z.string(),
      size: z.number().int(),
      sha256: z.string(),
      media_type: z.string().nullable(),
      encoding: z.string().nullable(),
      dialect: z.record(z.string(), z.unknown()).nullable(),
    }),
    options: z.record(z.string(), z.unknown()).meta(doc('Opsi baca yang diberikan pengunggah.', 'Reading options the uploader gave.')),
    columns: z.array(columnSchema),
    report: z.object({
      errors: z.array(problemSchema),
      warnings: z.array(problemSchema),
      counts: z.object({ errors: z.record(z.string(), z.number().int()), warnings: z.record(z.string(), z.number().int()) }),
    }).meta(doc('Laporan validasi: contoh per kode dan jumlahnya.', 'Validation report: examples per code and their counts.')),
    progress: z.object({ phase: z.string(), bytes_done: z.number(), bytes_total: z.number(), rows: z.number() }).loose().nullable(),
    sample: z.array(z.array(z.string().nullable())).nullable(),
  }),
  'Versi lengkap: berkas, kolom, laporan dan kemajuan muat.',
  'A version in full: file, columns, report and loading progress.',
);

export const facetSchema = id('Facet', z.object({ key: z.string(), label: z.string(), count: z.number().int() }), 'Satu nilai faset dengan jumlahnya.', 'One facet value with its count.');

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const rowSchema = id('Row', z.record(z.string(), cell), 'Satu baris: nama kolom → nilai (angka sebagai angka JSON).', 'One row: column name → value (numbers as JSON numbers).');

export const diffSchema = id(
  'Diff',
  z.object({
    against: z.number().int().nullable().meta(doc('Versi pembanding; null = tidak ada (semua baris baru).', 'The version compared against; null = none (all rows added).')),
    columns: z.object({ added: z.array(z.string()), removed: z.array(z.string()), retyped: z.array(z.object({ name: z.string(), from: z.string(), to: z.string() })) }),
    rows: z.object({
      key: z.array(z.string()).meta(doc('Kolom pencocok baris; [] = seluruh baris dibandingkan.', 'Columns rows are matched on; [] = whole rows compared.')),
      key_unique: z.boolean(),
      key_source: z.enum(['declared', 'region_time', 'dimensions', 'none']),
      added: z.number().int(),
      removed: z.number().int(),
      changed: z.number().int(),
      examples: z.array(
        z.object({
          kind: z.enum(['changed', 'added', 'removed']),
          key: z.record(z.string(), z.unknown()),
          changes: z.array(z.object({ column: z.string(), before: z.unknown(), after: z.unknown() })).optional(),
          row: z.record(z.string(), z.unknown()).optional(),
        }),
      ),
    }),
    cells: z.array(z.object({ key: z.record(z.string(), z.unknown()), column: z.string(), before: z.unknown(), after: z.unknown() })).optional(),
    cells_total: z.number().int().optional(),
  }),
  'Perbedaan satu versi dengan versi pembandingnya: kolom, baris, sel.',
  'How a version differs from the one it is compared with: columns, rows, cells.',
);

export const activitySchema = id(
  'ActivityEvent',
  z.object({
    at: timestamp,
    action: z.string(),
    version: z.number().int().nullable(),
    actor: z.object({ name: z.string().nullable(), role: z.string().nullable() }).nullable().meta(doc('Pelaku; hanya untuk yang boleh melihat pekerjaan dataset.', 'Who did it; only for those who may see the dataset’s work.')),
    details: z.record(z.string(), z.unknown()).nullable(),
  }),
  'Satu peristiwa audit dataset yang boleh dilihat pemanggil.',
  'One audit event of the dataset that the caller may see.',
);

export const reviewItemSchema = id(
  'ReviewItem',
  z.object({
    dataset: z.object({ slug: z.string(), title: z.string(), prioritas: z.boolean() }),
    organization: orgRef,
    topic: z.object({ slug: z.string(), name_id: z.string(), name_en: z.string() }).nullable(),
    version: z.number().int(),
    state: z.enum(VERSION_STATES),
    row_count: z.number().int().nullable(),
    submitted_at: timestamp.nullable(),
    submitted_by: z.string().nullable(),
    age_seconds: z.number().int(),
    warnings: z.number().int(),
    can_review: z.boolean(),
  }).loose(),
  'Satu pengajuan yang menunggu tinjauan pemanggil.',
  'One submission waiting for the caller’s review.',
);

export const reviewResultSchema = id(
  'ReviewResult',
  z.object({ decision: z.string(), state: z.enum(VERSION_STATES), comment: z.string().nullable(), created_at: timestamp, publish_at: timestamp.nullable() }),
  'Keputusan tinjauan dan keadaan versi sesudahnya.',
  'A review decision and the version’s state after it.',
);

export const releaseSchema = id(
  'Release',
  z.object({
    dataset: z.object({ slug: z.string(), title: z.string(), organization: orgRef, topic: topicRef.nullable(), frequency: z.string() }),
    version: z.number().int(),
    status: z.enum(['scheduled', 'published']),
    at: timestamp,
    url: z.url().nullable().meta(doc('Halaman publik dataset, bila sudah ada.', 'The dataset’s public page, once it has one.')),
    id: z.string(),
  }),
  'Satu rilis di kalender: terjadwal atau sudah terbit.',
  'One release in the calendar: scheduled or published.',
);

export const dataListItemSchema = id(
  'DataListItem',
  z.object({
    id: z.number().int(),
    year: z.number().int(),
    name: z.string(),
    organization: orgRef,
    topic: topicRef.nullable(),
    frequency: z.enum(FREQUENCIES),
    prioritas: z.boolean(),
    statistics_class: z.string(),
    status: z.enum(ITEM_STATUSES),
    dataset: z.object({ slug: z.string(), title: z.string(), url: z.url() }).nullable(),
    periods: z.array(
      z.object({
        period: z.string(),
        start: day,
        end: day,
        due: day.nullable(),
        status: z.enum(ITEM_STATUSES),
        delivered_on: day.nullable(),
        dataset: z.string().optional(),
      }),
    ),
  }),
  'Satu butir daftar data tahun itu dengan status tiap periodenya.',
  'One item of the year’s data list with the status of each period.',
);

export const scorecardSchema = id(
  'Scorecard',
  z.object({
    organization: orgRef,
    items: z.number().int(),
    deliveries: z.number().int(),
    delivered: z.number().int(),
    on_time: z.number().int(),
    late: z.number().int(),
    overdue: z.number().int(),
    published: z.number().int(),
    avg_quality: z.number().nullable(),
    avg_review_days: z.number().nullable(),
    changes_requested_rate: z.number().nullable(),
    on_time_rate: z.number().nullable(),
  }),
  'Rapor satu OPD untuk tahun (atau triwulan) itu.',
  'The scorecard of one OPD for the year (or quarter).',
);

const datasetRef = z.object({ slug: z.string(), title: z.string(), url: z.url() });
export const requestSchema = id(
  'Request',
  z.object({
    id: z.number().int(),
    kind: z.enum(['permintaan', 'masukan']),
    title: z.string(),
    description: z.string(),
    purpose: z.string(),
    state: z.string(),
    requester: z.object({ name: z.string(), email: z.string().optional() }).meta(doc('Nama depan peminta saja; surelnya tidak pernah keluar.', 'The requester’s first name only; their e-mail never leaves.')),
    organization: orgRef.nullable(),
    dataset: datasetRef.nullable(),
    answer: z.object({ text: z.string().nullable(), url: z.string().nullable(), dataset: datasetRef.nullable(), planned_for: z.string().nullable(), at: timestamp }).nullable(),
    hidden: z.boolean().optional(),
    created_at: timestamp,
    routed_at: timestamp.nullable(),
    url: z.url(),
  }),
  'Permintaan data publik dan jawabannya.',
  'A public data request and its answer.',
);

export const changeSchema = id(
  'Change',
  z.object({
    type: z.enum(['published', 'version_published', 'metadata_changed', 'retracted']),
    dataset: z.string(),
    version: z.number().int().optional(),
    at: timestamp,
  }),
  'Satu perubahan katalog publik.',
  'One change of the public catalog.',
);

export const tokenSchema = id(
  'Token',
  z.object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string().meta(doc('Awal token, untuk mengenalinya.', 'The token’s first characters, to recognise it by.')),
    scope: z.enum(['read', 'write']).meta(doc('`read`: hanya membaca; `write`: juga menulis.', '`read`: reads only; `write`: writes too.')),
    status: z.enum(['active', 'expired', 'revoked']),
    created_at: timestamp,
    expires_at: timestamp.nullable(),
    last_used_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
  }),
  'Token API milik pemanggil (tidak pernah tokennya sendiri).',
  'One of the caller’s API tokens (never the token itself).',
);

export type TokenOut = z.input<typeof tokenSchema>;
export type DatasetOut = z.input<typeof datasetSchema>;
export type DatasetDetailOut = z.input<typeof datasetDetailSchema>;
export type OrganizationOut = z.input<typeof organizationSchema>;
export type TopicOut = z.input<typeof topicSchema>;
export type ColumnOut = z.input<typeof columnSchema>;
export type VersionSummaryOut = z.input<typeof versionSummarySchema>;
export type VersionOut = z.input<typeof versionSchema>;
export type QualityOut = z.input<typeof qualitySchema>;
export type ReleaseOut = z.input<typeof releaseSchema>;
export type DataListItemOut = z.input<typeof dataListItemSchema>;
export type RequestOut = z.input<typeof requestSchema>;
export type ActivityOut = z.input<typeof activitySchema>;
export type ReviewItemOut = z.input<typeof reviewItemSchema>;

// ---- data exchange (issue 12) ------------------------------------------------------------------

export const sourceSchema = id(
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

export const sourceRunSchema = id(
  'SourceRun',
  z.object({
    id: z.number().int(),
    trigger: z.enum(['schedule', 'manual']),
    started_at: timestamp.nullable(),
    finished_at: timestamp.nullable(),
    duration_ms: z.number().int().nullable(),
    bytes: z.number().int().nullable(),
    http_status: z.number().int().nullable(),
    result: z.enum(['running', 'new_version', 'unchanged', 'failed']),
    error: z.string().nullable().meta(doc('Mengapa gagal, dalam bahasa pembaca.', 'Why it failed, in the reader’s language.')),
    sha256: z.string().nullable(),
    version: z.number().int().nullable().meta(doc('Versi yang dibuatnya.', 'The version it made.')),
  }),
  'Satu pengambilan sumber.',
  'One run of a source.',
);

export const webhookSchema = id(
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

export const deliverySchema = id(
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

export const harvestSourceSchema = id(
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

export const harvestRunSchema = id(
  'HarvestRun',
  z.object({
    id: z.number().int(),
    trigger: z.enum(['schedule', 'manual']),
    started_at: timestamp.nullable(),
    finished_at: timestamp.nullable(),
    duration_ms: z.number().int().nullable(),
    result: z.enum(['running', 'ok', 'partial', 'failed']).meta(doc('`partial`: sebagian dataset gagal atau daftar sumber tidak utuh.', '`partial`: some datasets failed or the remote listing was not whole.')),
    seen: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    retracted: z.number().int(),
    failed: z.number().int(),
    error: z.string().nullable().meta(doc('Mengapa gagal, dalam bahasa pembaca.', 'Why it failed, in the reader’s language.')),
    problems: z.array(z.object({ dataset: z.string().nullable(), message: z.string() })),
  }),
  'Satu panen sebuah sumber.',
  'One harvest of a source.',
);
