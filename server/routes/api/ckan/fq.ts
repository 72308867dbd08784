import { SEARCH_FIELDS, SORT_FIELDS, type Expr, type SearchField, type SortField } from '../../../queries/package-search';
import { CkanError } from './errors';

// The part of Solr's query syntax that CKAN clients and harvesters write in `q` and `fq`:
// `field:value`, `field:"quoted value"`, `field:(a OR b)`, `metadata_modified:[2024-01-01T00:00:00Z TO *]`,
// `+`/`-`/`NOT` prefixes, `AND`/`OR`/`&&`/`||`, parentheses, `*:*`; juxtaposed clauses are ANDed.

type Token =
  | { t: '(' | ')' | 'AND' | 'OR' | 'NOT' | '+' | '-' }
  | { t: 'word'; v: string; quoted: boolean }
  | { t: 'field'; v: string }
  | { t: 'range'; from: string; to: string };

const bad = (why: string, whyEn = why): CkanError => new CkanError('Search Query Error', 409, `Kueri pencarian tidak valid: ${why}`, `Invalid search query: ${whyEn}`);

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const atBoundary = (j: number) => j >= s.length || /[\s()]/.test(s[j]);
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')') {
      out.push({ t: c });
      i += 1;
    } else if ((c === '+' || c === '-' || c === '!') && i + 1 < s.length && !/\s/.test(s[i + 1])) {
      out.push({ t: c === '+' ? '+' : '-' });
      i += 1;
    } else if (s.startsWith('&&', i) && atBoundary(i + 2)) {
      out.push({ t: 'AND' });
      i += 2;
    } else if (s.startsWith('||', i) && atBoundary(i + 2)) {
      out.push({ t: 'OR' });
      i += 2;
    } else if (c === '"') {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) j += 1;
        v += s[j];
        j += 1;
      }
      if (j >= s.length) throw bad('tanda kutip tidak ditutup', 'unterminated quote');
      out.push({ t: 'word', v, quoted: true });
      i = j + 1;
    } else if (c === '[' || c === '{') {
      const close = s.indexOf(c === '[' ? ']' : '}', i);
      if (close < 0) throw bad('rentang tidak ditutup', 'unterminated range');
      const m = /^\s*(\S+)\s+TO\s+(\S+)\s*$/.exec(s.slice(i + 1, close));
      if (!m) throw bad('rentang harus berbentuk [a TO b]', 'a range must read [a TO b]');
      out.push({ t: 'range', from: m[1], to: m[2] });
      i = close + 1;
    } else {
      let j = i;
      let v = '';
      let field: string | null = null;
      while (j < s.length && !/[\s()]/.test(s[j])) {
        if (s[j] === '\\' && j + 1 < s.length) {
          v += s[j + 1];
          j += 2;
          continue;
        }
        if (s[j] === ':' && field === null) {
          field = v;
          v = '';
          j += 1;
          if (j < s.length && /["[{(]/.test(s[j])) break;
          continue;
        }
        v += s[j];
        j += 1;
      }
      if (field !== null) {
        out.push({ t: 'field', v: field });
        if (v) out.push({ t: 'word', v, quoted: false });
      } else if (v === 'AND' || v === 'OR' || v === 'NOT') out.push({ t: v });
      else out.push({ t: 'word', v, quoted: false });
      i = j;
    }
  }
  return out;
}

const SOLR_DATE = /^(\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)(Z|[+-]\d{2}:?\d{2})?$/;
const UNIT_MS: Record<string, number> = { SECOND: 1e3, MINUTE: 6e4, HOUR: 36e5, DAY: 864e5, WEEK: 6048e5 };

/** A Solr date (`2024-01-01T00:00:00Z`, `NOW`, `NOW-7DAYS`, `NOW/DAY`) or `*` (open end). */
function solrDate(v: string, now: Date): Date | null {
  if (v === '*') return null;
  const rel = /^NOW(?:\/(DAY|HOUR))?(?:([+-])(\d+)(SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|YEAR)S?)?(?:\/(DAY|HOUR))?$/.exec(v);
  if (rel) {
    const d = new Date(now);
    const n = rel[3] ? Number(rel[3]) * (rel[2] === '-' ? -1 : 1) : 0;
    const unit = rel[4];
    if (unit === 'MONTH') d.setUTCMonth(d.getUTCMonth() + n);
    else if (unit === 'YEAR') d.setUTCFullYear(d.getUTCFullYear() + n);
    else if (unit) d.setTime(d.getTime() + n * UNIT_MS[unit]);
    const round = rel[1] ?? rel[5];
    if (round === 'DAY') d.setUTCHours(0, 0, 0, 0);
    if (round === 'HOUR') d.setUTCMinutes(0, 0, 0);
    return d;
  }
  const m = SOLR_DATE.exec(v);
  const d = m ? new Date(m[2] ? v : `${v}${m[1].length > 10 ? 'Z' : 'T00:00:00Z'}`) : null;
  if (!d || Number.isNaN(d.getTime())) throw bad(`tanggal tidak dikenal: ${v}`, `unknown date: ${v}`);
  return d;
}

/** Parses a Solr-style `q`/`fq` into an expression; throws a CKAN Search Query Error. */
export function parseSolr(input: string, now = new Date()): Expr {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];

  const fieldName = (name: string): SearchField => {
    const n = name === 'res_format' ? name : name.replace(/^extras_/, '');
    if (!(SEARCH_FIELDS as readonly string[]).includes(n)) throw bad(`kolom tidak dikenal: ${name}`, `undefined field ${name}`);
    return n as SearchField;
  };

  const value = (field: SearchField): Expr => {
    const tok = take();
    if (!tok) throw bad(`nilai untuk ${field} tidak ada`, `missing value for ${field}`);
    if (tok.t === 'range') {
      if (field !== 'metadata_modified' && field !== 'metadata_created') throw bad(`rentang hanya untuk tanggal (${field})`, `ranges only apply to dates (${field})`);
      return { kind: 'range', field, from: solrDate(tok.from, now), to: solrDate(tok.to, now) };
    }
    if (tok.t === 'word') return { kind: 'term', field, value: tok.v };
    if (tok.t === '(') {
      const items: Expr[] = [];
      let op: 'and' | 'or' = 'or';
      while (peek() && peek().t !== ')') {
        const t = peek();
        if (t.t === 'OR') { take(); op = 'or'; continue; }
        if (t.t === 'AND') { take(); op = 'and'; continue; }
        if (t.t === '-' || t.t === 'NOT') { take(); items.push({ kind: 'not', item: value(field) }); continue; }
        if (t.t === '+') { take(); continue; }
        items.push(value(field));
      }
      if (take()?.t !== ')') throw bad('kurung tidak ditutup', 'unbalanced parentheses');
      return { kind: op, items };
    }
    throw bad(`nilai tidak valid untuk ${field}`, `invalid value for ${field}`);
  };

  const primary = (): Expr => {
    const tok = take();
    if (!tok) throw bad('kueri berakhir terlalu cepat', 'unexpected end of query');
    if (tok.t === '(') {
      const e = orExpr();
      if (take()?.t !== ')') throw bad('kurung tidak ditutup', 'unbalanced parentheses');
      return e;
    }
    if (tok.t === 'field') {
      if (tok.v === '*' ) {
        const v = take();
        if (v?.t === 'word' && v.v === '*') return { kind: 'all' };
        throw bad('hanya *:* yang boleh tanpa nama kolom', 'only *:* may omit the field name');
      }
      return value(fieldName(tok.v));
    }
    if (tok.t === 'word') return tok.v === '*' ? { kind: 'all' } : { kind: 'text', value: tok.v };
    throw bad('susunan kueri tidak valid', 'malformed query');
  };

  const unary = (): Expr => {
    const t = peek();
    if (t && (t.t === '-' || t.t === 'NOT')) {
      take();
      return { kind: 'not', item: unary() };
    }
    if (t && t.t === '+') take();
    return primary();
  };

  const andExpr = (): Expr => {
    const items = [unary()];
    for (;;) {
      const t = peek();
      if (!t || t.t === ')' || t.t === 'OR') break;
      if (t.t === 'AND') take();
      items.push(unary());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  };

  const orExpr = (): Expr => {
    const items = [andExpr()];
    while (peek()?.t === 'OR') {
      take();
      items.push(andExpr());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  };

  if (!tokens.length) return { kind: 'all' };
  const e = orExpr();
  if (pos < tokens.length) throw bad('kurung tidak seimbang', 'unbalanced parentheses');
  return e;
}

/** CKAN's `q`: Solr syntax when it names a field, else free text searched as a whole. */
export function parseQ(q: string | undefined): Expr | null {
  const s = q?.trim();
  if (!s || s === '*:*' || s === '*') return null;
  if (/(^|[\s(+-])[A-Za-z_*]+:/.test(s)) return parseSolr(s);
  return { kind: 'text', value: s };
}

/** CKAN's own default order of package_search. */
export const DEFAULT_SORT = 'score desc, metadata_modified desc';

/** `metadata_modified desc, title_string asc` into sort keys (CKAN's default when empty). */
export function parseSort(sort: string | undefined): Array<{ field: SortField; dir: 'asc' | 'desc' }> {
  const s = sort?.trim() || DEFAULT_SORT;
  return s.split(',').map((part) => {
    const [field, dir = 'asc', ...rest] = part.trim().split(/\s+/);
    const f = field === 'title' ? 'title_string' : field;
    if (rest.length || !(SORT_FIELDS as readonly string[]).includes(f) || !['asc', 'desc'].includes(dir.toLowerCase())) {
      throw bad(`urutan tidak dikenal: ${part.trim()}`, `can not sort on ${part.trim()}`);
    }
    return { field: f as SortField, dir: dir.toLowerCase() as 'asc' | 'desc' };
  });
}
