import knexFactory, { Knex } from 'knex';
import pg, { type PoolClient } from 'pg';
import { log } from '../log';

// bigint counts and numeric measures come back as JS numbers: the sizes we handle fit safely,
// and the API contract says "numbers as JSON numbers".
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
// Dates stay ISO strings: a `date` has no time zone and must not shift when serialised.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

/** Creates the knex instance for a PostgreSQL connection string. */
export function createDb(connectionString: string, poolMax = 10): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'satudata' },
    pool: { min: 0, max: poolMax },
    migrations: migrationConfig(),
    // knex's own warnings (e.g. every failed connection attempt while the database is down) go
    // to the portal's log, not to the console.
    log: {
      warn: (message: unknown) => log.warn({ knex: String(message) }, 'knex warning'),
      error: (message: unknown) => log.error({ knex: String(message) }, 'knex error'),
      deprecate: (message: unknown) => log.warn({ knex: String(message) }, 'knex deprecation'),
      debug: (message: unknown) => log.debug({ knex: String(message) }, 'knex debug'),
    },
  });
}

/** Where migrations live; shared by the app, the tests and knexfile.ts. */
export function migrationConfig(): Knex.MigratorConfig {
  return {
    directory: `${__dirname}/../../migrations`,
    tableName: 'knex_migrations',
    loadExtensions: ['.ts'],
  };
}

/**
 * Runs `fn` with one raw pg client from knex's pool (COPY streams and multi-statement
 * transactions need the same connection throughout).
 */
export async function withClient<T>(db: Knex, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = (await db.client.acquireConnection()) as PoolClient;
  try {
    return await fn(client);
  } finally {
    await db.client.releaseConnection(client);
  }
}

/**
 * Runs one statement as a named prepared statement: each pooled connection parses and plans it
 * once (PostgreSQL keeps the plan), later runs only bind and execute. For short queries asked on
 * every request, where planning costs more than running. `text` must not select `*` (a cached
 * plan may not change its result type when a migration adds a column).
 */
export async function preparedRows<T>(db: Knex, name: string, text: string, values: unknown[] = []): Promise<T[]> {
  return withClient(db, async (client) => (await client.query({ name, text, values })).rows as T[]);
}

/** Brings the schema up to date. */
export async function migrate(db: Knex): Promise<void> {
  await db.migrate.latest(migrationConfig());
}
