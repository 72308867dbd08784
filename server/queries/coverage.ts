import type { Knex } from 'knex';
import { quoteIdent, tableSql } from '../db/datastore';

interface ColumnRow {
  name: string;
  type: string;
  role: string;
  stats: { max?: string | number | null } | null;
}

const MONTH_NAME = /^(bulan|month)$/;

/**
 * The end of the latest period a loaded table covers: its latest date; else the latest year
 * (to the end of the latest month within it when a `bulan` column exists); null without a time column.
 */
export async function coveredUntil(db: Knex, table: string, columns: ColumnRow[]): Promise<Date | null> {
  const date = columns.find((c) => c.role === 'time' && c.type === 'date');
  if (date?.stats?.max) return new Date(`${date.stats.max}T00:00:00Z`);
  const year = columns.find((c) => c.type === 'year');
  if (!year?.stats?.max) return null;
  const month = columns.find((c) => MONTH_NAME.test(c.name) && c.type === 'integer');
  if (month) {
    const { rows } = await db.raw(
      `SELECT max(make_date(${quoteIdent(year.name)}, ${quoteIdent(month.name)}::int, 1)) AS m FROM ${tableSql(table)}
        WHERE ${quoteIdent(month.name)} BETWEEN 1 AND 12`,
    );
    if (rows[0]?.m) {
      const m = new Date(`${rows[0].m}T00:00:00Z`);
      return new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 0));
    }
  }
  return new Date(Date.UTC(Number(year.stats.max), 11, 31));
}
