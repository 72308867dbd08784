import type { Knex } from 'knex';

// Satu Data management: the release calendar (a `scheduled` version state with its time), the
// statistics class of datasets, the yearly data list (daftar data), public data requests and
// feedback, the cached quality score of each dataset, and the new kinds of notification.

const OLD_STATES = "'processing','failed','draft','submitted','changes_requested','verified','published','superseded','rejected'";
const NEW_STATES = `${OLD_STATES},'scheduled'`;
const OLD_KINDS = "'submitted','verified','decision','comment','retracted'";
const NEW_KINDS = `${OLD_KINDS},'scheduled','released','reminder','request','request_answered'`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE versions DROP CONSTRAINT versions_state_check');
  await knex.raw(`ALTER TABLE versions ADD CONSTRAINT versions_state_check CHECK (state IN (${NEW_STATES}))`);
  await knex.schema.alterTable('versions', (t) => {
    // When an approved version goes public (jadwal rilis); set with `scheduled`, kept afterwards.
    t.timestamp('publish_at', { useTz: true });
    t.integer('scheduled_by').references('users.id');
  });
  await knex.raw("CREATE INDEX versions_scheduled_idx ON versions (publish_at) WHERE state = 'scheduled'");

  await knex.schema.alterTable('datasets', (t) => {
    // statistik dasar (BPS), sektoral (OPD), khusus (UU 16/1997 on statistics).
    t.text('statistics_class').notNullable().defaultTo('sektoral');
    t.check("statistics_class IN ('dasar','sektoral','khusus')", [], 'datasets_statistics_class_check');
  });

  await knex.raw('ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check');
  await knex.raw(`ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (${NEW_KINDS}))`);

  await knex.schema.alterTable('reviews', (t) => {
    // An approval although the checklist failed: the reviewer's written reason.
    t.text('override_reason');
  });

  await knex.schema.createTable('data_list_items', (t) => {
    t.increments('id');
    t.integer('year').notNullable();
    t.text('name').notNullable();
    t.integer('organization_id').notNullable().references('organizations.id');
    t.integer('topic_id').references('topics.id');
    t.text('frequency').notNullable();
    t.boolean('prioritas').notNullable().defaultTo(false);
    t.text('statistics_class').notNullable().defaultTo('sektoral');
    // For yearly items: the month of the list's year by which the previous year's data is due.
    t.smallint('due_month');
    t.text('notes');
    t.integer('dataset_id').references('datasets.id');
    t.integer('created_by').references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('year BETWEEN 2000 AND 2100', [], 'data_list_items_year_check');
    t.check('due_month IS NULL OR due_month BETWEEN 1 AND 12', [], 'data_list_items_due_month_check');
    t.check(
      "frequency IN ('harian','mingguan','bulanan','triwulanan','semesteran','tahunan','dua_tahunan','ad_hoc')",
      [],
      'data_list_items_frequency_check',
    );
    t.check("statistics_class IN ('dasar','sektoral','khusus')", [], 'data_list_items_statistics_class_check');
    t.index(['year', 'organization_id']);
    t.index(['dataset_id']);
  });
  await knex.raw('CREATE UNIQUE INDEX data_list_items_name_unique ON data_list_items (year, organization_id, lower(name))');

  await knex.schema.createTable('data_requests', (t) => {
    t.increments('id');
    // permintaan: a dataset someone wants; masukan: feedback on a published dataset.
    t.text('kind').notNullable().defaultTo('permintaan');
    t.text('title').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('purpose').notNullable().defaultTo('');
    t.text('requester_name').notNullable();
    t.text('requester_email').notNullable();
    t.integer('dataset_id').references('datasets.id');
    t.text('state').notNullable().defaultTo('baru');
    t.integer('organization_id').references('organizations.id');
    t.text('answer');
    t.text('answer_url');
    t.integer('answer_dataset_id').references('datasets.id');
    t.date('planned_for');
    t.integer('routed_by').references('users.id');
    t.timestamp('routed_at', { useTz: true });
    t.integer('answered_by').references('users.id');
    t.timestamp('answered_at', { useTz: true });
    t.timestamp('hidden_at', { useTz: true });
    t.text('hidden_reason');
    // Who asked, for throttling only: a keyed hash of the address, never the address itself.
    t.text('ip_hash');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("kind IN ('permintaan','masukan')", [], 'data_requests_kind_check');
    t.check(
      "state IN ('baru','diteruskan','direncanakan','terpenuhi','ditolak','tersedia_di_tempat_lain')",
      [],
      'data_requests_state_check',
    );
    t.index(['state', 'created_at']);
    t.index(['organization_id']);
    t.index(['ip_hash', 'created_at']);
  });

  // Messages for people without an account (a requester): kept until an e-mail channel sends them.
  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.text('to_email').notNullable();
    t.text('subject').notNullable();
    t.text('body').notNullable();
    t.integer('request_id').references('data_requests.id');
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['sent_at']);
  });

  // Derived, not state: the quality score as last computed, for sorting and facets.
  await knex.schema.createTable('dataset_quality', (t) => {
    t.integer('dataset_id').primary().references('datasets.id');
    t.smallint('score').notNullable();
    t.jsonb('parts').notNullable();
    t.timestamp('computed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['score']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('dataset_quality');
  await knex.schema.dropTable('outbox');
  await knex.schema.dropTable('data_requests');
  await knex.schema.dropTable('data_list_items');
  await knex.schema.alterTable('reviews', (t) => {
    t.dropColumn('override_reason');
  });
  await knex.raw("DELETE FROM notifications WHERE kind IN ('scheduled','released','reminder','request','request_answered')");
  await knex.raw('ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check');
  await knex.raw(`ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN (${OLD_KINDS}))`);
  await knex.schema.alterTable('datasets', (t) => {
    t.dropChecks(['datasets_statistics_class_check']);
    t.dropColumn('statistics_class');
  });
  await knex.raw('DROP INDEX IF EXISTS versions_scheduled_idx');
  await knex.schema.alterTable('versions', (t) => {
    t.dropColumn('scheduled_by');
    t.dropColumn('publish_at');
  });
  // A version still waiting for its time goes back to the walidata's queue.
  await knex.raw("UPDATE versions SET state = 'submitted' WHERE state = 'scheduled'");
  await knex.raw('ALTER TABLE versions DROP CONSTRAINT versions_state_check');
  await knex.raw(`ALTER TABLE versions ADD CONSTRAINT versions_state_check CHECK (state IN (${OLD_STATES}))`);
}
