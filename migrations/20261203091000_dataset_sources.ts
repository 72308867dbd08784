import type { Knex } from 'knex';

// Pulled sources (SPEC §5 `PUT /api/v1/datasets/:slug/source`): a dataset may name a URL to a
// CSV/XLSX file or a JSON API the worker fetches on a schedule; only a change makes a version,
// which then goes through review like any upload. Every run is logged. API headers (keys) are
// kept encrypted (`headers_sealed`), never shown again.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dataset_sources', (t) => {
    t.increments('id');
    t.integer('dataset_id').notNullable().unique().references('datasets.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('url').notNullable();
    t.text('schedule').notNullable();
    t.text('records_path');
    t.jsonb('fields');
    t.text('headers_sealed');
    t.specificType('header_names', 'text[]').notNullable().defaultTo('{}');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.integer('owner_id').notNullable().references('users.id');
    t.timestamp('next_run_at', { useTz: true });
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw("alter table dataset_sources add constraint dataset_sources_kind check (kind in ('url', 'json_api'))");
  await knex.raw('create index dataset_sources_due on dataset_sources (next_run_at) where enabled');
  await knex.schema.createTable('source_runs', (t) => {
    t.bigIncrements('id');
    t.integer('source_id').notNullable().references('dataset_sources.id').onDelete('CASCADE');
    t.text('trigger').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.integer('duration_ms');
    t.bigInteger('bytes');
    t.integer('http_status');
    t.text('result').notNullable().defaultTo('running');
    t.text('error');
    t.text('error_en');
    t.text('sha256');
    t.text('response_key');
    t.integer('version_id').references('versions.id').onDelete('SET NULL');
  });
  await knex.raw("alter table source_runs add constraint source_runs_result check (result in ('running', 'new_version', 'unchanged', 'failed'))");
  await knex.raw('create index source_runs_by_source on source_runs (source_id, started_at desc)');
  await setNotificationKinds(knex, (kinds) => [...kinds, 'source_failed']);
}

/** Rewrites the notification kinds' check from the constraint as it stands (other migrations add kinds too). */
async function setNotificationKinds(knex: Knex, change: (kinds: string[]) => string[]): Promise<void> {
  const { rows } = await knex.raw("select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'notifications_kind_check'");
  const kinds = [...String(rows[0]?.def ?? '').matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
  const next = [...new Set(change(kinds))];
  await knex.raw('alter table notifications drop constraint if exists notifications_kind_check');
  await knex.raw(`alter table notifications add constraint notifications_kind_check check (kind in (${next.map((k) => `'${k}'`).join(',')}))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex('notifications').where({ kind: 'source_failed' }).delete();
  await setNotificationKinds(knex, (kinds) => kinds.filter((k) => k !== 'source_failed'));
  await knex.schema.dropTable('source_runs');
  await knex.schema.dropTable('dataset_sources');
}
