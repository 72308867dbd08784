import type { Knex } from 'knex';
import { quoteIdent, tableSql } from '../db/datastore';
import type { DatasetRow, VersionRow } from '../db/rows';
import { diffVersions, type VersionDiff } from '../queries/diff';
import { diffSide } from '../queries/version-diff';
import type { ChecklistItem } from './checklist';

/** Why a version was not published without a person (each has its text in locales `automation.reason.*`). */
export type AutoPublishReason = 'first_version' | 'columns_changed' | 'rows_changed' | 'nothing_added' | 'no_key' | 'no_period' | 'old_periods' | 'checklist';

/** What the automation concluded about one version, kept in its audit event. */
export interface AutoPublishVerdict {
  publish: boolean;
  reasons: AutoPublishReason[];
  /** The diff against the published version, without example rows (those stay on the diff page). */
  diff: { against: number | null; columns: VersionDiff['columns']; rows: { key: string[]; added: number; removed: number; changed: number } } | null;
  /** The time column the periods were read from, and the new periods the version adds. */
  period_column: string | null;
  new_periods: string[];
  /** Checklist items that fail. */
  failed_checks: string[];
}

/**
 * Decides whether version `v` may be published without a person (issue 12): against the current
 * published version, its diff adds rows and nothing else (no column added, removed or retyped, no
 * row removed or changed, by a unique key); every added row is of a period the published version
 * does not have (read from the time column); and the standard-data checklist passes.
 */
export async function judgeAutoPublish(tx: Knex.Transaction, ds: DatasetRow, v: VersionRow, checklist: ChecklistItem[]): Promise<AutoPublishVerdict> {
  const reasons: AutoPublishReason[] = [];
  const failed_checks = checklist.filter((c) => c.pass === false).map((c) => c.key);
  if (failed_checks.length) reasons.push('checklist');
  const verdict = (extra: Partial<AutoPublishVerdict> = {}): AutoPublishVerdict => ({ publish: reasons.length === 0, reasons, diff: null, period_column: null, new_periods: [], failed_checks, ...extra });
  const base = ds.current_version_id ? ((await tx('versions').where({ id: ds.current_version_id }).first()) as VersionRow | undefined) : undefined;
  if (!base?.table_name || !v.table_name) {
    reasons.push('first_version');
    return verdict();
  }
  const [a, b] = await Promise.all([diffSide(tx, base), diffSide(tx, v)]);
  const d = await diffVersions(tx, a, b, { examples: 0 });
  const diff = { against: d.against, columns: d.columns, rows: { key: d.rows.key, added: d.rows.added, removed: d.rows.removed, changed: d.rows.changed } };
  const { added, removed, retyped } = d.columns;
  if (added.length || removed.length || retyped.length) reasons.push('columns_changed');
  if (!d.rows.key_unique || d.rows.key.length === 0) reasons.push('no_key');
  if (d.rows.removed || d.rows.changed) reasons.push('rows_changed');
  if (d.rows.added === 0) reasons.push('nothing_added');
  const time = b.columns.find((c) => c.role === 'time') ?? b.columns.find((c) => c.type === 'year' || c.type === 'date');
  if (!time || !a.columns.some((c) => c.name === time.name)) {
    reasons.push('no_period');
    return verdict({ diff });
  }
  const col = quoteIdent(time.name);
  const ta = tableSql(base.table_name);
  const tb = tableSql(v.table_name);
  // Every row of the new version whose period the published version has must be one of the
  // published rows (so the added rows are all of new periods), and no row lacks a period.
  const { rows } = await tx.raw(
    `SELECT (SELECT count(*) FROM ${tb} b WHERE b.${col} IN (SELECT a.${col} FROM ${ta} a)) AS old_rows,
            (SELECT count(*) FROM ${tb} b WHERE b.${col} IS NULL) AS no_period,
            (SELECT count(*) FROM ${ta}) AS base_rows,
            (SELECT coalesce(json_agg(p ORDER BY p), '[]') FROM (SELECT DISTINCT b.${col}::text AS p FROM ${tb} b
               WHERE b.${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ta} a WHERE a.${col} = b.${col})) n) AS new_periods`,
  );
  const r = rows[0] as { old_rows: string; no_period: string; base_rows: string; new_periods: string[] };
  if (Number(r.old_rows) !== Number(r.base_rows) || Number(r.no_period) > 0) reasons.push('old_periods');
  return verdict({ diff, period_column: time.name, new_periods: r.new_periods.slice(0, 50) });
}
