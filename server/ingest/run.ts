// Stage 4, run. In: the load plan, the layout and the prepared source, a table name and the
// report. Out: the rows in a new table of that name, committed but not yet visible (its version
// is still `processing`) — or no table and the problems found (a file with errors is read to
// the end, so every problem is named), a re-plan (the bytes are not UTF-8 after all; an integer
// column holds fractions), or a failure (reading stopped at a record it could not take in).
// The fast path falls back to the validating one whenever PostgreSQL refuses a value, so the
// report still names the line and column of each.
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { createTableSql, dropTable, quoteIdent, tableSql } from '../db/datastore';
import { withClient } from '../db/knex';
import type { RegionTally } from './finish/regions';
import type { LineMap } from './lines';
import type { Encoding } from './options';
import { done, failedReport, type Staged } from './outcome';
import type { LoadPath, LoadPlan } from './plan';
import type { PreparedSource } from './prepare';
import { problem } from './problems';
import type { ReportBuilder } from './report';
import { FastPathRefused, type FastJob } from './run/copy';
import { checkDroppedFields, fastCopy, parallelFastCopy, type FastLoad, type OnProgress } from './run/fast';
import { validatingCopy } from './run/validating';
import type { Layout } from './sniff';

/** How a run ended. */
export type RunOutcome =
  | { kind: 'loaded'; path: LoadPath; rows: number; lineMap: LineMap; dataLines?: number }
  | { kind: 'rejected'; path: LoadPath; regions: RegionTally | null; dataLines?: number }
  | { kind: 'replan'; because: 'not_utf8' }
  | { kind: 'replan'; because: 'widen'; columns: string[] };

export interface RunInput {
  db: Knex;
  table: string;
  source: PreparedSource;
  layout: Layout;
  plan: LoadPlan;
  encoding: Encoding;
  report: ReportBuilder;
  onProgress: OnProgress;
}

/**
 * Errors after which the rest of the file was never read, or that show it is binary after all:
 * the file is unreadable as a table (`failed`, SPEC §3).
 */
const STOPPED_READING = new Set(['field_too_large', 'unclosed_quote', 'binary_file']);

/**
 * SQLSTATE class 22 (data exception), 23514 (a value the fast path's checks refuse) and COPY
 * format errors: the file, not the system, is at fault.
 */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return err instanceof FastPathRefused || code.startsWith('22') || code === '23514' || code === '0A000';
}

/** After the rows are in: placeholders dropped, and a table without rows refused. True when nothing is wrong. */
async function settle(client: PoolClient, input: RunInput, rows: number): Promise<boolean> {
  for (const p of input.plan.placeholders.values()) await client.query(`ALTER TABLE ${tableSql(input.table)} DROP COLUMN ${quoteIdent(p)}`);
  if (input.report.errorCount === 0 && rows === 0) input.report.error(problem('no_data_rows', {}));
  return input.report.errorCount === 0;
}

/** The run stage (see the top of this file). */
export async function run(input: RunInput): Promise<Staged<RunOutcome>> {
  const { db, table, plan, layout } = input;
  const job: FastJob = { table, file: input.source.file, layout, columns: plan.columns, encoding: input.encoding, placeholders: plan.placeholders };
  const placeholders = [...plan.placeholders.values()];

  if (plan.path === 'parallel' && plan.split) {
    // Two parts at once into a table committed beforehand (invisible while the version is
    // processing, dropped on any failure).
    await db.raw(createTableSql(table, plan.columns, placeholders));
    try {
      const loaded = await parallelFastCopy(db, job, plan.split, input.onProgress);
      const ok = await withClient(db, async (client) => {
        await checkDroppedFields(client, job, loaded.lineMap, input.report);
        return settle(client, input, loaded.rows);
      });
      if (ok) return done({ kind: 'loaded', path: 'parallel', rows: loaded.rows, lineMap: loaded.lineMap, dataLines: loaded.lines });
      await dropTable(db, table);
      return done({ kind: 'rejected', path: 'parallel', regions: null, dataLines: loaded.lines });
    } catch (err) {
      await dropTable(db, table).catch(() => undefined);
      if (!isDataError(err)) throw err;
    }
  }

  return withClient(db, async (client): Promise<Staged<RunOutcome>> => {
    await client.query('BEGIN');
    try {
      await client.query(createTableSql(table, plan.columns, placeholders));
      if (plan.path === 'fast') {
        await client.query('SAVEPOINT fast_path');
        let loaded: FastLoad | null = null;
        try {
          loaded = await fastCopy(client, job, input.onProgress);
          await checkDroppedFields(client, job, loaded.lineMap, input.report);
        } catch (err) {
          if (!isDataError(err)) throw err;
          await client.query('ROLLBACK TO SAVEPOINT fast_path');
          loaded = null;
        }
        if (loaded) {
          if (!(await settle(client, input, loaded.rows))) {
            await client.query('ROLLBACK');
            return done({ kind: 'rejected', path: 'fast', regions: null, dataLines: loaded.lines });
          }
          await client.query('COMMIT');
          return done({ kind: 'loaded', path: 'fast', rows: loaded.rows, lineMap: loaded.lineMap, dataLines: loaded.lines });
        }
      }

      const v = await validatingCopy(client, { table, file: input.source.file, layout, columns: plan.columns, encoding: input.encoding, expand: plan.expand }, input.report, input.onProgress);
      if (v.kind === 'not_utf8') {
        await client.query('ROLLBACK');
        return done({ kind: 'replan', because: 'not_utf8' });
      }
      if (v.kind === 'stopped') {
        await client.query('ROLLBACK');
        return failedReport('run', input.report.toJSON());
      }
      if (v.widen.length > 0) {
        await client.query('ROLLBACK');
        return done({ kind: 'replan', because: 'widen', columns: v.widen });
      }
      if (!(await settle(client, input, v.rows))) {
        await client.query('ROLLBACK');
        if (input.report.errorCodes().some((c) => STOPPED_READING.has(c))) return failedReport('run', input.report.toJSON());
        return done({ kind: 'rejected', path: 'validating', regions: v.regions, dataLines: v.lines });
      }
      await client.query('COMMIT');
      return done({ kind: 'loaded', path: 'validating', rows: v.rows, lineMap: v.lineMap, dataLines: v.lines });
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}
