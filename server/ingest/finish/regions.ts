// Reference codes (kode referensi): region codes judged against the province's list, in both
// schemes (BPS and Kemendagri), with names checked against their codes.
import type { PoolClient } from 'pg';
import { quoteIdent, tableSql } from '../../db/datastore';
import { lineOf, type LineMap } from '../lines';
import type { InferredColumn } from '../plan/infer';
import { problem } from '../problems';
import type { ReportBuilder } from '../report';

/** One row of the reference table. */
export interface Wilayah {
  level: 'provinsi' | 'kabupaten_kota';
  kode_bps: string;
  kode_kemendagri: string;
  nama: string;
}

/** Upper case, without "Kabupaten"/"Kab."/"Kota"/"Provinsi" prefixes and extra spaces. */
export function normalizeRegionName(name: string): string {
  return name
    .toUpperCase()
    .replace(/^(PROVINSI|PROV\.?|KABUPATEN|KAB\.?|KOTA|KOTAMADYA)\s+/, '')
    .replace(/[^A-Z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The name column that goes with a region code column: kode_x ↔ nama_x, else a `nama…` right after it. */
export function pairedNameColumn<C extends { name: string; type: string }>(code: C, columns: C[]): C | undefined {
  const suffix = code.name.replace(/^(kode|kd)_/, '');
  const next = columns[columns.indexOf(code) + 1];
  return (
    columns.find((c) => c.name === `nama_${suffix}`) ??
    (next && /^(nama|name)(_|$)/.test(next.name) && next.type === 'text' ? next : undefined)
  );
}

interface CodeRow {
  code: string;
  name: string | null;
  n: number;
  first: number;
}

const undotted = (code: string) => code.replace(/\./g, '');

/** The level of the codes a region column holds, from its name; null when it may hold either. */
export function regionLevel(columnName: string): Wilayah['level'] | null {
  const what = columnName.replace(/^(kode|kd)_/, '');
  if (/^(provinsi|prov)$/.test(what)) return 'provinsi';
  if (/^(kabupaten_kota|kab_kota|kabkota|kabupaten|kab|kota)$/.test(what)) return 'kabupaten_kota';
  return null;
}

/** The distinct (code, name) pairs of a region column, with how many rows and the first line. */
export interface CodeTally {
  code: string;
  name: string | null;
  n: number;
  line: number;
}

/**
 * Collects the codes of region columns as rows stream by (the validating path), so they can be
 * judged even when the file is refused for other problems and never becomes a table.
 */
export class RegionTally {
  private readonly tallies = new Map<string, Map<string, CodeTally>>();
  private readonly pairs: Array<{ code: number; name: number; column: string }>;
  /** Beyond this many distinct pairs per column, more are not worth keeping. */
  static readonly MAX_DISTINCT = 20_000;

  constructor(columns: InferredColumn[]) {
    this.pairs = columns
      .filter((c) => c.role === 'region')
      .map((c) => {
        const nameCol = pairedNameColumn(c, columns);
        return { code: columns.indexOf(c), name: nameCol ? columns.indexOf(nameCol) : -1, column: c.name };
      });
    for (const p of this.pairs) this.tallies.set(p.column, new Map());
  }

  /** Counts one row's normalized values (in table column order). */
  add(values: Array<string | null | undefined>, line: number): void {
    for (const p of this.pairs) {
      const code = values[p.code];
      if (code === null || code === undefined) continue;
      const name = p.name >= 0 ? (values[p.name] ?? null) : null;
      const tally = this.tallies.get(p.column)!;
      const key = `${code}\u0000${name ?? ''}`;
      const t = tally.get(key);
      if (t) t.n++;
      else if (tally.size < RegionTally.MAX_DISTINCT) tally.set(key, { code, name, n: 1, line });
    }
  }

  /** The pairs seen in a column, in order of first appearance. */
  rows(column: string): CodeTally[] {
    return [...(this.tallies.get(column)?.values() ?? [])];
  }
}

/**
 * Judges the codes of one region column against the reference codes: detects the scheme (dotted
 * codes are Kemendagri; undotted ones are matched by name where a name column exists, BPS
 * otherwise) and stores it on the column, reports unknown codes as errors and names that do not
 * match their code as warnings.
 */
export function judgeRegionColumn(
  col: InferredColumn,
  nameCol: InferredColumn | undefined,
  rows: CodeTally[],
  wilayah: Wilayah[],
  report: ReportBuilder,
): 'bps' | 'kemendagri' | null {
  if (rows.length === 0) return null;
  // A kode_kabupaten_kota column holding a province code (or the reverse) is wrong too.
  const level = regionLevel(col.name);
  const refs = level ? wilayah.filter((w) => w.level === level) : wilayah;
  const bps = new Map(refs.map((w) => [w.kode_bps, w]));
  const kemendagri = new Map(refs.map((w) => [w.kode_kemendagri, w]));
  const kemendagriUndotted = new Map(refs.map((w) => [undotted(w.kode_kemendagri), w]));
  const dotted = rows.some((r) => r.code.includes('.'));
  const score = (lookup: Map<string, Wilayah>) =>
    rows.reduce((s, r) => {
      const w = lookup.get(r.code.trim());
      if (!w) return s;
      return s + 1 + (r.name && normalizeRegionName(r.name) === normalizeRegionName(w.nama) ? 2 : 0);
    }, 0);
  let scheme: 'bps' | 'kemendagri' = col.refScheme ?? 'bps';
  let lookup = bps;
  if (!col.refScheme) {
    if (dotted) scheme = 'kemendagri';
    else if (score(kemendagriUndotted) > score(bps)) scheme = 'kemendagri';
  }
  if (scheme === 'kemendagri') lookup = dotted ? kemendagri : kemendagriUndotted;
  const schemeLabel = scheme === 'bps' ? 'BPS' : 'Kemendagri';

  for (const r of rows) {
    const w = lookup.get(r.code.trim());
    if (!w) {
      report.error(problem('unknown_region_code', { code: r.code, scheme: schemeLabel, rows: r.n }, { line: r.line, column: col.name, value: r.code }));
      continue;
    }
    if (nameCol && r.name && normalizeRegionName(r.name) !== normalizeRegionName(w.nama)) {
      report.warning(problem('region_name_mismatch', { name: r.name, code: r.code, scheme: schemeLabel, expected: w.nama }, { line: r.line, column: nameCol.name, value: r.name }));
    }
  }
  return scheme;
}

/** Checks every region column of a loaded table (see judgeRegionColumn), reading its codes with SQL; the scheme each one uses. */
export async function checkRegions(
  client: PoolClient,
  table: string,
  columns: InferredColumn[],
  wilayah: Wilayah[],
  lineMap: LineMap,
  report: ReportBuilder,
): Promise<Map<string, 'bps' | 'kemendagri'>> {
  const schemes = new Map<string, 'bps' | 'kemendagri'>();
  for (const col of columns.filter((c) => c.role === 'region')) {
    const nameCol = pairedNameColumn(col, columns);
    const nameSql = nameCol ? quoteIdent(nameCol.name) : 'NULL';
    const { rows } = await client.query<CodeRow>(
      `SELECT ${quoteIdent(col.name)}::text AS code, ${nameSql}::text AS name, count(*)::int AS n, min("_id")::int AS first
         FROM ${tableSql(table)}
        WHERE ${quoteIdent(col.name)} IS NOT NULL
        GROUP BY 1, 2 ORDER BY 4`,
    );
    const scheme = judgeRegionColumn(col, nameCol, rows.map((r) => ({ code: r.code, name: r.name, n: r.n, line: lineOf(lineMap, r.first) })), wilayah, report);
    if (scheme) schemes.set(col.name, scheme);
  }
  return schemes;
}
