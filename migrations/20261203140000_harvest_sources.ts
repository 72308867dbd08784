import type { Knex } from 'knex';

// Harvest sources (SPEC §5 `/api/v1/harvest-sources`): a kabupaten/kota portal's CKAN action API
// or DCAT catalog that the worker reads on a schedule. Each source files what it brings under one
// "harvested" organization (kind `kabkota`); each harvested dataset keeps its origin (remote
// identifier, landing page, modified date, the sha256 of the table last loaded from it, the
// resources kept as links). Every run is logged with its counts.

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table organizations drop constraint organizations_kind_check');
  await knex.raw("alter table organizations add constraint organizations_kind_check check (kind in ('opd','walidata','pembina','kabkota'))");

  await knex.schema.createTable('harvest_sources', (t) => {
    t.increments('id');
    t.text('kind').notNullable();
    t.text('url').notNullable();
    t.text('name').notNullable();
    t.boolean('review').notNullable().defaultTo(true);
    t.text('schedule').notNullable();
    t.integer('organization_id').notNullable().references('organizations.id');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.integer('owner_id').references('users.id').onDelete('SET NULL');
    t.timestamp('next_run_at', { useTz: true });
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['url']);
  });
  await knex.raw("alter table harvest_sources add constraint harvest_sources_kind check (kind in ('ckan', 'dcat'))");
  await knex.raw('create index harvest_sources_due on harvest_sources (next_run_at) where enabled');

  await knex.schema.createTable('harvest_runs', (t) => {
    t.bigIncrements('id');
    t.integer('source_id').notNullable().references('harvest_sources.id').onDelete('CASCADE');
    t.text('trigger').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.integer('duration_ms');
    t.text('result').notNullable().defaultTo('running');
    t.integer('seen').notNullable().defaultTo(0);
    t.integer('created').notNullable().defaultTo(0);
    t.integer('updated').notNullable().defaultTo(0);
    t.integer('unchanged').notNullable().defaultTo(0);
    t.integer('retracted').notNullable().defaultTo(0);
    t.integer('failed').notNullable().defaultTo(0);
    t.text('error');
    t.text('error_en');
    t.jsonb('problems').notNullable().defaultTo('[]');
  });
  await knex.raw("alter table harvest_runs add constraint harvest_runs_result check (result in ('running', 'ok', 'partial', 'failed'))");
  await knex.raw('create index harvest_runs_by_source on harvest_runs (source_id, started_at desc)');

  await knex.schema.createTable('dataset_harvests', (t) => {
    t.integer('dataset_id').primary().references('datasets.id').onDelete('CASCADE');
    t.integer('source_id').notNullable().references('harvest_sources.id').onDelete('CASCADE');
    t.text('remote_id').notNullable();
    t.text('remote_name');
    t.text('remote_url');
    t.timestamp('remote_modified', { useTz: true });
    t.text('resource_url');
    t.text('resource_sha256');
    t.jsonb('links').notNullable().defaultTo('[]');
    t.timestamp('harvested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('gone_at', { useTz: true });
    t.unique(['source_id', 'remote_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('dataset_harvests');
  await knex.schema.dropTable('harvest_runs');
  await knex.schema.dropTable('harvest_sources');
  await knex.raw('alter table organizations drop constraint organizations_kind_check');
  await knex.raw("alter table organizations add constraint organizations_kind_check check (kind in ('opd','walidata','pembina'))");
}
