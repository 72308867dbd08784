import { quoteIdent } from '../db/datastore';

/** A column of a version as the diff needs it. */
export interface DiffColumn {
  name: string;
  type: string;
  role: string;
}

/** One side of a diff: a loaded version. */
export interface DiffSide {
  number: number;
  table_name: string | null;
  columns: DiffColumn[];
}

/** A column present in both versions, with the SQL each side is compared through. */
export interface SharedColumn {
  name: string;
  from: string;
  to: string;
  /** SQL of the base value (table alias `a`) and target value (alias `b`) as compared. */
  a: string;
  b: string;
}

const NUMERIC = new Set(['integer', 'number', 'year']);

/**
 * How a shared column is compared. Same type: the typed values, so `numeric 2.10` equals `2.1` and
 * dates compare as dates (the loader already normalised the file's spelling). Both numeric-ish
 * (integer/number/year): as numeric, so a column retyped integer → number keeps equal figures equal.
 * Otherwise as text, the only common ground (e.g. a code column that became an integer).
 */
export function compareSql(alias: 'a' | 'b', name: string, from: string, to: string): string {
  const col = `${alias}.${quoteIdent(name)}`;
  if (from === to) return col;
  if (NUMERIC.has(from) && NUMERIC.has(to)) return `${col}::numeric`;
  return `${col}::text`;
}

/** Columns added, removed and retyped from `base` to `target`, and the shared ones in target order. */
export function diffColumns(base: DiffColumn[] | null, target: DiffColumn[]) {
  const before = new Map((base ?? []).map((c) => [c.name, c]));
  const after = new Set(target.map((c) => c.name));
  const shared: SharedColumn[] = [];
  const retyped: Array<{ name: string; from: string; to: string }> = [];
  for (const c of target) {
    const old = before.get(c.name);
    if (!old) continue;
    if (old.type !== c.type) retyped.push({ name: c.name, from: old.type, to: c.type });
    shared.push({ name: c.name, from: old.type, to: c.type, a: compareSql('a', c.name, old.type, c.type), b: compareSql('b', c.name, old.type, c.type) });
  }
  return {
    added: target.filter((c) => !before.has(c.name)).map((c) => c.name),
    removed: (base ?? []).filter((c) => !after.has(c.name)).map((c) => c.name),
    retyped,
    shared,
  };
}
