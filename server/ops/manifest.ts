// What a backup archive says about itself. Restoring reads it as untrusted input: every name
// that ends up in SQL is checked here (and quoted there), every part is named with its digest.
import { z } from 'zod';
import { SQL_TYPES } from '../db/datastore';

export const FORMAT = 'satudata-backup';
export const FORMAT_VERSION = 1;
export const MANIFEST_ENTRY = 'manifest.json';

/** Names the loader generates for data tables, their columns and indexes. */
const safeName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/);
/** Column names of the portal's own tables (they are checked against the restored schema too). */
const columnName = z.string().min(1).max(63);
const digest = z.object({ size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

const sequenceValue = z.object({ column: columnName, last_value: z.string().regex(/^-?[0-9]{1,19}$/) });

/** A data table's shape, enough to create it again as the loader made it. */
const dataTableDefinition = z.object({
  columns: z.array(
    z.object({
      name: safeName,
      type: z.enum(Object.values(SQL_TYPES) as [string, ...string[]]),
      not_null: z.boolean(),
      identity: z.enum(['', 'a', 'd']),
    }),
  ),
  indexes: z.array(z.object({ name: safeName, columns: z.array(safeName).min(1), unique: z.boolean(), method: z.enum(['btree', 'hash', 'brin', 'gin']) })),
});

const table = z.object({
  schema: z.enum(['public', 'datastore']),
  name: safeName,
  /** The columns copied, in the order of the data parts. */
  columns: z.array(columnName).min(1),
  rows: z.number().int().nonnegative(),
  /** Entries holding the rows (COPY text format), in order. */
  parts: z.array(z.string()),
  /** Sequences owned by columns of the table (serial and identity), by their last value. */
  sequences: z.array(sequenceValue),
  definition: dataTableDefinition.optional(),
});

const storedFile = z.object({ key: z.string().regex(/^[a-z]+\/[A-Za-z0-9._/-]+$/).refine((k) => !k.split('/').some((p) => p === '..' || p === '.' || p === '')), size: z.number().int().nonnegative(), sha256: digest.shape.sha256, part: z.string() });

export const manifestSchema = z.object({
  format: z.literal(FORMAT),
  format_version: z.literal(FORMAT_VERSION),
  created_at: z.string(),
  portal_version: z.string(),
  source: z.object({ server_version: z.string(), database: z.string() }),
  /** The migrations the source database had run, in order. */
  migrations: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/)),
  tables: z.array(table),
  files: z.array(storedFile),
  /** Every entry but the manifest, with its size and sha256. */
  parts: z.record(z.string(), digest),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  /** Raw files versions name that storage did not hold when the backup was made. */
  missing_files: z.array(z.string()),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestTable = Manifest['tables'][number];
export type DataTableDefinition = z.infer<typeof dataTableDefinition>;

/** The entry name of a table's n-th data part. */
export function tablePartName(schema: string, name: string, n: number): string {
  return `db/${schema}.${name}/${String(n).padStart(6, '0')}`;
}

/** The entry name of a stored file. */
export function filePartName(key: string): string {
  return `files/${key}`;
}
