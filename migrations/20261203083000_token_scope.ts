import type { Knex } from 'knex';

// API tokens carry a scope (`read` may only read; `write` may also change state) and may expire.
// Tokens made before this migration keep working as they did: scope `write`, no expiry.
// `created_by` is who issued the token when it was not its owner (the operator, for a service account).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_tokens', (t) => {
    t.text('scope').notNullable().defaultTo('write');
    t.timestamp('expires_at', { useTz: true });
    t.integer('created_by').references('users.id');
    t.check("scope IN ('read','write')", [], 'api_tokens_scope_check');
  });
  await knex.raw('CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS api_tokens_user_idx');
  await knex.schema.alterTable('api_tokens', (t) => {
    t.dropChecks(['api_tokens_scope_check']);
    t.dropColumn('created_by');
    t.dropColumn('expires_at');
    t.dropColumn('scope');
  });
}
