// Used by the knex CLI (`npm run migrate`, or `npx tsx node_modules/knex/bin/cli.js …`).
import type { Knex } from 'knex';
import { migrationConfig } from './server/db/knex';

const config: Knex.Config = {
  client: 'pg',
  connection: process.env.DATABASE_URL,
  migrations: migrationConfig(),
};

export default config;
module.exports = config;
