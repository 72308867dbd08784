import type { Knex } from 'knex';

// Password changes and one-time reset links. A reset link carries 256 random bits; only their
// SHA-256 is stored. `used_at` makes a link single-use (a guarded update), `expires_at` short-lived.
// `created_by` is the admin who made the link for the user, null when the user asked for it.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('password_changed_at', { useTz: true });
  });
  await knex.schema.createTable('password_resets', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id');
    t.text('token_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.integer('created_by').references('users.id');
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('password_resets');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('password_changed_at');
  });
}
