import type { Knex } from 'knex';

// An optional English title and description per dataset: shown under the English switch and
// carried by DCAT and CKAN outputs beside the Indonesian ones.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('datasets', (t) => {
    t.text('title_en');
    t.text('description_en');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('datasets', (t) => {
    t.dropColumn('title_en');
    t.dropColumn('description_en');
  });
}
