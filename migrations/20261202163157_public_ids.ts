import type { Knex } from 'knex';

// Stable public identifiers for what other catalogs harvest: CKAN clients and DCAT harvesters key
// datasets, organizations, groups (topics) and resources (versions) by a UUID that must never
// change and must not collide with another portal's. gen_random_uuid() is built in since PG 13.
// `export_digests` remembers the size and sha256 of a published version's CSV export (derived,
// re-computable: keyed by the export's own SQL, so a change of the export format misses it).

const TABLES = ['organizations', 'topics', 'datasets', 'versions'] as const;

export async function up(knex: Knex): Promise<void> {
  for (const table of TABLES) {
    await knex.schema.alterTable(table, (t) => {
      t.uuid('uuid').notNullable().defaultTo(knex.raw('gen_random_uuid()')).unique();
    });
  }
  await knex.schema.createTable('export_digests', (t) => {
    t.integer('version_id').notNullable().references('versions.id').onDelete('CASCADE');
    t.text('variant').notNullable();
    t.bigInteger('bytes').notNullable();
    t.text('sha256').notNullable();
    t.timestamp('computed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['version_id', 'variant']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('export_digests');
  for (const table of [...TABLES].reverse()) {
    await knex.schema.alterTable(table, (t) => {
      t.dropColumn('uuid');
    });
  }
}
