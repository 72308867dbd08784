/** The fields of stored records that policies look at. */
export interface DatasetRecord {
  id: number;
  organization_id: number;
  access_level: 'terbuka' | 'terbatas' | 'tertutup';
  prioritas: boolean;
  current_version_id: number | null;
  retracted_at: Date | string | null;
  /** Some version reached the pembina's check (see queries/stage.ts); absent counts as no. */
  pembina_stage?: boolean;
  /** Automation (issue 12): a clean load is submitted / a version adding only new periods is published. */
  auto_submit?: boolean;
  auto_publish?: boolean;
}

export interface VersionRecord {
  id: number;
  dataset_id: number;
  state: VersionState;
  uploaded_by: number | null;
  submitted_by: number | null;
  /** This version reached the pembina's check (see queries/stage.ts); absent counts as no. */
  pembina_stage?: boolean;
}

export const VERSION_STATES = [
  'processing', 'failed', 'draft', 'submitted', 'changes_requested', 'verified', 'scheduled', 'published', 'superseded', 'rejected',
] as const;
export type VersionState = (typeof VERSION_STATES)[number];

export interface OrganizationRecord {
  id: number;
  kind: 'opd' | 'walidata' | 'pembina' | 'kabkota';
}
