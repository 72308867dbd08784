import type { Knex } from 'knex';

// Service accounts (issue 12 "Push"): an OPD application's account is a `users` row of kind
// `service` — so its versions, tokens and audit events point at a user like everyone's — scoped
// to one OPD (its organization) and to the datasets listed in `service_account_datasets`. It has
// no usable password: sign-in, sessions and reset links are for people only.
// Automation per dataset: `auto_submit` sends a clean load to the walidata's queue; `auto_publish`
// publishes a version that only adds rows of new periods. Never both prioritas and auto_publish.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('kind').notNullable().defaultTo('person');
    t.check("kind IN ('person','service')", [], 'users_kind_check');
  });
  // A service account acts for one OPD, as a producer does.
  await knex.raw("ALTER TABLE users ADD CONSTRAINT users_service_role_check CHECK (kind = 'person' OR (role = 'produsen' AND organization_id IS NOT NULL))");
  await knex.schema.createTable('service_account_datasets', (t) => {
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.integer('dataset_id').notNullable().references('datasets.id').onDelete('CASCADE');
    t.primary(['user_id', 'dataset_id']);
  });
  await knex.raw('CREATE INDEX service_account_datasets_dataset_idx ON service_account_datasets (dataset_id)');
  await knex.schema.alterTable('datasets', (t) => {
    t.boolean('auto_submit').notNullable().defaultTo(false);
    t.boolean('auto_publish').notNullable().defaultTo(false);
  });
  await knex.raw('ALTER TABLE datasets ADD CONSTRAINT datasets_auto_publish_prioritas_check CHECK (NOT (auto_publish AND prioritas))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE datasets DROP CONSTRAINT IF EXISTS datasets_auto_publish_prioritas_check');
  await knex.schema.alterTable('datasets', (t) => {
    t.dropColumn('auto_submit');
    t.dropColumn('auto_publish');
  });
  await knex.schema.dropTableIfExists('service_account_datasets');
  await knex.raw('ALTER TABLE users DROP CONSTRAINT IF EXISTS users_service_role_check');
  await knex.schema.alterTable('users', (t) => {
    t.dropChecks(['users_kind_check']);
    t.dropColumn('kind');
  });
}
