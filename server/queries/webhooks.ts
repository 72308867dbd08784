import type { Knex } from 'knex';
import type { WebhookRow } from '../actions/webhooks';
import { NotFound } from '../errors';
import type { Actor } from '../policies/actor';
import { canManageWebhook } from '../policies/webhook';
import type { DeliveryLogRow } from '../presenters/webhook';

type Listed = WebhookRow & { organization: string | null; dataset: string | null };

const base = (db: Knex) =>
  db('webhooks as w')
    .leftJoin('organizations as o', 'o.id', 'w.organization_id')
    .leftJoin('datasets as d', 'd.id', 'w.dataset_id')
    .select('w.*', 'o.slug as organization', 'd.slug as dataset');

/** The webhooks the actor manages (the operator: all), newest first. */
export async function listWebhooks(db: Knex, actor: Actor): Promise<Listed[]> {
  const q = base(db).orderBy('w.id', 'desc');
  if (actor.role !== 'admin') q.where('w.owner_id', actor.id ?? -1);
  return q as Promise<Listed[]>;
}

/** One webhook the actor manages, else NotFound. */
export async function findWebhook(db: Knex, actor: Actor | null, id: number): Promise<Listed> {
  const hook = (await base(db).where('w.id', id).first()) as Listed | undefined;
  if (!hook || !canManageWebhook(actor, hook)) throw new NotFound('Webhook tidak ditemukan.', 'Webhook not found.');
  return hook;
}

/** A webhook's deliveries, newest first. */
export function deliveriesOf(db: Knex, webhookId: number, limit = 50): Promise<DeliveryLogRow[]> {
  return db('webhook_deliveries').where({ webhook_id: webhookId }).orderBy('id', 'desc').limit(limit) as Promise<DeliveryLogRow[]>;
}

/** The latest deliveries of each of these webhooks (at most `per` each), newest first. */
export async function recentDeliveries(db: Knex, webhookIds: number[], per = 10): Promise<Map<number, DeliveryLogRow[]>> {
  const out = new Map<number, DeliveryLogRow[]>(webhookIds.map((id) => [id, []]));
  if (!webhookIds.length) return out;
  const rows = (await db
    .select('x.*')
    .from(
      db('webhook_deliveries')
        .whereIn('webhook_id', webhookIds)
        .select('*', db.raw('row_number() OVER (PARTITION BY webhook_id ORDER BY id DESC) AS rn'))
        .as('x'),
    )
    .where('x.rn', '<=', per)
    .orderBy('x.id', 'desc')) as Array<DeliveryLogRow & { webhook_id: number }>;
  for (const r of rows) out.get(r.webhook_id)?.push(r);
  return out;
}
