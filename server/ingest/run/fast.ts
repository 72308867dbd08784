// The fast path: PostgreSQL parses and types the file's bytes itself, in one COPY or in two
// parts at once; afterwards, values found in columns dropped as empty are reported.
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { quoteIdent, tableSql } from '../../db/datastore';
import { withClient } from '../../db/knex';
import { lineOf, type LineMap } from '../lines';
import { problem } from '../problems';
import { EXAMPLES_PER_CODE, type ReportBuilder } from '../report';
import { addChecks, copyRange, dropChecks, normalizeText, rangeChecks, suspectsFor, type FastJob } from './copy';

/** Progress callback: bytes of the file read so far, rows (the fast path: lines) read so far. */
export type OnProgress = (bytes: number, rows: number) => void;

/** What a fast load put into the table. */
export interface FastLoad {
  rows: number;
  lineMap: LineMap;
  /** LF line breaks in the data's bytes. */
  lines: number;
}

/**
 * One COPY inside the caller's transaction. Throws the database's error when any value does not
 * fit (the caller then takes the validating path).
 */
export async function fastCopy(client: PoolClient, job: FastJob, onProgress: OnProgress): Promise<FastLoad> {
  const checks = rangeChecks(job);
  await addChecks(client, job.table, checks);
  const text = suspectsFor(job);
  const suspects = text.make();
  let bytes = 0;
  let read = 0;
  const { layout } = job;
  const { rows, lines, watch } = await copyRange(
    client,
    job,
    { start: layout.dataStartByte, end: layout.dataEndByte, firstLine: layout.dataStartLine },
    suspects,
    (n, l) => onProgress((bytes += n), (read += l)),
  );
  await dropChecks(client, job.table, checks);
  suspects?.finish();
  if (suspects?.found) await normalizeText(client, job.table, text.columns);
  return { rows, lineMap: { breaks: watch.breaks }, lines };
}

/**
 * The fast path in two parts loaded at once, each on its own connection and transaction, so both
 * cores parse. The table must be committed (still invisible: its version is `processing`). Row
 * order is kept: the `_id` identity is given a per-session cache as large as the first part's
 * lines, and the first part reserves its block before the second starts, so the second part's
 * ids follow on. Either both parts commit or neither does; on failure the caller drops the table.
 */
export async function parallelFastCopy(db: Knex, job: FastJob, split: { at: number; linesBefore: number }, onProgress: OnProgress): Promise<FastLoad> {
  const { layout, table } = job;
  const checks = rangeChecks(job);
  const text = suspectsFor(job);
  const [sa, sb] = [text.make(), text.make()];
  let bytes = 0;
  let read = 0;
  const onBytes = (n: number, l: number) => onProgress((bytes += n), (read += l));
  const first = split.linesBefore; // ids 1..first for the first part, first+1.. for the second
  return withClient(db, (a) =>
    withClient(db, async (b) => {
      await addChecks(a, table, checks);
      await a.query(`ALTER TABLE ${tableSql(table)} ALTER COLUMN "_id" SET MINVALUE 0 RESTART WITH 0 SET CACHE ${first + 1}`);
      await a.query('BEGIN');
      await b.query('BEGIN');
      try {
        // The first part's session takes the first block of ids (0 .. first) before the second part starts.
        await a.query(`SELECT nextval(pg_get_serial_sequence($1, '_id'))`, [tableSql(table)]);
        const [pa, pb] = await Promise.allSettled([
          copyRange(a, job, { start: layout.dataStartByte, end: split.at, firstLine: layout.dataStartLine }, sa, onBytes),
          copyRange(b, job, { start: split.at, end: layout.dataEndByte, firstLine: layout.dataStartLine + first }, sb, onBytes),
        ]);
        if (pa.status === 'rejected') throw pa.reason;
        if (pb.status === 'rejected') throw pb.reason;
        await a.query('COMMIT');
        await b.query('COMMIT');
        await dropChecks(a, table, checks);
        sa?.finish();
        sb?.finish();
        if (sa?.found || sb?.found) await normalizeText(a, table, text.columns);
        // The second part's rows are numbered first+1..: shift its line breakpoints to those ids.
        const breaks = [...pa.value.watch.breaks, ...pb.value.watch.breaks.map(([row, off]): [number, number] => [row + first, off - first])];
        return { rows: pa.value.rows + pb.value.rows, lineMap: { breaks }, lines: pa.value.lines + pb.value.lines };
      } catch (err) {
        await a.query('ROLLBACK').catch(() => undefined);
        await b.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }),
  );
}

/**
 * After a fast COPY: values in the placeholder columns that took the fields dropped as empty
 * (only rows outside the sample can have any). Reported like the validating path does.
 */
export async function checkDroppedFields(client: PoolClient, job: FastJob, lineMap: LineMap, report: ReportBuilder): Promise<void> {
  const placeholders = [...job.placeholders.entries()];
  if (placeholders.length === 0 || job.layout.sampledAll) return;
  const filled = (q: string) => `nullif(btrim(${q}), '') IS NOT NULL`;
  const { rows } = await client.query<{ id: string; position: number; value: string; n: number }>(
    `SELECT "_id"::text AS id, CASE ${placeholders.map(([i, n]) => `WHEN ${filled(quoteIdent(n))} THEN ${i}`).join(' ')} END AS position,
            coalesce(${placeholders.map(([, n]) => `nullif(btrim(${quoteIdent(n)}), '')`).join(', ')}) AS value,
            count(*) OVER ()::int AS n
       FROM ${tableSql(job.table)} WHERE ${placeholders.map(([, n]) => filled(quoteIdent(n))).join(' OR ')}
      ORDER BY "_id" LIMIT ${EXAMPLES_PER_CODE}`,
  );
  for (const r of rows) {
    report.error(problem('values_in_untitled_column', { position: r.position + 1, value: r.value }, { line: lineOf(lineMap, Number(r.id)), value: r.value }));
  }
  if (rows.length > 0) report.addCount('errors', 'values_in_untitled_column', rows[0].n - rows.length);
}
