import type { ColumnRow, VersionRow } from '../db/rows';
import type { Report } from '../ingest/report';
import type { ColumnOut } from './schemas/catalog';
import type { VersionOut, VersionSummaryOut } from './schemas/versions';

/** A column's dictionary entry (MS-Var). */
export function presentColumn(c: Pick<ColumnRow, 'name' | 'label' | 'type' | 'role'> & Partial<ColumnRow>): ColumnOut {
  return {
    name: c.name as string,
    label: c.label as string,
    type: c.type as ColumnOut['type'],
    role: c.role as ColumnOut['role'],
    unit: (c.unit ?? null) as string | null,
    description: (c.description ?? null) as string | null,
    ref_scheme: (c.ref_scheme ?? null) as string | null,
    stats: (c.stats ?? null) as Record<string, unknown> | null,
  };
}
export type ColumnView = ReturnType<typeof presentColumn>;

/** One entry of a dataset's version history. */
export function presentVersionSummary(v: VersionRow & { decisions?: unknown[] }, slug: string, base: string): VersionSummaryOut {
  const downloadable = v.state === 'published' || v.state === 'superseded';
  return {
    number: Number(v.number),
    state: v.state as VersionSummaryOut['state'],
    row_count: v.row_count == null ? null : Number(v.row_count),
    has_table: Boolean(v.table_name),
    created_at: v.created_at,
    submitted_at: v.submitted_at ?? null,
    published_at: v.published_at ?? null,
    uploaded_by: (v.uploader_name ?? null) as string | null,
    decisions: (v.decisions ?? []) as Array<{ stage: string; decision: string; at: string; by: string | null }>,
    download_url: downloadable ? `${base}/dataset/${slug}/download.csv?version=${v.number}` : null,
  };
}

const EMPTY_REPORT: Report = { errors: [], warnings: [], counts: { errors: {}, warnings: {} } };

/** A version in full: file facts, columns, report and progress. */
export function presentVersion(v: VersionRow, columns: ColumnRow[], slug: string, base: string): VersionOut {
  const report = (v.report ?? EMPTY_REPORT) as Report;
  return {
    ...presentVersionSummary(v, slug, base),
    dataset: slug,
    file: {
      name: v.filename as string,
      size: Number(v.raw_size),
      sha256: v.raw_sha256 as string,
      media_type: (v.media_type ?? null) as string | null,
      encoding: (v.encoding ?? null) as string | null,
      dialect: (v.dialect ?? null) as Record<string, unknown> | null,
    },
    options: (v.options ?? {}) as Record<string, unknown>,
    columns: columns.map(presentColumn),
    report,
    progress: v.state === 'processing' ? ((v.progress as VersionOut['progress']) ?? { phase: 'queued', bytes_done: 0, bytes_total: Number(v.raw_size), rows: 0 }) : null,
    // While a version is (re)loading, its earlier sample says nothing about the file as read now.
    sample: v.table_name || v.state === 'processing' ? null : ((v.sample ?? null) as string[][] | null),
    has_table: Boolean(v.table_name),
  };
}
export type VersionView = ReturnType<typeof presentVersion>;
