import type { TFunction } from 'i18next';
import { pagination } from './pagination';

/** An audit event as the audit page lists it (queries/audit.ts). */
export interface AuditEventRow {
  action: string;
  target_type: string;
  target_id: string | null;
  details: Record<string, unknown> | null;
  version_number?: number | null;
}

/** The detail keys the page explains in words, in this order; the rest follow by name. */
const KNOWN = ['decision', 'stage', 'from', 'to', 'comment', 'reason', 'override', 'publish_at', 'fields', 'access', 'filename', 'size', 'title', 'name', 'year', 'organization', 'dataset', 'created', 'updated', 'refused', 'late', 'due', 'recipients', 'answer', 'kind', 'state', 'hidden', 'retracted', 'attempt', 'rows'];
const STATE_KEYS = new Set(['from', 'to', 'state']);

function valueText(key: string, v: unknown, t: TFunction, zone: string): string {
  if (v === null || v === undefined || v === '') return '–';
  if (STATE_KEYS.has(key) && typeof v === 'string') return t(`state.${v}`, { defaultValue: t(`requestState.${v}`, { defaultValue: v }) });
  if (key === 'decision' && typeof v === 'string') return t(`decision.${v}`, { defaultValue: v });
  if (key === 'stage' && typeof v === 'string') return t(`stage.${v}`, { defaultValue: v });
  if (key === 'publish_at' && typeof v === 'string') return new Date(v).toLocaleString(t('inbox.locale'), { dateStyle: 'medium', timeStyle: 'short', timeZone: zone });
  if (key === 'override' && typeof v === 'object') {
    const o = v as { reason?: string; failed?: string[] };
    return `${(o.failed ?? []).map((k) => t(`checklist.${k}`, { defaultValue: k })).join(', ')} — ${o.reason || t('auditText.noReason')}`;
  }
  if (key === 'access' && typeof v === 'object') {
    return Object.entries(v as Record<string, { from: unknown; to: unknown }>).map(([k, c]) => `${k}: ${String(c.from)} → ${String(c.to)}`).join('; ');
  }
  if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * An audit event in words: what happened ("Menyetujui versi 2"), and its details as labelled
 * lines instead of raw JSON (times in `zone`, the portal's). Unknown actions and keys still show,
 * by their codes.
 */
export function describeAudit(e: AuditEventRow, t: TFunction, zone: string) {
  const d = e.details ?? {};
  const vars = { version: e.version_number ?? e.target_id ?? '', target: e.target_id ?? '' };
  let key = `auditText.action.${e.action}`;
  // A review says which decision it was.
  if (e.action === 'version.review' && typeof d.decision === 'string') key = `auditText.review.${d.decision}`;
  if (e.action === 'version.review' && d.to === 'scheduled') key = 'auditText.review.scheduled';
  const sentence = t(key, { ...vars, defaultValue: e.action });
  const keys = [...KNOWN.filter((k) => k in d), ...Object.keys(d).filter((k) => !KNOWN.includes(k) && k !== 'problems' && k !== 'raw_path').sort()];
  const lines = keys.map((k) => ({ label: t(`auditText.key.${k}`, { defaultValue: k }), value: valueText(k, d[k], t, zone) }));
  return { sentence, lines };
}

/** The audit page: the events in words, the filters (and those set, for the pager's links), the actions to filter by, the pager. */
export function presentAuditPage<R extends AuditEventRow>(list: { rows: R[]; total: number }, actions: string[], f: { page: number } & Record<string, unknown>, opts: { t: TFunction; zone: string; perPage: number }) {
  return {
    events: list.rows.map((e) => ({ ...e, ...describeAudit(e, opts.t, opts.zone) })),
    filters: f,
    query: Object.fromEntries(Object.entries(f).filter(([, v]) => v !== '' && v !== undefined)),
    actions,
    total: list.total,
    pager: pagination(f.page, list.total, opts.perPage),
  };
}
