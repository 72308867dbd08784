import type { Knex } from 'knex';

// Reference codes are managed by the walidata: a code can be taken out of use (deactivated, never
// deleted: published tables may hold it) and each change is dated.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wilayah', (t) => {
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('updated_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wilayah', (t) => {
    t.dropColumn('active');
    t.dropColumn('updated_at');
  });
}
