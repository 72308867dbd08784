import type { Knex } from 'knex';

// The home page's headline indicators, chosen by the walidata: a dataset, one of its measures and
// how the rows of one period are combined. The figures (latest period, change, sparkline) are
// computed from the dataset's current published version when the page is drawn, so a new
// version updates the home page without anyone touching this list.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('headline_indicators', (t) => {
    t.increments('id');
    t.integer('dataset_id').notNullable().references('datasets.id').onDelete('CASCADE');
    t.text('measure').notNullable();
    t.text('fn').notNullable().defaultTo('sum');
    t.integer('position').notNullable();
    t.integer('created_by').nullable().references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['position']);
    t.unique(['dataset_id', 'measure']);
  });
  await knex.raw("ALTER TABLE headline_indicators ADD CONSTRAINT headline_indicators_fn CHECK (fn IN ('sum', 'avg', 'min', 'max'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('headline_indicators');
}
