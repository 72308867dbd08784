import type { WebhookRow } from '../actions/webhooks';
import { iso } from './time';

/** A webhook as its owner sees it (the secret never: it was shown once, at creation). */
export function presentWebhook(h: WebhookRow & { organization?: string | null; dataset?: string | null }) {
  return {
    id: h.id,
    url: h.url,
    events: h.events,
    organization: h.organization ?? null,
    dataset: h.dataset ?? null,
    active: h.active,
    failing_since: iso(h.failing_since),
    paused_at: iso(h.paused_at),
    created_at: iso(h.created_at),
  };
}

export interface DeliveryLogRow {
  id: number | string;
  event: { type?: string; dataset?: { slug?: string } };
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: Date | string;
  delivered_at: Date | string | null;
  created_at: Date | string;
}

/** One delivery in the log. */
export function presentDelivery(d: DeliveryLogRow) {
  return {
    id: Number(d.id),
    event: d.event.type ?? null,
    dataset: d.event.dataset?.slug ?? null,
    status: d.status,
    attempts: d.attempts,
    last_status: d.last_status,
    last_error: d.last_error,
    next_attempt_at: d.status === 'retrying' || d.status === 'pending' ? iso(d.next_attempt_at) : null,
    delivered_at: iso(d.delivered_at),
    created_at: iso(d.created_at),
  };
}
