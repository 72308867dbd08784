import { z } from 'zod';
import { ITEM_STATUSES } from '../../datalist/status';
import { FREQUENCIES } from '../../metadata';
import { VERSION_STATES } from '../../policies/records';
import { datasetRef, day, doc, named, orgRef, timestamp, topicRef } from './base';

// The work around the catalog: the review queue and its decisions, the release calendar, the
// year's data list and the OPDs' scorecards, public data requests, and the caller's API tokens.

export const reviewItemSchema = named(
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

export const reviewResultSchema = named(
  'ReviewResult',
  z.object({ decision: z.string(), state: z.enum(VERSION_STATES), comment: z.string().nullable(), created_at: timestamp, publish_at: timestamp.nullable() }),
  'Keputusan tinjauan dan keadaan versi sesudahnya.',
  'A review decision and the version’s state after it.',
);

export const releaseSchema = named(
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

export const dataListItemSchema = named(
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

export const scorecardSchema = named(
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

export const requestSchema = named(
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

export const tokenSchema = named(
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
export type ReleaseOut = z.input<typeof releaseSchema>;
export type DataListItemOut = z.input<typeof dataListItemSchema>;
export type RequestOut = z.input<typeof requestSchema>;
export type ReviewItemOut = z.input<typeof reviewItemSchema>;
