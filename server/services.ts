import type { Knex } from 'knex';
import type pg from 'pg';
import type { Config } from './config';
import type { Storage } from './storage';
import type { UsageRecorder } from './usage/recorder';

/** Background work the actions can ask for. */
export interface Jobs {
  /** Queue the loading of a version's raw file (state `processing`). */
  enqueueLoad(versionId: number): Promise<void>;
  /** Ask for a scheduled version to be published at `at` (the scheduler's sweep is the safety net). */
  schedulePublication(versionId: number, at: Date): Promise<void>;
}

/** The app's long-lived services, handed to actions, queries and routes. */
export interface Services {
  db: Knex;
  config: Config;
  storage: Storage;
  jobs: Jobs;
  /** A small pool for the session store, on the same database. */
  sessionPool: pg.Pool;
  /** Views, downloads and empty searches, counted in memory and written in batches. */
  usage: UsageRecorder;
}
