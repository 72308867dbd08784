import type { Knex } from 'knex';

// Data tables loaded before the loader built an index on `_id` (the file order) have none: the
// table preview's pages, the rows API's default order (ORDER BY "_id" with LIMIT/OFFSET) and the
// CSV downloads then sort the whole table for every page. Builds the missing index, named as the
// loader names it, on every loaded table above the size the loader indexes (10,000 rows; a scan
// of a smaller table is as fast). Tables still loading are left to the loader, which builds it
// when the load ends. Idempotent; nothing to do on an empty database.

export async function up(knex: Knex): Promise<void> {
  const { rows } = await knex.raw(`
    SELECT DISTINCT v.table_name
    FROM versions v
    JOIN pg_class c ON c.relname = v.table_name AND c.relkind = 'r'
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'datastore'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = '_id' AND NOT a.attisdropped
    WHERE v.table_name IS NOT NULL AND v.state <> 'processing' AND v.row_count > 10000
      AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum)
    ORDER BY v.table_name`);
  for (const { table_name: table } of rows as Array<{ table_name: string }>) {
    if (!/^[a-z0-9_]+$/.test(table)) throw new Error(`unexpected data table name ${table}`);
    try {
      // In a savepoint: a loader of another process building the same index at the same moment
      // makes this one fail on its name, which is no error once the index is there.
      await knex.transaction((trx) => trx.raw(`CREATE INDEX IF NOT EXISTS "${table}_id" ON "datastore"."${table}" ("_id")`));
    } catch (err) {
      const { rows: found } = await knex.raw(`SELECT 1 FROM pg_indexes WHERE schemaname = 'datastore' AND indexname = ?`, [`${table}_id`]);
      if (!found.length) throw err;
    }
  }
}

export async function down(): Promise<void> {
  // The indexes are the loader's own since it builds them; nothing to undo.
}
