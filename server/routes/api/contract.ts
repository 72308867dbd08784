import { z } from 'zod';
import { DECISIONS } from '../../actions/versions';
import { MAX_TOKEN_DAYS } from '../../actions/accounts';
import { TOKEN_SCOPES } from '../../policies/actor';
import { REQUEST_STATES } from '../../actions/requests';
import { datasetChangesSchema, datasetFieldsSchema } from '../../actions/schemas';
import { automationFields } from '../../actions/automation';
import { loadOptionsSchema } from '../../ingest/options';
import {
  activitySchema,
  changeSchema,
  columnSchema,
  dataListItemSchema,
  datasetDetailSchema,
  datasetSchema,
  diffSchema,
  doc,
  facetSchema,
  organizationSchema,
  releaseSchema,
  requestSchema,
  reviewItemSchema,
  reviewResultSchema,
  rowSchema,
  scorecardSchema,
  timestamp,
  tokenSchema,
  topicSchema,
  versionSchema,
  sourceSchema,
  sourceRunSchema,
  webhookSchema,
  deliverySchema,
  harvestSourceSchema,
  harvestRunSchema,
} from '../../presenters/schemas';
import { harvestSourceInput } from '../../actions/harvest';
import { sourceInput } from '../../actions/sources';
import { WEBHOOK_EVENTS } from '../../actions/webhooks';
import { AGGREGATE_FUNCTIONS, MAX_LIMIT } from '../../queries/rows';
import { datasetSearchSchema } from '../search';

/** PATCH /datasets/{slug}: metadata changes and the dataset's automation (issue 12). */
const datasetPatchBody = datasetChangesSchema.extend(automationFields);

// The contract of `/api/v1`: every operation with the zod schemas that validate its input (the
// handlers in v1.ts, management.ts and feeds/ parse with these very schemas) and describe its
// answers (the presenters are typed by them). The OpenAPI document (openapi.ts) and the /api/docs
// page are generated from this list; test/api/openapi.test.ts checks that every route the router
// serves is here and that real answers match.

export interface Bilingual {
  id: string;
  en: string;
}
const t = (id: string, en: string): Bilingual => ({ id, en });

// ---- request schemas -------------------------------------------------------------------------

export const searchQuery = datasetSearchSchema.extend({
  per_page: z.coerce.number().int().min(1).max(100).default(20),
});

export const rowsQuery = z.object({
  limit: z.coerce.number().int().min(0).max(MAX_LIMIT).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  sort: z.string().max(500).optional().meta(doc('Kolom dipisah koma; awali dengan - untuk menurun.', 'Comma-separated columns; prefix with - for descending.')),
  q: z.string().max(200).optional().meta(doc('Cari teks di kolom teks.', 'Text search over text columns.')),
  filter: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional().meta(doc('filter[kolom]=nilai (boleh diulang).', 'filter[column]=value (may repeat).')),
});

export const aggregateQuery = z.object({
  group: z.string().max(300).default('').meta(doc('Kolom pengelompokan dipisah koma.', 'Comma-separated grouping columns.')),
  measure: z.string().max(100).optional(),
  fn: z.enum(AGGREGATE_FUNCTIONS).default('sum'),
  order: z.enum(['group', 'value', '-value', 'first']).optional(),
  filter: rowsQuery.shape.filter,
});

export const diffQuery = z.object({
  key: z.string().max(1000).optional().meta(doc('Kolom kunci dipisah koma; bawaan: kolom wilayah+waktu, atau dimensi bersama yang unik.', 'Comma-separated key columns; default: region+time columns, else the shared dimension columns that are unique.')),
  cells_limit: z.coerce.number().int().min(0).max(1000).optional().meta(doc('Sertakan sebanyak ini sel yang berubah di data.cells.', 'Include this many changed cells as data.cells.')),
  cells_offset: z.coerce.number().int().min(0).default(0),
});

export const releasesQuery = z.object({
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});
export const dataListQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional(), organization: z.string().max(120).optional() });
export const scorecardsQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional(), quarter: z.coerce.number().int().min(1).max(4).optional() });
export const requestsQuery = z.object({
  state: z.enum(REQUEST_STATES).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
});
export const requestBody = z.object({
  title: z.string().max(200),
  description: z.string().max(5000).optional(),
  purpose: z.string().max(1000).optional(),
  name: z.string().max(120),
  email: z.string().max(200),
  kind: z.enum(['permintaan', 'masukan']).optional(),
  dataset: z.string().max(120).optional(),
});

/** `since`: an ISO time, or a cursor from a previous answer's `meta.next`. */
export const changesQuery = z.object({
  since: z.string().max(200).optional().meta(doc('Waktu ISO 8601 atau kursor dari meta.next.', 'An ISO 8601 time or a cursor from meta.next.')),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const tokenBody = z.object({
  email: z.string().max(200).optional(),
  password: z.string().max(200).optional().meta(doc('Dengan surel dan kata sandi: klien yang masuk. Tanpa keduanya: pemegang token tulis membuat token lain.', 'With e-mail and password: a client signing in. Without: a write-token holder making another token.')),
  name: z.string().max(100).optional(),
  scope: z.enum(TOKEN_SCOPES).optional().meta(doc('`read` atau `write` (bawaan).', '`read` or `write` (the default).')),
  expires_at: z.iso.datetime({ offset: true }).optional(),
  expires_in_days: z.coerce.number().int().min(1).max(MAX_TOKEN_DAYS).optional(),
});
export const createDatasetBody = datasetFieldsSchema.extend({ organization: z.string() }).loose();
export const reviewBody = z.object({
  decision: z.enum(DECISIONS),
  comment: z.string().max(10_000).optional(),
  publish_at: z.string().max(60).optional().meta(doc('Untuk persetujuan: terbitkan pada waktu ini (ISO 8601).', 'For an approval: publish at this time (ISO 8601).')),
  override_reason: z.string().max(5_000).optional(),
});
export const versionNumber = z.coerce.number().int().positive();

const uploadBody = z.object({
  file: z.string().meta({ format: 'binary', ...doc('Berkas CSV atau XLSX.', 'The CSV or XLSX file.') }),
  encoding: z.string().optional(),
  delimiter: z.string().optional(),
  decimal: z.string().optional(),
  columns: z.string().optional().meta(doc('JSON: {nama: {type, role, unit}}', 'JSON: {name: {type, role, unit}}')),
  sheet: z.string().optional(),
  reshape: z.string().optional().meta(doc('JSON: {var_name, value_name}', 'JSON: {var_name, value_name}')),
});

const slugParams = z.object({ slug: z.string().meta(doc('Slug dataset.', 'The dataset’s slug.')) });
const versionParams = slugParams.extend({ n: versionNumber.meta(doc('Nomor versi.', 'The version number.')) });

// ---- answers -----------------------------------------------------------------------------------

const pageMeta = z.object({ total: z.number().int(), page: z.number().int(), per_page: z.number().int() });
const data = <S extends z.ZodType>(s: S) => z.object({ data: s });

const searchAnswer = z.object({
  data: z.array(datasetSchema),
  meta: pageMeta.extend({ suggestion: z.string().optional().meta(doc('Ejaan terdekat yang ada di katalog, bila kata tidak menemukan apa-apa.', 'The nearest spelling the catalog has, when the words found nothing.')) }),
  facets: z.record(z.string(), z.array(facetSchema)),
});
const rowsAnswer = z.object({ data: z.array(rowSchema), meta: z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int() }), columns: z.array(columnSchema) });
const aggregateAnswer = z.object({
  data: z.array(rowSchema).meta(doc('Satu baris per kelompok: kolom kelompok dan `value`.', 'One row per group: the grouping columns and `value`.')),
  meta: z.object({ group: z.array(z.string()), measure: z.string().nullable(), fn: z.enum(AGGREGATE_FUNCTIONS), version: z.number().int() }),
});
const tokenAnswer = z.object({
  token: z.string().meta(doc('Token (hanya ditunjukkan sekali).', 'The token (shown once only).')),
  data: tokenSchema.pick({ id: true, name: true, prefix: true, scope: true, expires_at: true, created_at: true }),
});
const changesAnswer = z.object({
  data: z.array(changeSchema),
  meta: z.object({ next: z.string().nullable().meta(doc('Kursor untuk `since` berikutnya.', 'Cursor for the next `since`.')), has_more: z.boolean() }),
});

// ---- operations --------------------------------------------------------------------------------

export interface ApiResponse {
  description: Bilingual;
  schema: z.ZodType;
}

export interface ApiOperation {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** OpenAPI form, inside /api/v1: `/datasets/{slug}`. */
  path: string;
  summary: Bilingual;
  tag: 'read' | 'write' | 'auth' | 'manage' | 'harvest';
  /** `token`: a bearer token is needed. */
  auth?: 'token';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: { type: 'application/json' | 'multipart/form-data'; schema: z.ZodType };
  responses: Record<number, ApiResponse>;
  /** Error statuses this operation may answer (their body is always `Error`). */
  errors: number[];
}

const ok = (id: string, en: string, schema: z.ZodType): ApiResponse => ({ description: t(id, en), schema });

export const OPERATIONS: ApiOperation[] = [
  {
    method: 'get', path: '/datasets', tag: 'read', summary: t('Cari dataset', 'Search datasets'), query: searchQuery,
    responses: { 200: ok('Dataset yang cocok, halaman demi halaman, dengan faset.', 'Matching datasets, page by page, with facets.', searchAnswer) }, errors: [400],
  },
  {
    method: 'post', path: '/datasets', tag: 'write', auth: 'token', summary: t('Buat dataset', 'Create a dataset'),
    body: { type: 'application/json', schema: createDatasetBody },
    responses: { 201: ok('Dataset baru (belum ada versi).', 'The new dataset (no version yet).', data(datasetSchema)) }, errors: [400, 401, 403, 409],
  },
  {
    method: 'get', path: '/datasets/{slug}', tag: 'read', summary: t('Satu dataset dengan kolom dan versinya', 'A dataset with columns and versions'), params: slugParams,
    responses: { 200: ok('Dataset.', 'The dataset.', data(datasetDetailSchema)) }, errors: [404],
  },
  {
    method: 'patch', path: '/datasets/{slug}', tag: 'write', auth: 'token', summary: t('Ubah metadata', 'Change metadata'), params: slugParams,
    body: { type: 'application/json', schema: datasetPatchBody },
    responses: { 200: ok('Dataset sesudah diubah.', 'The dataset after the change.', data(datasetSchema)) }, errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'get', path: '/datasets/{slug}/rows', tag: 'read', summary: t('Baris versi terbit', 'Rows of the current published version'), params: slugParams, query: rowsQuery,
    responses: { 200: ok('Baris, jumlahnya dan kolom.', 'Rows, their count and the columns.', rowsAnswer) }, errors: [400, 404],
  },
  {
    method: 'get', path: '/datasets/{slug}/aggregate', tag: 'read', summary: t('Angka terkelompok', 'Grouped figures'), params: slugParams, query: aggregateQuery,
    responses: { 200: ok('Angka per kelompok (dasar grafik).', 'Figures per group (what charts are drawn from).', aggregateAnswer) }, errors: [400, 404],
  },
  {
    method: 'get', path: '/datasets/{slug}/activity', tag: 'read', summary: t('Peristiwa audit dataset yang boleh dilihat', 'Audit events of the dataset visible to the caller'), params: slugParams,
    responses: { 200: ok('Peristiwa, terbaru dulu.', 'Events, newest first.', data(z.array(activitySchema))) }, errors: [404],
  },
  {
    method: 'post', path: '/datasets/{slug}/versions', tag: 'write', auth: 'token', summary: t('Unggah versi baru (CSV atau XLSX)', 'Upload a new version (CSV or XLSX)'), params: slugParams,
    body: { type: 'multipart/form-data', schema: uploadBody },
    responses: {
      201: ok('Termuat: versi dengan laporannya.', 'Loaded: the version with its report.', data(versionSchema)),
      202: ok('Dimuat di latar belakang: ikuti `progress`.', 'Loading in the background: follow `progress`.', data(versionSchema)),
      200: ok('Pengulangan: Idempotency-Key yang sama, atau berkas yang sama dengan versi terakhir — versi itu, tanpa versi baru.', 'A repeat: the same Idempotency-Key, or the same file as the latest version — that version, no new one.', data(versionSchema)),
    },
    errors: [400, 401, 403, 404, 409, 413],
  },
  {
    method: 'get', path: '/datasets/{slug}/versions/{n}', tag: 'read', summary: t('Satu versi dengan laporan dan kemajuannya', 'A version with its report and progress'), params: versionParams,
    responses: { 200: ok('Versi.', 'The version.', data(versionSchema)) }, errors: [400, 404],
  },
  {
    method: 'get', path: '/datasets/{slug}/versions/{n}/rows', tag: 'read', summary: t('Baris versi yang boleh dilihat pemanggil', 'Rows of a version the caller may see'), params: versionParams, query: rowsQuery,
    responses: { 200: ok('Seperti /rows.', 'As /rows.', rowsAnswer) }, errors: [400, 404],
  },
  {
    method: 'get', path: '/datasets/{slug}/versions/{n}/diff', tag: 'read',
    summary: t('Perbedaan versi dengan versi terbit (atau, untuk versi terbit, versi yang digantikannya)', 'Diff of a version against the current published version (or, for the current one, the version it superseded)'),
    params: versionParams, query: diffQuery,
    responses: { 200: ok('Perbedaan.', 'The diff.', data(diffSchema)) }, errors: [400, 404, 409],
  },
  {
    method: 'post', path: '/datasets/{slug}/versions/{n}/submit', tag: 'write', auth: 'token', summary: t('Ajukan untuk ditinjau', 'Submit for review'), params: versionParams,
    responses: { 200: ok('Versi sesudah diajukan.', 'The version after submission.', data(versionSchema)) }, errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'post', path: '/datasets/{slug}/versions/{n}/withdraw', tag: 'write', auth: 'token', summary: t('Tarik pengajuan', 'Withdraw a submission'), params: versionParams,
    responses: { 200: ok('Versi sesudah ditarik.', 'The version after withdrawal.', data(versionSchema)) }, errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'post', path: '/datasets/{slug}/versions/{n}/reload', tag: 'write', auth: 'token', summary: t('Baca ulang berkas dengan opsi lain', 'Read the file again with other options'), params: versionParams,
    body: { type: 'application/json', schema: loadOptionsSchema },
    responses: {
      200: ok('Termuat ulang.', 'Reloaded.', data(versionSchema)),
      202: ok('Dimuat ulang di latar belakang.', 'Reloading in the background.', data(versionSchema)),
    },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'post', path: '/datasets/{slug}/versions/{n}/review', tag: 'write', auth: 'token', summary: t('Keputusan atau komentar tinjauan', 'Review decision or comment'), params: versionParams,
    body: { type: 'application/json', schema: reviewBody },
    responses: { 200: ok('Keputusan dan keadaan versi.', 'The decision and the version’s state.', data(reviewResultSchema)) }, errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'get', path: '/review-queue', tag: 'write', auth: 'token', summary: t('Yang menunggu tinjauan pemanggil', 'What waits for the caller’s review'),
    responses: { 200: ok('Pengajuan, terlama dulu.', 'Submissions, oldest first.', data(z.array(reviewItemSchema))) }, errors: [401],
  },
  {
    method: 'post', path: '/tokens', tag: 'auth', summary: t('Terbitkan token API', 'Issue an API token'), body: { type: 'application/json', schema: tokenBody },
    responses: { 201: ok('Token baru.', 'The new token.', tokenAnswer) }, errors: [400, 401, 403, 429],
  },
  {
    method: 'get', path: '/tokens', tag: 'auth', auth: 'token', summary: t('Token API milik pemanggil (tidak pernah tokennya sendiri)', 'The caller’s own API tokens (never the tokens themselves)'),
    responses: { 200: ok('Token, terbaru dulu.', 'Tokens, newest first.', data(z.array(tokenSchema))) }, errors: [401],
  },
  {
    method: 'delete', path: '/tokens/{id}', tag: 'auth', auth: 'token', summary: t('Cabut salah satu token pemanggil (admin: token siapa pun)', 'Revoke one of the caller’s tokens (the admin: anyone’s)'),
    params: z.object({ id: z.coerce.number().int().positive().meta(doc('Nomor token.', 'The token’s id.')) }),
    responses: { 200: ok('Token tercabut.', 'The token is revoked.', data(z.object({ id: z.number().int(), revoked: z.literal(true) }))) }, errors: [400, 401, 403, 404],
  },
  {
    method: 'put', path: '/datasets/{slug}/source', tag: 'write', auth: 'token', summary: t('Atur sumber data otomatis', 'Set the pulled source'), params: slugParams,
    body: { type: 'application/json', schema: sourceInput },
    responses: { 200: ok('Sumber tersimpan.', 'The source as stored.', data(sourceSchema)) }, errors: [400, 401, 403, 404],
  },
  {
    method: 'get', path: '/datasets/{slug}/source', tag: 'read', summary: t('Sumber data otomatis (null bila belum ada)', 'The pulled source (null when none)'), params: slugParams,
    responses: { 200: ok('Sumber.', 'The source.', data(sourceSchema.nullable())) }, errors: [404],
  },
  {
    method: 'post', path: '/datasets/{slug}/source/run', tag: 'write', auth: 'token', summary: t('Jalankan sumber sekarang', 'Run the source now'), params: slugParams,
    responses: { 200: ok('Hasil pengambilan (result: new_version, unchanged atau failed).', 'The run (result: new_version, unchanged or failed).', data(sourceRunSchema)) }, errors: [400, 401, 403, 404],
  },
  {
    method: 'get', path: '/datasets/{slug}/source/runs', tag: 'read', summary: t('Riwayat pengambilan sumber', 'The source’s run log'), params: slugParams,
    responses: { 200: ok('Pengambilan, terbaru dulu.', 'Runs, newest first.', data(z.array(sourceRunSchema))) }, errors: [404],
  },
  {
    method: 'post', path: '/webhooks', tag: 'harvest', auth: 'token', summary: t('Berlangganan peristiwa (webhook)', 'Subscribe to events (webhook)'),
    body: {
      type: 'application/json',
      schema: z.object({
        url: z.string().meta(doc('URL http(s) penerima.', 'The receiver’s http(s) URL.')),
        events: z.array(z.enum(WEBHOOK_EVENTS)),
        organization: z.string().optional(),
        dataset: z.string().optional(),
      }),
    },
    responses: { 201: ok('Langganan dengan rahasia penandatangan (ditampilkan sekali).', 'The subscription with its signing secret (shown once).', data(webhookSchema.extend({ secret: z.string() }))) }, errors: [400, 401, 403, 404],
  },
  {
    method: 'get', path: '/webhooks', tag: 'harvest', auth: 'token', summary: t('Webhook milik pemanggil', 'The caller’s webhooks'),
    responses: { 200: ok('Webhook, terbaru dulu.', 'Webhooks, newest first.', data(z.array(webhookSchema))) }, errors: [401],
  },
  {
    method: 'get', path: '/webhooks/{id}/deliveries', tag: 'harvest', auth: 'token', summary: t('Log pengiriman webhook', 'A webhook’s delivery log'),
    params: z.object({ id: z.coerce.number().int().positive().meta(doc('Nomor webhook.', 'The webhook’s id.')) }),
    responses: { 200: ok('Pengiriman, terbaru dulu.', 'Deliveries, newest first.', data(z.array(deliverySchema))) }, errors: [400, 404],
  },
  {
    method: 'delete', path: '/webhooks/{id}', tag: 'harvest', auth: 'token', summary: t('Hapus webhook', 'Remove a webhook'),
    params: z.object({ id: z.coerce.number().int().positive().meta(doc('Nomor webhook.', 'The webhook’s id.')) }),
    responses: { 200: ok('Terhapus, dengan pengirimannya.', 'Removed, with its deliveries.', data(z.object({ id: z.number().int(), deleted: z.literal(true) }))) }, errors: [400, 401, 404],
  },
  {
    method: 'post', path: '/harvest-sources', tag: 'harvest', auth: 'token', summary: t('Daftarkan portal kabupaten/kota untuk dipanen (walidata)', 'Register a kabupaten/kota portal to harvest (walidata)'),
    body: { type: 'application/json', schema: harvestSourceInput },
    responses: { 201: ok('Sumber panen, dengan organisasi "hasil panen"-nya.', 'The harvest source, with its "harvested" organization.', data(harvestSourceSchema)) }, errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'get', path: '/harvest-sources', tag: 'harvest', auth: 'token', summary: t('Sumber panen (walidata)', 'Harvest sources (walidata)'),
    responses: { 200: ok('Sumber panen, menurut nama.', 'Harvest sources, by name.', data(z.array(harvestSourceSchema))) }, errors: [401, 403],
  },
  {
    method: 'post', path: '/harvest-sources/{id}/run', tag: 'harvest', auth: 'token', summary: t('Panen sekarang', 'Harvest now'),
    params: z.object({ id: z.coerce.number().int().positive().meta(doc('Nomor sumber panen.', 'The harvest source’s id.')) }),
    responses: { 200: ok('Hasil panen (result: ok, partial atau failed) dengan jumlahnya.', 'The run (result: ok, partial or failed) with its counts.', data(harvestRunSchema)) }, errors: [400, 401, 403, 404],
  },
  {
    method: 'get', path: '/harvest-sources/{id}/runs', tag: 'harvest', auth: 'token', summary: t('Riwayat panen sebuah sumber', 'A harvest source’s run log'),
    params: z.object({ id: z.coerce.number().int().positive().meta(doc('Nomor sumber panen.', 'The harvest source’s id.')) }),
    responses: { 200: ok('Panen, terbaru dulu.', 'Runs, newest first.', data(z.array(harvestRunSchema))) }, errors: [400, 401, 403, 404],
  },
  {
    method: 'get', path: '/organizations', tag: 'read', summary: t('Organisasi', 'Organizations'),
    responses: { 200: ok('Organisasi dengan jumlah datasetnya.', 'Organizations with their dataset counts.', data(z.array(organizationSchema))) }, errors: [],
  },
  {
    method: 'get', path: '/topics', tag: 'read', summary: t('Topik', 'Topics'),
    responses: { 200: ok('Topik dengan jumlah datasetnya.', 'Topics with their dataset counts.', data(z.array(topicSchema))) }, errors: [],
  },
  {
    method: 'get', path: '/openapi.json', tag: 'read', summary: t('Dokumen OpenAPI 3.1 ini', 'This OpenAPI 3.1 document'),
    responses: { 200: ok('Dokumen OpenAPI.', 'The OpenAPI document.', z.object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }).loose(), paths: z.record(z.string(), z.unknown()) }).loose()) }, errors: [],
  },
  {
    method: 'get', path: '/changes', tag: 'harvest', summary: t('Umpan perubahan katalog publik', 'Change feed of the public catalog'), query: changesQuery,
    responses: { 200: ok('Perubahan berurutan; lanjutkan dengan meta.next selama meta.has_more.', 'Changes in order; continue with meta.next while meta.has_more.', changesAnswer) }, errors: [400],
  },
  {
    method: 'get', path: '/releases', tag: 'manage', summary: t('Rilis terjadwal dan terbaru', 'Scheduled and recent releases'), query: releasesQuery,
    responses: { 200: ok('Rilis dalam rentang waktu.', 'Releases in the time range.', z.object({ data: z.array(releaseSchema), meta: z.object({ from: timestamp, to: timestamp, total: z.number().int() }) })) }, errors: [400],
  },
  {
    method: 'get', path: '/data-list', tag: 'manage', summary: t('Daftar data tahun itu', 'The year’s data list'), query: dataListQuery,
    responses: { 200: ok('Butir daftar data dengan statusnya.', 'Data-list items with their status.', z.object({ data: z.array(dataListItemSchema), meta: z.object({ year: z.number().int(), organization: z.string().nullable(), total: z.number().int() }) })) }, errors: [400],
  },
  {
    method: 'get', path: '/scorecards', tag: 'manage', summary: t('Rapor OPD', 'OPD scorecards'), query: scorecardsQuery,
    responses: { 200: ok('Rapor tiap OPD.', 'Each OPD’s scorecard.', z.object({ data: z.array(scorecardSchema), meta: z.object({ year: z.number().int(), quarter: z.number().int().nullable() }) })) }, errors: [400],
  },
  {
    method: 'get', path: '/requests', tag: 'manage', summary: t('Permintaan data', 'Data requests'), query: requestsQuery,
    responses: { 200: ok('Permintaan, terbaru dulu.', 'Requests, newest first.', z.object({ data: z.array(requestSchema), meta: pageMeta })) }, errors: [400],
  },
  {
    method: 'post', path: '/requests', tag: 'manage', summary: t('Ajukan permintaan data (tanpa masuk)', 'Ask for data (no sign-in)'), body: { type: 'application/json', schema: requestBody },
    responses: { 201: ok('Permintaan yang tercatat.', 'The recorded request.', data(requestSchema)) }, errors: [400, 429],
  },
];

export const ERROR_TEXT: Record<number, Bilingual> = {
  400: t('Masukan tidak valid', 'Bad input'),
  401: t('Belum masuk', 'Not signed in'),
  403: t('Tidak diizinkan', 'Not allowed'),
  404: t('Tidak ada atau tidak terlihat', 'Unknown or not visible'),
  409: t('Keadaan bertentangan', 'Conflicting state'),
  413: t('Terlalu besar', 'Too large'),
  429: t('Terlalu banyak permintaan', 'Too many requests'),
};
