import { stringify } from 'csv-stringify/sync';

/**
 * A JSON API's answer → the table the loader reads. `records_path` picks the list of records
 * (`data.items`, `$.data.items[*]`, or empty for an answer that is itself the list); `fields`
 * maps each column to a path inside a record (`{"kode": "wilayah.kode", "jumlah": "nilai"}`);
 * without it, every scalar key of the records becomes a column, in the order first seen. The
 * CSV is deterministic, so the same records always give the same bytes (and sha256): only a
 * change of the records makes a new version.
 */

export class BadRecords extends Error {
  constructor(readonly id: string, en: string) {
    super(en);
  }
}

function steps(path: string): string[] {
  return path
    .trim()
    .replace(/^\$\.?/, '')
    .replace(/\[\*\]$/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\[['"]([^'"]+)['"]\]/g, '.$1')
    .split('.')
    .filter(Boolean);
}

/** The value at a dotted path (`a.b.0.c`), or undefined. */
export function valueAt(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const step of steps(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};

/** Records of a parsed JSON answer as CSV text with a header line. */
export function recordsToCsv(answer: unknown, recordsPath: string | null | undefined, fields: Record<string, string> | null | undefined): { csv: string; rows: number } {
  const list = recordsPath ? valueAt(answer, recordsPath) : answer;
  if (!Array.isArray(list)) {
    throw new BadRecords(
      `Jawaban API tidak berisi daftar rekaman di "${recordsPath || '(akar)'}".`,
      `The API answer holds no list of records at "${recordsPath || '(root)'}".`,
    );
  }
  let columns: string[];
  let pick: (r: unknown) => unknown[];
  if (fields && Object.keys(fields).length) {
    columns = Object.keys(fields);
    pick = (r) => columns.map((c) => valueAt(r, fields[c]));
  } else {
    const seen = new Set<string>();
    for (const r of list) {
      if (r && typeof r === 'object' && !Array.isArray(r)) for (const k of Object.keys(r)) seen.add(k);
    }
    columns = [...seen];
    pick = (r) => columns.map((c) => (r && typeof r === 'object' ? (r as Record<string, unknown>)[c] : undefined));
  }
  if (!columns.length) {
    throw new BadRecords('Rekaman dari API tidak memiliki kolom.', 'The API\'s records have no columns.');
  }
  const csv = stringify([columns, ...list.map((r) => pick(r).map(cell))]);
  return { csv, rows: list.length };
}
