import type { Knex } from 'knex';

// The core catalog: organizations, people, topics, reference regions, datasets, versions, their
// columns, reviews, the audit log, API tokens and web sessions. Per-version data tables live in
// the `datastore` schema and are created by the loader, not here.

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE SCHEMA IF NOT EXISTS datastore');

  await knex.schema.createTable('organizations', (t) => {
    t.increments('id');
    t.text('slug').notNullable().unique();
    t.text('name').notNullable();
    t.text('short_name');
    t.text('kind').notNullable();
    t.text('description');
    t.text('contact_email');
    t.text('website');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("kind IN ('opd','walidata','pembina')", [], 'organizations_kind_check');
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.text('email').notNullable();
    t.text('name').notNullable();
    t.text('password_hash').notNullable();
    t.text('role').notNullable();
    t.integer('organization_id').references('organizations.id');
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('last_login_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("role IN ('admin','walidata','pembina','produsen')", [], 'users_role_check');
    t.check("role = 'admin' OR organization_id IS NOT NULL", [], 'users_org_check');
  });
  await knex.raw('CREATE UNIQUE INDEX users_email_unique ON users (lower(email))');

  await knex.schema.createTable('topics', (t) => {
    t.increments('id');
    t.text('slug').notNullable().unique();
    t.text('name_id').notNullable();
    t.text('name_en').notNullable();
    t.text('description_id');
    t.text('description_en');
    t.integer('position').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('wilayah', (t) => {
    t.increments('id');
    t.text('level').notNullable();
    t.text('kode_bps').notNullable().unique();
    t.text('kode_kemendagri').notNullable().unique();
    t.text('nama').notNullable();
    t.text('jenis').notNullable();
    t.text('induk_bps');
    t.check("level IN ('provinsi','kabupaten_kota')", [], 'wilayah_level_check');
  });

  await knex.schema.createTable('datasets', (t) => {
    t.increments('id');
    t.text('slug').notNullable().unique();
    t.text('title').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.integer('organization_id').notNullable().references('organizations.id');
    t.integer('topic_id').references('topics.id');
    t.specificType('tags', 'text[]').notNullable().defaultTo('{}');
    t.text('frequency').notNullable().defaultTo('tahunan');
    t.text('license').notNullable().defaultTo('CC-BY-4.0');
    t.text('access_level').notNullable().defaultTo('terbuka');
    t.boolean('prioritas').notNullable().defaultTo(false);
    t.text('source');
    t.text('contact_name');
    t.text('contact_email');
    t.jsonb('metadata').notNullable().defaultTo('{}');
    t.text('methodology_note');
    t.integer('current_version_id');
    t.timestamp('retracted_at', { useTz: true });
    t.text('retracted_reason');
    t.bigInteger('download_count').notNullable().defaultTo(0);
    t.integer('created_by').references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(
      "frequency IN ('harian','mingguan','bulanan','triwulanan','semesteran','tahunan','dua_tahunan','ad_hoc')",
      [],
      'datasets_frequency_check',
    );
    t.check("access_level IN ('terbuka','terbatas','tertutup')", [], 'datasets_access_level_check');
  });
  await knex.raw(`
    ALTER TABLE datasets ADD COLUMN search tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
      setweight(to_tsvector('simple', coalesce(metadata->>'nama_indikator', '')), 'B') ||
      setweight(to_tsvector('simple', coalesce(description, '')), 'C')
    ) STORED`);
  await knex.raw('CREATE INDEX datasets_search_idx ON datasets USING gin (search)');
  await knex.raw('CREATE INDEX datasets_tags_idx ON datasets USING gin (tags)');
  await knex.raw('CREATE INDEX datasets_org_idx ON datasets (organization_id)');

  await knex.schema.createTable('versions', (t) => {
    t.increments('id');
    t.integer('dataset_id').notNullable().references('datasets.id');
    t.integer('number').notNullable();
    t.text('state').notNullable().defaultTo('processing');
    t.text('filename').notNullable();
    t.text('media_type');
    t.text('raw_path').notNullable();
    t.text('raw_sha256').notNullable();
    t.bigInteger('raw_size').notNullable();
    t.text('encoding');
    t.jsonb('dialect');
    t.jsonb('options').notNullable().defaultTo('{}');
    t.text('table_name');
    t.bigInteger('row_count');
    t.jsonb('report');
    t.jsonb('progress');
    t.jsonb('sample');
    t.integer('load_attempt').notNullable().defaultTo(0);
    t.timestamp('heartbeat_at', { useTz: true });
    t.integer('uploaded_by').references('users.id');
    t.integer('submitted_by').references('users.id');
    t.timestamp('submitted_at', { useTz: true });
    t.timestamp('published_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['dataset_id', 'number']);
    t.check(
      "state IN ('processing','failed','draft','submitted','changes_requested','verified','published','superseded','rejected')",
      [],
      'versions_state_check',
    );
  });
  await knex.raw('CREATE INDEX versions_state_idx ON versions (state)');
  // At most one published version per dataset: the approval swaps them in one transaction.
  await knex.raw("CREATE UNIQUE INDEX versions_one_published ON versions (dataset_id) WHERE state = 'published'");
  await knex.raw(
    'ALTER TABLE datasets ADD CONSTRAINT datasets_current_version_fk FOREIGN KEY (current_version_id) REFERENCES versions(id)',
  );

  await knex.schema.createTable('version_columns', (t) => {
    t.increments('id');
    t.integer('version_id').notNullable().references('versions.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.text('name').notNullable();
    t.text('label').notNullable();
    t.text('type').notNullable();
    t.text('unit');
    t.text('role').notNullable().defaultTo('dimension');
    t.text('description');
    t.text('ref_scheme');
    t.jsonb('stats');
    t.unique(['version_id', 'name']);
    t.unique(['version_id', 'position']);
    t.check("type IN ('integer','number','text','date','year','boolean')", [], 'version_columns_type_check');
    t.check("role IN ('dimension','measure','time','region')", [], 'version_columns_role_check');
    t.check("ref_scheme IS NULL OR ref_scheme IN ('bps','kemendagri')", [], 'version_columns_ref_scheme_check');
  });

  await knex.schema.createTable('reviews', (t) => {
    t.increments('id');
    t.integer('version_id').notNullable().references('versions.id');
    t.integer('author_id').references('users.id');
    t.text('stage').notNullable();
    t.text('decision').notNullable();
    t.text('comment');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("decision IN ('approve','request_changes','reject','comment')", [], 'reviews_decision_check');
    t.check("stage IN ('produsen','walidata','pembina')", [], 'reviews_stage_check');
    t.index(['version_id']);
  });

  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id');
    t.text('name').notNullable();
    t.text('token_hash').notNullable().unique();
    t.text('token_prefix').notNullable();
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('actor_id').references('users.id');
    t.text('actor_label').notNullable();
    t.text('action').notNullable();
    t.text('target_type').notNullable();
    t.text('target_id');
    t.integer('dataset_id').references('datasets.id');
    t.integer('version_id').references('versions.id');
    t.integer('organization_id').references('organizations.id');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.text('ip');
    t.index(['dataset_id', 'at']);
    t.index(['actor_id', 'at']);
    t.index(['action', 'at']);
  });
  // The audit log is append-only: the database itself refuses changes and deletions.
  await knex.raw(`
    CREATE FUNCTION audit_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw(`
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_immutable()`);
  await knex.raw(`
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_immutable()`);

  // The layout connect-pg-simple expects.
  await knex.raw(`
    CREATE TABLE sessions (
      sid varchar NOT NULL PRIMARY KEY,
      sess json NOT NULL,
      expire timestamp(6) NOT NULL
    )`);
  await knex.raw('CREATE INDEX sessions_expire_idx ON sessions (expire)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS sessions');
  await knex.raw('DROP TABLE IF EXISTS audit_events');
  await knex.raw('DROP FUNCTION IF EXISTS audit_events_immutable()');
  await knex.raw('DROP TABLE IF EXISTS api_tokens');
  await knex.raw('DROP TABLE IF EXISTS reviews');
  await knex.raw('DROP TABLE IF EXISTS version_columns');
  await knex.raw('ALTER TABLE datasets DROP CONSTRAINT IF EXISTS datasets_current_version_fk');
  await knex.raw('DROP TABLE IF EXISTS versions');
  await knex.raw('DROP TABLE IF EXISTS datasets');
  await knex.raw('DROP TABLE IF EXISTS wilayah');
  await knex.raw('DROP TABLE IF EXISTS topics');
  await knex.raw('DROP TABLE IF EXISTS users');
  await knex.raw('DROP TABLE IF EXISTS organizations');
  await knex.raw('DROP SCHEMA IF EXISTS datastore CASCADE');
}
