import type { TFunction } from 'i18next';
import { zoneLabel } from '../manage/calendar';

/** A notification as the inbox shows it: one sentence, a link, read or not. */
/** A notification row joined with its dataset, version and actor. */
export interface NotificationJoinedRow {
  id: number | string;
  kind: string;
  details: Record<string, unknown> | null;
  read_at: Date | string | null;
  created_at: Date | string;
  slug?: string | null;
  title?: string | null;
  number?: number | null;
  actor_name?: string | null;
  actor_role?: string | null;
}

/** `timeZone`: the portal's (config TIME_ZONE), in which times are shown and named. */
export function presentNotification(n: NotificationJoinedRow, t: TFunction, opts: { timeZone: string; lang: string }) {
  const d = (n.details ?? {}) as { title?: string; number?: number; decision?: string; retracted?: boolean; reason?: string; comment?: string; publish_at?: string; request_id?: number; state?: string; year?: number; late?: number; due?: number };
  const vars = { title: n.title ?? d.title, number: n.number ?? d.number, actor: n.actor_name ?? t('inbox.someone') };
  let text: string;
  let href = n.slug ? `/dashboard/datasets/${n.slug}${n.number ? `/versions/${n.number}` : ''}` : '/dashboard';
  switch (n.kind) {
    case 'submitted':
      text = t('inbox.submitted', vars);
      href = `/review/${n.slug}/${n.number}`;
      break;
    case 'verified':
      text = t('inbox.verified', vars);
      href = `/review/${n.slug}/${n.number}`;
      break;
    case 'decision':
      text = t(`inbox.decision.${d.decision}`, vars);
      break;
    case 'comment':
      text = t('inbox.comment', vars);
      if (n.actor_role === 'produsen') href = `/review/${n.slug}/${n.number}#komentar`;
      else href += '#komentar';
      break;
    case 'retracted':
      text = t(d.retracted ? 'inbox.retracted' : 'inbox.restored', { ...vars, reason: d.reason ?? '' });
      href = `/dataset/${n.slug}`;
      break;
    case 'scheduled':
      text = t('inbox.scheduled', { ...vars, at: d.publish_at ? new Date(d.publish_at).toLocaleString(t('inbox.locale'), { dateStyle: 'medium', timeStyle: 'short', timeZone: opts.timeZone }) : '', zone: zoneLabel(opts.timeZone, opts.lang) });
      break;
    case 'released':
      text = t('inbox.released', vars);
      href = `/dataset/${n.slug}`;
      break;
    case 'reminder':
      text = t('inbox.reminder', { ...vars, year: d.year, late: d.late ?? 0, due: d.due ?? 0 });
      href = `/manage/daftar-data?tahun=${d.year ?? ''}`;
      break;
    case 'request':
      text = t('inbox.request', { ...vars, title: d.title });
      href = `/manage/permintaan/${d.request_id}`;
      break;
    case 'request_answered':
      text = t('inbox.requestAnswered', { ...vars, title: d.title, state: t(`requestState.${d.state}`) });
      href = `/manage/permintaan/${d.request_id}`;
      break;
    case 'source_failed':
      text = t('inbox.sourceFailed', { ...vars, failures: (n.details as { failures?: number } | null)?.failures ?? 3 });
      href = `/dashboard/datasets/${n.slug}#sumber`;
      break;
    case 'webhook_paused':
      text = t('inbox.webhookPaused', { url: (n.details as { url?: string } | null)?.url ?? '' });
      href = '/dashboard/webhooks';
      break;
    default:
      text = String(n.kind);
  }
  return { id: Number(n.id), text, comment: (d.comment ?? null) as string | null, href, unread: !n.read_at, at: n.created_at };
}
