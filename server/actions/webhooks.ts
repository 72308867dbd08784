import crypto from 'node:crypto';
import { z } from 'zod';
import { Invalid, NotFound } from '../errors';
import { canCreateWebhook, canManageWebhook } from '../policies/webhook';
import { seal } from '../exchange/seal';
import type { ChangeType } from '../queries/changes';
import { defineAction } from './action';
import { slugSchema } from './schemas';

export const WEBHOOK_EVENTS = ['published', 'version_published', 'metadata_changed', 'retracted'] as const satisfies readonly ChangeType[];

export interface WebhookRow {
  id: number;
  url: string;
  events: string[];
  organization_id: number | null;
  dataset_id: number | null;
  secret_sealed: string;
  owner_id: number;
  active: boolean;
  failing_since: Date | null;
  paused_at: Date | null;
  created_at: Date;
}

const notFound = () => new NotFound('Webhook tidak ditemukan.', 'Webhook not found.');

/** Register a URL for events; answers the secret once (it signs every delivery). */
export const createWebhook = defineAction({
  name: 'webhook.create',
  input: z.object({
    url: z.string().trim().max(2000).url().refine((u) => /^https?:\/\//i.test(u), 'only http(s) URLs'),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
    organization: slugSchema.optional(),
    dataset: slugSchema.optional(),
  }),
  async load(tx, input) {
    if (input.organization && input.dataset) {
      throw new Invalid('Pilih organisasi atau dataset, bukan keduanya.', 'Choose an organization or a dataset, not both.');
    }
    // Only what the public may see can be named (a hidden dataset is "not found" to everyone here).
    const org = input.organization ? await tx('organizations').where({ slug: input.organization }).first('id') : null;
    if (input.organization && !org) throw new NotFound(`Organisasi ${input.organization} tidak ditemukan.`, `Organization ${input.organization} not found.`);
    const ds = input.dataset ? await tx('datasets').where({ slug: input.dataset }).first('id', 'organization_id') : null;
    if (input.dataset && !ds) throw new NotFound(`Dataset ${input.dataset} tidak ditemukan.`, `Dataset ${input.dataset} not found.`);
    return { organizationId: (org?.id as number | undefined) ?? null, datasetId: (ds?.id as number | undefined) ?? null, datasetOrganizationId: (ds?.organization_id as number | undefined) ?? null };
  },
  authorize: (actor, scope) => canCreateWebhook(actor, scope),
  async run(ctx, actor, scope, input) {
    const secret = `whsec_${crypto.randomBytes(24).toString('base64url')}`;
    const [hook] = await ctx.tx('webhooks')
      .insert({
        url: input.url,
        events: [...new Set(input.events)],
        organization_id: scope.organizationId,
        dataset_id: scope.datasetId,
        secret_sealed: seal(secret, ctx.config.sessionSecret),
        owner_id: actor.id,
      })
      .returning('*');
    return {
      result: { ...(hook as WebhookRow), secret },
      audit: { targetType: 'webhook', targetId: String(hook.id), datasetId: scope.datasetId, organizationId: scope.organizationId ?? scope.datasetOrganizationId, details: { url: input.url, events: hook.events } },
    };
  },
});

/** Remove a webhook (its deliveries go with it). */
export const deleteWebhook = defineAction({
  name: 'webhook.delete',
  input: z.object({ id: z.coerce.number().int().positive() }),
  async load(tx, input) {
    const hook = (await tx('webhooks').where({ id: input.id }).forUpdate().first()) as WebhookRow | undefined;
    if (!hook) throw notFound();
    return hook;
  },
  authorize: (actor, hook) => (canManageWebhook(actor, hook) ? true : notFound()),
  async run({ tx }, _actor, hook) {
    await tx('webhooks').where({ id: hook.id }).delete();
    return { result: hook, audit: { targetType: 'webhook', targetId: String(hook.id), datasetId: hook.dataset_id, organizationId: hook.organization_id, details: { url: hook.url } } };
  },
});
