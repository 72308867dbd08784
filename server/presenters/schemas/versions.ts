import { z } from 'zod';
import { VERSION_STATES } from '../../policies/records';
import { PROBLEMS, type ProblemCode } from '../../ingest/problems';
import { doc, named, timestamp } from './base';
import { columnSchema, datasetSchema } from './catalog';

// A dataset's versions: the history, one version in full with its file and validation report,
// and how a version differs from the one before.

export const versionSummarySchema = named(
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

export const datasetDetailSchema = named(
  'DatasetDetail',
  datasetSchema.extend({ columns: z.array(columnSchema), versions: z.array(versionSummarySchema) }),
  'Dataset dengan kolom versi terbit dan riwayat versinya.',
  'A dataset with the columns of its published version and its version history.',
);

export const problemSchema = named(
  'Problem',
  z.object({ code: z.enum(Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]]), message: z.string(), message_en: z.string(), line: z.number().int().optional(), column: z.string().optional(), value: z.string().optional() }),
  'Satu masalah dalam berkas (baris fisik, kolom, nilai).',
  'One problem in a file (physical line, column, value).',
);

export const versionSchema = named(
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

export const diffSchema = named(
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

export type DatasetDetailOut = z.input<typeof datasetDetailSchema>;
export type VersionSummaryOut = z.input<typeof versionSummarySchema>;
export type VersionOut = z.input<typeof versionSchema>;
