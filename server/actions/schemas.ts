import { z } from 'zod';
import { ACCESS_LEVELS, FREQUENCIES, MS_IND_FIELDS, STATISTICS_CLASSES, type MsIndField } from '../metadata';

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

// The fields of a dataset's metadata, without defaults (see the two schemas below).
const datasetFieldShape = {
  title: text(200).min(3, 'Judul minimal 3 karakter'),
  description: text(10000),
  title_en: text(200).optional(),
  description_en: text(10000).optional(),
  topic: z.string().trim().min(1),
  tags: tagsSchema,
  frequency: z.enum(FREQUENCIES),
  license: text(60).min(1),
  access_level: z.enum(ACCESS_LEVELS),
  prioritas: z.boolean(),
  statistics_class: z.enum(STATISTICS_CLASSES),
  source: text(500).optional(),
  contact_name: text(200).optional(),
  contact_email: z.union([z.email(), z.literal('')]).optional(),
  methodology_note: text(10000).optional(),
  metadata: metadataSchema,
};

/** Fields a new dataset's form and API accept, with the defaults of a new dataset. */
export const datasetFieldsSchema = z.object({
  ...datasetFieldShape,
  description: datasetFieldShape.description.default(''),
  tags: datasetFieldShape.tags.default([]),
  frequency: datasetFieldShape.frequency.default('tahunan'),
  license: datasetFieldShape.license.default('CC-BY-4.0'),
  access_level: datasetFieldShape.access_level.default('terbuka'),
  prioritas: datasetFieldShape.prioritas.default(false),
  statistics_class: datasetFieldShape.statistics_class.default('sektoral'),
  metadata: datasetFieldShape.metadata.default({}),
});
export type DatasetFields = z.output<typeof datasetFieldsSchema>;

/**
 * The same fields for a change: every one optional and none defaulted, so a field a PATCH leaves
 * out keeps its stored value (a `.partial()` of the schema above would reset it to its default).
 */
export const datasetChangesSchema = z.object(datasetFieldShape).partial();

export const slugSchema = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(120);

/** An http(s) URL another system is fetched from (pulled sources, harvest sources). */
export const httpUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'only http(s) URLs');
