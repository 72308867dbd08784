import type { ColumnRow, DatasetJoinedRow, VersionRow } from '../db/rows';
import { MS_IND_FIELDS } from '../metadata';

export type { DatasetJoinedRow };
import { presentOrganization, presentTopic } from './catalog';
import { presentColumn, presentVersionSummary } from './version';
import { presentQuality } from './quality';
import type { DatasetOut } from './schemas/catalog';
import type { DatasetDetailOut } from './schemas/versions';

/** Base URL of the site, for absolute links in API output. */
export function absolute(base: string, path: string): string {
  return `${base}${path}`;
}


function pickMetadata(m: Record<string, unknown> | null | undefined): DatasetOut['metadata'] {
  return Object.fromEntries(MS_IND_FIELDS.map((f) => [f, typeof m?.[f] === 'string' && m[f] !== '' ? (m[f] as string) : null])) as DatasetOut['metadata'];
}

/** A dataset as listed and returned by the API (allow-listed fields only). */
export function presentDataset(d: DatasetJoinedRow, opts: { base: string; lang: string }): DatasetOut {
  return {
    slug: d.slug as string,
    title: d.title as string,
    description: d.description as string,
    title_en: d.title_en || null,
    description_en: d.description_en || null,
    /** The title and description in the reader's language (Indonesian when no English is given). */
    display: {
      title: opts.lang === 'en' && d.title_en ? d.title_en : d.title,
      description: opts.lang === 'en' && d.description_en ? d.description_en : d.description,
    },
    organization: presentOrganization({
      slug: d.org_slug, name: d.org_name, short_name: d.org_short_name, kind: d.org_kind,
      description: null, contact_email: null, website: null,
    }),
    topic: d.topic_slug ? presentTopic({ slug: d.topic_slug, name_id: d.topic_name_id ?? '', name_en: d.topic_name_en ?? '' }, opts.lang) : null,
    tags: (d.tags ?? []) as string[],
    frequency: d.frequency as DatasetOut['frequency'],
    license: d.license as string,
    access_level: d.access_level as DatasetOut['access_level'],
    prioritas: Boolean(d.prioritas),
    source: (d.source ?? null) as string | null,
    contact: { name: (d.contact_name ?? null) as string | null, email: (d.contact_email ?? null) as string | null },
    metadata: pickMetadata(d.metadata),
    methodology_note: (d.methodology_note ?? null) as string | null,
    retracted: d.retracted_at ? { at: d.retracted_at, reason: d.retracted_reason as string } : null,
    current_version: d.current_number != null
      ? { number: Number(d.current_number), row_count: d.current_row_count == null ? null : Number(d.current_row_count), published_at: d.current_published_at }
      : null,
    download_count: Number(d.download_count ?? 0),
    view_count: Number(d.view_count ?? 0),
    statistics_class: (d.statistics_class ?? 'sektoral') as DatasetOut['statistics_class'],
    /** The quality score of the current version (0–100, with its parts), once it is published. */
    quality: d.quality_score != null && d.quality_parts ? presentQuality({ score: d.quality_score, parts: d.quality_parts }, opts.lang) : null,
    created_at: d.created_at,
    updated_at: d.updated_at,
    url: `${opts.base}/dataset/${d.slug}`,
    download_url: d.current_number != null ? `${opts.base}/dataset/${d.slug}/download.csv` : null,
  };
}
export type DatasetView = ReturnType<typeof presentDataset>;

/** The dataset with its columns and version history (detail view). */
export function presentDatasetDetail(
  d: DatasetJoinedRow,
  columns: ColumnRow[],
  versions: Array<VersionRow & { decisions?: unknown[] }>,
  opts: { base: string; lang: string },
): DatasetDetailOut {
  return {
    ...presentDataset(d, opts),
    columns: columns.map(presentColumn),
    versions: versions.map((v) => presentVersionSummary(v, d.slug, opts.base)),
  };
}
export type DatasetDetailView = ReturnType<typeof presentDatasetDetail>;
