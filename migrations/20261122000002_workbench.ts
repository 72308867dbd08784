import type { Knex } from 'knex';

// The review workbench: in-app notifications (with a slot for a later e-mail channel) and the
// standard-data checklist as the reviewer saw it when deciding.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notifications', (t) => {
    t.bigIncrements('id');
    t.integer('user_id').notNullable().references('users.id');
    t.text('kind').notNullable();
    t.integer('dataset_id').references('datasets.id');
    t.integer('version_id').references('versions.id');
    t.integer('actor_id').references('users.id');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.timestamp('read_at', { useTz: true });
    // For a later e-mail channel: when the message was sent (null = not yet / not wanted).
    t.timestamp('emailed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("kind IN ('submitted','verified','decision','comment','retracted')", [], 'notifications_kind_check');
  });
  await knex.raw('CREATE INDEX notifications_user_unread_idx ON notifications (user_id, created_at DESC) WHERE read_at IS NULL');
  await knex.raw('CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC)');

  await knex.schema.alterTable('reviews', (t) => {
    t.jsonb('checklist');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reviews', (t) => {
    t.dropColumn('checklist');
  });
  await knex.schema.dropTable('notifications');
}
