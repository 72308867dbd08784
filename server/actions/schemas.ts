import { z } from 'zod';
import { ACCESS_LEVELS, FREQUENCIES, MS_IND_FIELDS, type MsIndField } from '../metadata';

export { ACCESS_LEVELS, FREQUENCIES, MS_IND_FIELDS, REQUIRED_MS_IND, type MsIndField } from '../metadata';

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
