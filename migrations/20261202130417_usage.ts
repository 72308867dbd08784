import type { Knex } from 'knex';

// Usage of the public portal: views and downloads per dataset, per format, per day (written in
// batches by the app, never one UPDATE per request), running totals on the dataset for sorting,
// and the search terms that found nothing (term and time only: nothing about who searched).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('usage_daily', (t) => {
    t.integer('dataset_id').notNullable().references('datasets.id').onDelete('CASCADE');
    t.date('day').notNullable();
    t.text('kind').notNullable();
    // Views: `page` or `embed`; downloads: `csv`, `csv_excel`, `json`, `xlsx`, `raw`, … (open list).
    t.text('format').notNullable();
    t.bigInteger('count').notNullable().defaultTo(0);
    t.primary(['dataset_id', 'day', 'kind', 'format']);
    t.check("kind IN ('view','download')", [], 'usage_daily_kind_check');
    t.check("format ~ '^[a-z0-9_]{1,30}$'", [], 'usage_daily_format_check');
  });
  await knex.raw('CREATE INDEX usage_daily_day_idx ON usage_daily (day, kind)');

  await knex.schema.alterTable('datasets', (t) => {
    t.bigInteger('view_count').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('search_misses', (t) => {
    t.bigIncrements('id');
    t.text('term').notNullable();
    t.text('lang').notNullable().defaultTo('id');
    // Where the search came from: the search page or the API.
    t.text('source').notNullable().defaultTo('web');
    // The "did you mean" offered, if any.
    t.text('suggestion');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('length(term) BETWEEN 1 AND 200', [], 'search_misses_term_check');
    t.check("source IN ('web','api')", [], 'search_misses_source_check');
  });
  await knex.raw('CREATE INDEX search_misses_at_idx ON search_misses (at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('search_misses');
  await knex.schema.alterTable('datasets', (t) => {
    t.dropColumn('view_count');
  });
  await knex.schema.dropTable('usage_daily');
}
