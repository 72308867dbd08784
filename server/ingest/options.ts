import { z } from 'zod';
import { COLUMN_ROLES, COLUMN_TYPES } from '../db/datastore';

export const ENCODINGS = ['utf-8', 'windows-1252', 'iso-8859-1', 'utf-16le', 'utf-16be'] as const;
export type Encoding = (typeof ENCODINGS)[number];
export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

const delimiterSchema = z
  .string()
  .transform((d) => (d === 'tab' || d === '\\t' ? '\t' : d))
  .pipe(z.enum(DELIMITERS));

/** Per-column choices the producer can make in the preview. */
export const columnOverrideSchema = z.object({
  type: z.enum(COLUMN_TYPES).optional(),
  role: z.enum(COLUMN_ROLES).optional(),
  unit: z.string().trim().max(100).optional(),
  description: z.string().trim().max(2000).optional(),
  ref_scheme: z.enum(['bps', 'kemendagri']).nullable().optional(),
});
export type ColumnOverride = z.output<typeof columnOverrideSchema>;

/** How to read a file; every field is detected when not given. */
export const loadOptionsSchema = z.object({
  encoding: z.enum(ENCODINGS).optional(),
  delimiter: delimiterSchema.optional(),
  decimal: z.enum(['.', ',']).optional(),
  /** Overrides keyed by the column's generated name. */
  columns: z.record(z.string(), columnOverrideSchema).optional(),
  /** XLSX: the sheet to read (name or 1-based number); the first by default. */
  sheet: z.union([z.string().min(1), z.number().int().positive()]).optional(),
  /** Reshape a wide table (one column per year) to long form. */
  reshape: z
    .object({
      var_name: z.string().default('tahun'),
      value_name: z.string().default('nilai'),
    })
    .nullable()
    .optional(),
});
export type LoadOptions = z.output<typeof loadOptionsSchema>;
