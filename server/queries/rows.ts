import type { Knex } from 'knex';
import { qualified } from '../db/datastore';
import { Conflict, Invalid } from '../errors';
import { cachedAnswer } from './version-cache';

/** A column of a loaded version, as queries need it. */
export interface QueryColumn {
  name: string;
  type: string;
  role?: string;
}

export interface RowParams {
  limit: number;
  offset: number;
  /** `col,-col`: ascending, or descending with a minus. */
  sort?: string;
  /** Equality filters by column name. */
  filter?: Record<string, string | string[]>;
  /** Text search over the text columns. */
  q?: string;
}

export const MAX_LIMIT = 10_000;
/** The first rows of a filter and sort read at once for a published version: at most these many rows, and cells. */
const WINDOW_ROWS = 1000;
const WINDOW_CELLS = 50_000;

function columnNamed(columns: QueryColumn[], name: string, what: string): QueryColumn {
  const c = columns.find((x) => x.name === name);
  if (!c) {
    throw new Invalid(`Kolom "${name}" tidak ada (${what}).`, `No column "${name}" (${what}).`, [{ path: what, message: `unknown column ${name}` }]);
  }
  return c;
}

/** Checks a filter value against its column's type, so a bad value is a 400, not a database error. */
export function filterValue(col: QueryColumn, value: string): string | number | boolean | null {
  if (value === '' || value.toLowerCase() === 'null') return null;
  switch (col.type) {
    case 'integer':
    case 'year': {
      // bigint and integer columns: a value outside their range is a bad request, not a database error.
      const max = col.type === 'year' ? 2_147_483_647 : Number.MAX_SAFE_INTEGER;
      const n = Number(value);
      if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || Math.abs(n) > max) {
        throw new Invalid(`Filter ${col.name} harus bilangan bulat (paling banyak ${max}).`, `Filter ${col.name} must be a whole number (at most ${max}).`);
      }
      return n;
    }
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new Invalid(`Filter ${col.name} harus angka.`, `Filter ${col.name} must be a number.`);
      return n;
    }
    case 'boolean':
      if (!['true', 'false'].includes(value)) throw new Invalid(`Filter ${col.name} harus true/false.`, `Filter ${col.name} must be true/false.`);
      return value === 'true';
    case 'date':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Invalid(`Filter ${col.name} harus tanggal yyyy-mm-dd.`, `Filter ${col.name} must be a yyyy-mm-dd date.`);
      return value;
    default:
      return value;
  }
}

/** Applies filters and text search of `p` to a query over a version's table. */
export function applyFilters(qb: Knex.QueryBuilder, columns: QueryColumn[], p: Pick<RowParams, 'filter' | 'q'>): void {
  for (const [name, raw] of Object.entries(p.filter ?? {})) {
    const col = columnNamed(columns, name, 'filter');
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => filterValue(col, String(v)));
    const nonNull = values.filter((v) => v !== null);
    qb.where((w) => {
      if (nonNull.length) w.whereIn(col.name, nonNull as Array<string | number | boolean>);
      if (nonNull.length !== values.length) w.orWhereNull(col.name);
    });
  }
  const q = p.q?.trim();
  if (q) {
    const text = columns.filter((c) => c.type === 'text');
    if (text.length === 0) {
      qb.whereRaw('false');
    } else {
      const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.where((w) => {
        for (const c of text) w.orWhere(c.name, 'ilike', like);
      });
    }
  }
}

/** Parses `col,-col` into order-by clauses, refusing unknown columns. */
export function parseSort(columns: QueryColumn[], sort: string | undefined): Array<{ column: string; order: 'asc' | 'desc' }> {
  if (!sort) return [];
  return sort
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const desc = s.startsWith('-');
      const name = desc ? s.slice(1) : s;
      if (name === '_id') return { column: '_id', order: desc ? 'desc' : 'asc' };
      return { column: columnNamed(columns, name, 'sort').name, order: desc ? 'desc' : 'asc' };
    });
}

/**
 * Rows of a version's table: filtered, sorted (file order by default), paged, with the total.
 * With `cacheKey` (a published version's, see version-cache.ts) the first pages and the filtered
 * count are kept apart, so paging through one filter reads and counts its rows once. The rows
 * given back are frozen: they may be shared with other requests.
 */
export async function queryRows(
  db: Knex,
  table: string | null,
  columns: QueryColumn[],
  p: RowParams,
  knownTotal?: number | string | null,
  cacheKey?: string | null,
): Promise<{ rows: Record<string, unknown>[]; total: number }> {
  if (!table) throw new Conflict('Versi ini belum memiliki tabel data.', 'This version has no data table.');
  if (p.limit < 0 || p.limit > MAX_LIMIT) throw new Invalid(`limit harus 0–${MAX_LIMIT}.`, `limit must be 0–${MAX_LIMIT}.`);
  const order = parseSort(columns, p.sort);
  const filtered = (qb: Knex.QueryBuilder) => applyFilters(qb, columns, p);
  const list = (limit: number, offset: number) =>
    db
      .from(qualified(table))
      .select(['_id', ...columns.map((c) => c.name)])
      .modify(filtered)
      .orderBy([...order.map((o) => ({ column: o.column, order: o.order, nulls: 'last' as const })), { column: '_id', order: 'asc' }])
      .limit(limit)
      .offset(offset)
      .then((rows: Record<string, unknown>[]) => rows.map((r) => Object.freeze(r)));
  const unfiltered = !p.q && Object.keys(p.filter ?? {}).length === 0;
  const selection = JSON.stringify([p.filter ?? {}, p.q ?? '']);
  // Readers page on through the same filter and sort: the first pages are read as one window
  // (finding the first 1,000 costs about what finding the first 20 does) and served from it.
  const window = Math.min(WINDOW_ROWS, Math.max(100, Math.floor(WINDOW_CELLS / (columns.length + 1))));
  const page =
    cacheKey && p.offset + p.limit <= window
      ? cachedAnswer(db, cacheKey, `window:${JSON.stringify([selection, p.sort ?? '', window])}`, () => list(window, 0)).then((w) => w.slice(p.offset, p.offset + p.limit))
      : cachedAnswer(db, cacheKey, `rows:${JSON.stringify([selection, p.sort ?? '', p.limit, p.offset])}`, () => list(p.limit, p.offset));
  const [rows, total] = await Promise.all([
    page,
    unfiltered && knownTotal != null
      ? Promise.resolve(Number(knownTotal))
      : cachedAnswer(db, cacheKey, `count:${selection}`, () =>
          db.from(qualified(table)).modify(filtered).count<{ n: number }[]>({ n: '*' }).then((r) => Number(r[0].n)),
        ),
  ]);
  return { rows, total };
}

export const AGGREGATE_FUNCTIONS = ['sum', 'avg', 'min', 'max', 'count'] as const;
export type AggregateFn = (typeof AGGREGATE_FUNCTIONS)[number];

export interface AggregateParams {
  group: string[];
  measure?: string;
  fn: AggregateFn;
  filter?: Record<string, string | string[]>;
  /** `group` (by the group values, default), `value`/`-value`, or `first` (order of first appearance in the file). */
  order?: 'group' | 'value' | '-value' | 'first';
}

/** Grouped figures of a version's table (what charts are drawn from), at most 1,000 groups. */
export async function aggregateRows(
  db: Knex,
  table: string | null,
  columns: QueryColumn[],
  p: AggregateParams,
  cacheKey?: string | null,
): Promise<Array<Record<string, unknown>>> {
  if (!table) throw new Conflict('Versi ini belum memiliki tabel data.', 'This version has no data table.');
  const groups = p.group.map((g) => columnNamed(columns, g, 'group').name);
  let measure: QueryColumn | undefined;
  if (p.fn !== 'count') {
    if (!p.measure) throw new Invalid('Parameter measure wajib untuk fungsi ini.', 'measure is required for this function.');
    measure = columnNamed(columns, p.measure, 'measure');
    if (!['integer', 'number', 'year'].includes(measure.type) && !(p.fn === 'min' || p.fn === 'max')) {
      throw new Invalid(`Kolom ${measure.name} bukan angka.`, `Column ${measure.name} is not numeric.`);
    }
  }
  const valueSql =
    p.fn === 'count'
      ? db.raw('count(*)::bigint as value')
      : db.raw(`${p.fn}(??)${p.fn === 'avg' ? '::float8' : ''} as value`, [measure!.name]);
  const qb = db
    .from(qualified(table))
    .select([...groups, valueSql])
    .modify((q) => applyFilters(q, columns, { filter: p.filter }))
    .groupBy(groups)
    .limit(1000);
  const order = p.order ?? 'group';
  if (order === 'value') qb.orderBy('value', 'asc');
  else if (order === '-value') qb.orderBy('value', 'desc');
  else if (order === 'first') qb.orderByRaw('min("_id")');
  else if (groups.length) qb.orderBy(groups.map((g) => ({ column: g, order: 'asc' as const, nulls: 'last' as const })));
  // Kept per published version (with `cacheKey`): a scan of the whole table, the same for every reader.
  return cachedAnswer(db, cacheKey, `aggregate:${JSON.stringify([groups, measure?.name ?? null, p.fn, p.filter ?? {}, order])}`, async () =>
    ((await qb) as Array<Record<string, unknown>>).map((r) => Object.freeze({ ...r, value: r.value === null ? null : Number(r.value) })),
  );
}
