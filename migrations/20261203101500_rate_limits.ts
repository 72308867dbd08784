import type { Knex } from 'knex';

// Counters of rate-limiter-flexible's PostgreSQL store (sign-in failures per address and per
// account, reset-link requests), in the one database every app process shares, so that limits
// hold across processes and restarts. The shape is the library's own (key, points, expire in ms).

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE rate_limits (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
  )`);
  await knex.raw('CREATE INDEX rate_limits_expire_idx ON rate_limits (expire)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS rate_limits');
}
