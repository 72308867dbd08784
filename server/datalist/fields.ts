import { z } from 'zod';
import { FREQUENCIES, STATISTICS_CLASSES } from '../metadata';

/** The fields of a data-list item, as forms, the import and the API give them. */
export const itemFieldsSchema = z.object({
  name: z.string().trim().min(3, 'Nama minimal 3 karakter').max(300),
  organization: z.string().trim().min(1).max(120),
  topic: z.string().trim().max(120).optional().transform((v) => v || undefined),
  frequency: z.enum(FREQUENCIES),
  prioritas: z.boolean().default(false),
  statistics_class: z.enum(STATISTICS_CLASSES).default('sektoral'),
  due_month: z.number().int().min(1).max(12).nullable().optional(),
  notes: z.string().trim().max(2000).optional(),
  dataset: z.string().trim().max(120).optional().transform((v) => v || undefined),
});
export type ItemFields = z.output<typeof itemFieldsSchema>;

export const yearSchema = z.coerce.number().int().min(2000).max(2100);
