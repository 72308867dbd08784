import type { Knex } from 'knex';

// Webhooks (SPEC §5 `POST /api/v1/webhooks`): subscribers register a URL for the public
// catalog's events (the change feed's types), for everything or one organization or dataset.
// Each event becomes one delivery per subscriber (unique), signed with the subscriber's secret
// (kept sealed: it must be used, never shown again), retried with backoff, logged; a subscriber
// failing for a day is paused. `webhook_cursor` is where the dispatcher stands in the feed.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhooks', (t) => {
    t.increments('id');
    t.text('url').notNullable();
    t.specificType('events', 'text[]').notNullable();
    t.integer('organization_id').references('organizations.id').onDelete('CASCADE');
    t.integer('dataset_id').references('datasets.id').onDelete('CASCADE');
    t.text('secret_sealed').notNullable();
    t.integer('owner_id').notNullable().references('users.id');
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('failing_since', { useTz: true });
    t.timestamp('paused_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id');
    t.integer('webhook_id').notNullable().references('webhooks.id').onDelete('CASCADE');
    t.text('event_key').notNullable();
    t.jsonb('event').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('last_status');
    t.text('last_error');
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['webhook_id', 'event_key']);
  });
  await knex.raw("alter table webhook_deliveries add constraint webhook_deliveries_status check (status in ('pending', 'retrying', 'delivered', 'abandoned'))");
  await knex.raw("create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status in ('pending', 'retrying')");
  await knex.schema.createTable('webhook_cursor', (t) => {
    t.integer('id').primary();
    t.text('at').notNullable();
    t.text('key').notNullable();
  });
  await setNotificationKinds(knex, (kinds) => [...kinds, 'webhook_paused']);
}

async function setNotificationKinds(knex: Knex, change: (kinds: string[]) => string[]): Promise<void> {
  const { rows } = await knex.raw("select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'notifications_kind_check'");
  const kinds = [...String(rows[0]?.def ?? '').matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
  const next = [...new Set(change(kinds))];
  await knex.raw('alter table notifications drop constraint if exists notifications_kind_check');
  await knex.raw(`alter table notifications add constraint notifications_kind_check check (kind in (${next.map((k) => `'${k}'`).join(',')}))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex('notifications').where({ kind: 'webhook_paused' }).delete();
  await setNotificationKinds(knex, (kinds) => kinds.filter((k) => k !== 'webhook_paused'));
  await knex.schema.dropTable('webhook_cursor');
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.dropTable('webhooks');
}
