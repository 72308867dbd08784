import type { Knex } from 'knex';

// Organizations can be deactivated (an OPD merged or dissolved): nothing new is filed under it,
// its members cannot sign in, and what it published stays public. Users carry who deactivated
// them and when, for the admin's page.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organizations', (t) => {
    t.boolean('active').notNullable().defaultTo(true);
  });
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('deactivated_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('deactivated_at');
  });
  await knex.schema.alterTable('organizations', (t) => {
    t.dropColumn('active');
  });
}
