import { z } from 'zod';

export const FREQUENCIES = [
  'harian', 'mingguan', 'bulanan', 'triwulanan', 'semesteran', 'tahunan', 'dua_tahunan', 'ad_hoc',
] as const;
export const ACCESS_LEVELS = ['terbuka', 'terbatas', 'tertutup'] as const;

/** The statistical metadata of an indicator, after BPS MS-Ind. */
export const MS_IND_FIELDS = [
  'nama_indikator', 'konsep', 'definisi', 'interpretasi', 'metode_perhitungan', 'rumus', 'ukuran',
  'satuan', 'klasifikasi_penyajian', 'indikator_komposit', 'level_estimasi',
] as const;
export type MsIndField = (typeof MS_IND_FIELDS)[number];

/** The MS-Ind fields a complete metadata record must have (the others are optional). */
export const REQUIRED_MS_IND: readonly MsIndField[] = [
  'nama_indikator', 'konsep', 'definisi', 'metode_perhitungan', 'ukuran', 'satuan', 'level_estimasi',
];

const text = (max: number) => z.string().trim().max(max);

export const metadataSchema = z
  .object(Object.fromEntries(MS_IND_FIELDS.map((f) => [f, text(4000).optional()])) as Record<
    MsIndField,
    z.ZodOptional<z.ZodString>
  >)
  .strict();

const tagsSchema = z
  .array(text(60).toLowerCase().min(1))
  .max(30)
  .transform((tags) => [...new Set(tags)]);

/** Fields a dataset's metadata form and API accept. */
export const datasetFieldsSchema = z.object({
  title: text(200).min(3, 'Judul minimal 3 karakter'),
  description: text(10000).default(''),
  topic: z.string().trim().min(1),
  tags: tagsSchema.default([]),
  frequency: z.enum(FREQUENCIES).default('tahunan'),
  license: text(60).min(1).default('CC-BY-4.0'),
  access_level: z.enum(ACCESS_LEVELS).default('terbuka'),
  prioritas: z.boolean().default(false),
  source: text(500).optional(),
  contact_name: text(200).optional(),
  contact_email: z.union([z.email(), z.literal('')]).optional(),
  methodology_note: text(10000).optional(),
  metadata: metadataSchema.default({}),
});
export type DatasetFields = z.output<typeof datasetFieldsSchema>;

export const slugSchema = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(120);
