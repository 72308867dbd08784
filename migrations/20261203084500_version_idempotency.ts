import type { Knex } from 'knex';

// A pushing application (an OPD system through the service bus) retries when it does not hear
// back; the `Idempotency-Key` it sends with a version upload is kept so a retry finds the version
// the first attempt made instead of making a second one (SPEC §5).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('versions', (t) => {
    t.text('idempotency_key');
  });
  await knex.raw('create unique index versions_idempotency_key on versions (dataset_id, idempotency_key) where idempotency_key is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists versions_idempotency_key');
  await knex.schema.alterTable('versions', (t) => {
    t.dropColumn('idempotency_key');
  });
}
