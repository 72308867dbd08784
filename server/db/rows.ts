// The shapes of stored rows as the queries return them (knex gives no types of its own).
import type { Report } from '../ingest/report';
import type { QualityPart } from '../quality/score';
import type { AccessLevel, Frequency, StatisticsClass } from '../metadata';
import type { Role } from '../policies/actor';
import type { DatasetRecord, VersionRecord } from '../policies/records';

/** `pg` returns bigint and numeric columns as strings, timestamps as Dates. */
type Bigint = string | number;
type Timestamp = Date | string;

export interface OrganizationRow {
  id: number;
  /** Stable public identifier (CKAN `id`, DCAT). */
  uuid?: string;
  slug: string;
  name: string;
  short_name: string | null;
  kind: 'opd' | 'walidata' | 'pembina' | 'kabkota';
  description: string | null;
  contact_email: string | null;
  website: string | null;
  created_at?: Timestamp;
}

export interface TopicRow {
  id: number;
  uuid?: string;
  slug: string;
  name_id: string;
  name_en: string;
  description_id?: string | null;
  description_en?: string | null;
  position?: number;
}

/** A row of `users`: a person, or an OPD application's service account (`kind`). */
export interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  organization_id: number | null;
  password_hash: string;
  active: boolean;
  kind: 'person' | 'service';
  last_login_at: Timestamp | null;
  created_at: Timestamp;
}

/** A row of `datasets`. */
export interface DatasetRow extends DatasetRecord {
  /** Stable public identifier (CKAN package `id`, DCAT `dct:identifier`). */
  uuid: string;
  slug: string;
  title: string;
  description: string;
  title_en: string | null;
  description_en: string | null;
  topic_id: number | null;
  tags: string[];
  frequency: Frequency;
  license: string;
  access_level: AccessLevel;
  source: string | null;
  contact_name: string | null;
  contact_email: string | null;
  metadata: Record<string, string>;
  statistics_class: StatisticsClass;
  methodology_note: string | null;
  retracted_reason: string | null;
  download_count: Bigint;
  view_count: Bigint;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A dataset with its organization (`org_*`), topic (`topic_*`) and current version (`current_*`). */
export interface DatasetJoinedRow extends DatasetRow {
  org_slug: string;
  org_uuid: string;
  org_name: string;
  org_short_name: string | null;
  org_kind: OrganizationRow['kind'];
  topic_slug: string | null;
  topic_uuid: string | null;
  topic_name_id: string | null;
  topic_name_en: string | null;
  current_number: number | null;
  current_row_count: Bigint | null;
  current_published_at: Timestamp | null;
  /** The kept quality score of the current version (dataset_quality), if computed. */
  quality_score?: number | null;
  quality_parts?: QualityPart[] | null;
}

/** A row of `versions`. */
export interface VersionRow extends VersionRecord {
  /** Stable public identifier (CKAN resource `id`). */
  uuid: string;
  number: number;
  filename: string;
  media_type: string | null;
  raw_path: string;
  raw_sha256: string;
  raw_size: Bigint;
  encoding: string | null;
  dialect: Record<string, unknown> | null;
  options: Record<string, unknown>;
  table_name: string | null;
  row_count: Bigint | null;
  report: Report | null;
  progress: Record<string, unknown> | null;
  sample: string[][] | null;
  load_attempt: number;
  heartbeat_at: Timestamp | null;
  submitted_at: Timestamp | null;
  published_at: Timestamp | null;
  /** When a `scheduled` version goes public (kept once it has). */
  publish_at: Timestamp | null;
  scheduled_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Joined by the listing queries. */
  uploader_name?: string | null;
}

/** A row of `version_columns`: a column's MS-Var entry. */
export interface ColumnRow {
  id: number;
  version_id: number;
  position: number;
  name: string;
  label: string;
  type: 'integer' | 'number' | 'text' | 'date' | 'year' | 'boolean';
  unit: string | null;
  role: 'dimension' | 'measure' | 'time' | 'region';
  description: string | null;
  ref_scheme: 'bps' | 'kemendagri' | null;
  stats: Record<string, unknown> | null;
}
