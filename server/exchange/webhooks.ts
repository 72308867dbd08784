import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { notify } from '../actions/notify';
import type { WebhookRow } from '../actions/webhooks';
import { log } from '../log';
import { listChanges, type ChangeRow } from '../queries/changes';
import type { Services } from '../services';
import { FetchRefused, safeFetch } from './safe-fetch';
import { unseal } from './seal';

// Webhook dispatch. The public change feed (the same query as /api/v1/changes, so nothing a
// harvester may not see is ever sent) is read forward from a cursor; each event becomes one
// delivery per matching subscriber. Deliveries are POSTed signed
// (`X-SatuData-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`), retried with backoff, and
// logged; a subscriber that has failed for a day is paused and its owner told.

/** Events younger than this are left for the next sweep: a transaction that began earlier may still commit one before them. */
const SETTLE_MS = 10_000;
/** Waits before the 1st, 2nd, … retry; the last repeats until the subscriber is paused. */
export const RETRY_DELAYS_S = [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600];
/** A subscriber failing this long without one success is paused. */
export const PAUSE_AFTER_MS = 24 * 3600_000;
const DELIVERY_TIMEOUT_MS = 10_000;

/** The signature header of a body at unix time `t`. */
export function signature(body: string, secret: string, t: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${mac}`;
}

function publicBase(services: Services): string {
  return services.config.publicUrl ?? `http://localhost:${services.config.port}`;
}

function eventOf(services: Services, c: ChangeRow, title: string | null) {
  const base = publicBase(services);
  return {
    id: c.key,
    type: c.type,
    at: c.at,
    dataset: { slug: c.slug, title, url: `${base}/dataset/${c.slug}`, api: `${base}/api/v1/datasets/${c.slug}` },
    ...(c.version ? { version: c.version } : {}),
  };
}

/** Turns new events of the change feed into deliveries; returns how many deliveries were made. */
export async function enqueueWebhookEvents(services: Services, settleMs = SETTLE_MS): Promise<number> {
  return services.db.transaction(async (tx) => {
    // One dispatcher at a time, whatever the number of workers: the cursor row is the lock.
    let cursor = await tx('webhook_cursor').where({ id: 1 }).forUpdate().first();
    if (!cursor) {
      // First start: begin now, not with the whole history of the catalog.
      await tx('webhook_cursor').insert({ id: 1, at: new Date(Date.now() - settleMs).toISOString(), key: '' }).onConflict('id').ignore();
      cursor = await tx('webhook_cursor').where({ id: 1 }).forUpdate().first();
    }
    const settled = Date.now() - settleMs;
    const changes = (await listChanges(tx as unknown as Knex, { at: cursor.at, key: cursor.key }, 500)).filter((c) => Date.parse(c.at) <= settled);
    if (!changes.length) return 0;
    const hooks = (await tx('webhooks').where({ active: true })) as WebhookRow[];
    const datasets = new Map<string, { id: number; organization_id: number; title: string }>(
      (await tx('datasets').whereIn('slug', [...new Set(changes.map((c) => c.slug))]).select('slug', 'id', 'organization_id', 'title')).map((d) => [d.slug, d]),
    );
    let made = 0;
    for (const c of changes) {
      const ds = datasets.get(c.slug);
      const rows = hooks
        .filter((h) => h.events.includes(c.type))
        .filter((h) => (h.dataset_id === null || h.dataset_id === ds?.id) && (h.organization_id === null || h.organization_id === ds?.organization_id))
        .map((h) => ({ webhook_id: h.id, event_key: c.key + ':' + c.type, event: JSON.stringify(eventOf(services, c, ds?.title ?? null)) }));
      if (rows.length) {
        const inserted = await tx('webhook_deliveries').insert(rows).onConflict(['webhook_id', 'event_key']).ignore().returning('id');
        made += inserted.length;
      }
    }
    const last = changes[changes.length - 1];
    await tx('webhook_cursor').where({ id: 1 }).update({ at: last.at, key: last.key });
    return made;
  });
}

interface DeliveryRow {
  id: number;
  webhook_id: number;
  event_key: string;
  event: Record<string, unknown>;
  attempts: number;
}

/** Sends one delivery; true on a 2xx answer. Records the attempt either way. */
async function send(services: Services, d: DeliveryRow, hook: WebhookRow): Promise<boolean> {
  const body = JSON.stringify(d.event);
  let status: number | null = null;
  let error: string | null = null;
  try {
    const secret = unseal<string>(hook.secret_sealed, services.config.sessionSecret);
    const res = await safeFetch(hook.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-satudata-event': String(d.event.type),
        'x-satudata-delivery': String(d.id),
        'x-satudata-signature': signature(body, secret, Math.floor(Date.now() / 1000)),
      },
      allowHosts: services.config.fetchAllowHosts,
      timeoutMs: DELIVERY_TIMEOUT_MS,
      maxRedirects: 0,
    });
    res.body.resume();
    status = res.status;
    if (status < 200 || status >= 300) error = `HTTP ${status}`;
  } catch (err) {
    error = err instanceof FetchRefused ? err.en : (err as Error).message;
  }
  const ok = error === null;
  const attempts = d.attempts + 1;
  const db = services.db;
  if (ok) {
    await db('webhook_deliveries').where({ id: d.id }).update({ status: 'delivered', attempts, last_status: status, last_error: null, delivered_at: db.fn.now() });
    await db('webhooks').where({ id: hook.id }).update({ failing_since: null });
    return true;
  }
  const delay = RETRY_DELAYS_S[Math.min(attempts - 1, RETRY_DELAYS_S.length - 1)];
  await db('webhook_deliveries')
    .where({ id: d.id })
    .update({ status: 'retrying', attempts, last_status: status, last_error: error?.slice(0, 1000), next_attempt_at: new Date(Date.now() + delay * 1000) });
  await db('webhooks').where({ id: hook.id }).whereNull('failing_since').update({ failing_since: db.fn.now() });
  await pauseIfFailingTooLong(services, hook.id);
  return false;
}

async function pauseIfFailingTooLong(services: Services, hookId: number): Promise<void> {
  await services.db.transaction(async (tx) => {
    const [paused] = await tx('webhooks')
      .where({ id: hookId, active: true })
      .whereRaw('failing_since <= now() - make_interval(secs => ?)', [PAUSE_AFTER_MS / 1000])
      .update({ active: false, paused_at: tx.fn.now() })
      .returning('*');
    if (!paused) return;
    await tx('webhook_deliveries').where({ webhook_id: hookId }).whereIn('status', ['pending', 'retrying']).update({ status: 'abandoned' });
    await notify(tx, { kind: 'webhook_paused', recipients: [paused.owner_id], actorId: null, details: { url: paused.url, webhook_id: paused.id } });
    log.warn({ webhookId: hookId }, 'webhook paused after a day of failures');
  });
}

/** Claims and sends every due delivery; returns how many were delivered. */
export async function deliverDueWebhooks(services: Services): Promise<number> {
  let delivered = 0;
  for (;;) {
    const claimed = await services.db.transaction(async (tx) => {
      const rows = (await tx('webhook_deliveries as wd')
        .join('webhooks as w', 'w.id', 'wd.webhook_id')
        .where('w.active', true)
        .whereIn('wd.status', ['pending', 'retrying'])
        .whereRaw('wd.next_attempt_at <= now()')
        .orderBy('wd.id')
        .limit(20)
        .forUpdate('wd')
        .skipLocked()
        .select('wd.id', 'wd.webhook_id', 'wd.event_key', 'wd.event', 'wd.attempts')) as DeliveryRow[];
      // A lease: another worker leaves these alone while this one sends them.
      if (rows.length) await tx('webhook_deliveries').whereIn('id', rows.map((r) => r.id)).update({ next_attempt_at: new Date(Date.now() + 5 * 60_000) });
      return rows;
    });
    if (!claimed.length) return delivered;
    const hooks = new Map<number, WebhookRow>(((await services.db('webhooks').whereIn('id', [...new Set(claimed.map((d) => d.webhook_id))])) as WebhookRow[]).map((h) => [h.id, h]));
    for (const d of claimed) {
      const hook = hooks.get(d.webhook_id);
      if (hook && (await send(services, d, hook))) delivered++;
    }
  }
}

/** One sweep of the dispatcher: new events to deliveries, then due deliveries out. */
export async function sweepWebhooks(services: Services): Promise<void> {
  await enqueueWebhookEvents(services);
  await deliverDueWebhooks(services);
}
