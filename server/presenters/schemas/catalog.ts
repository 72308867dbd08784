import { z } from 'zod';
import { COLUMN_ROLES, COLUMN_TYPES } from '../../db/datastore';
import { ACCESS_LEVELS, FREQUENCIES, MS_IND_FIELDS, STATISTICS_CLASSES } from '../../metadata';
import { doc, named, timestamp } from './base';

// The catalog's records: organizations, topics, datasets with their columns and quality, the
// rows of a table, facets, a dataset's activity and the public catalog's changes.

export const organizationSchema = named(
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

export const topicSchema = named(
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

export const qualitySchema = named(
  'Quality',
  z.object({
    score: z.number().min(0).max(100),
    band: z.enum(['tinggi', 'sedang', 'rendah']),
    parts: z.array(z.object({ key: z.string(), label: z.string(), score: z.number(), max: z.number(), reason: z.string() })),
  }),
  'Skor kualitas versi terbit (0–100) dengan bagian-bagiannya.',
  'Quality score of the published version (0–100) with its parts.',
);

export const columnSchema = named(
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

export const datasetSchema = named(
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

export const facetSchema = named('Facet', z.object({ key: z.string(), label: z.string(), count: z.number().int() }), 'Satu nilai faset dengan jumlahnya.', 'One facet value with its count.');

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const rowSchema = named('Row', z.record(z.string(), cell), 'Satu baris: nama kolom → nilai (angka sebagai angka JSON).', 'One row: column name → value (numbers as JSON numbers).');

export const activitySchema = named(
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

export const changeSchema = named(
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

export type DatasetOut = z.input<typeof datasetSchema>;
export type OrganizationOut = z.input<typeof organizationSchema>;
export type TopicOut = z.input<typeof topicSchema>;
export type ColumnOut = z.input<typeof columnSchema>;
export type QualityOut = z.input<typeof qualitySchema>;
export type ActivityOut = z.input<typeof activitySchema>;
