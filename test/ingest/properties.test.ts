// Property tests of the loader on generated CSV files: every dialect, encoding and hostile
// header we could think of, huge fields, ragged rows, NUL bytes, titles and footnotes. Whatever
// the file, a load ends in time, with a report, and either a whole table or none; some files carry
// runs of tens of thousands of blank (or whitespace-only) lines at the start, between two rows or
// at the end. Files that are well-formed (however odd) load with exactly their data rows. The seed
// is fixed (PROPERTY_SEED overrides it) and printed with any counterexample, so a failure can be
// replayed.
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { MB, propertyRuns, propertyTestMs, propertyWorld } from '../support/load-property';

const { props } = propertyWorld('data.csv');
/** A load of a small generated file that takes longer than this is taken for a hang. */
const CASE_MS = 20_000;
/** Room for a property's runs (and for shrinking a counterexample when PROPERTY_SHRINK=1). */
const TEST_MS = propertyTestMs(120_000);

const DELIMITERS = [',', ';', '\t', '|'] as const;
const EOLS = ['\n', '\r\n', '\r'] as const;
const ENCODINGS = ['utf-8', 'utf-8-bom', 'windows-1252', 'utf-16le-bom', 'utf-16be-bom'] as const;

/** Headers an OPD's spreadsheet, or an attacker, might put above a table. */
const hostileHeader = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('nama', 'Nama Kabupaten', 'nilai', 'Jumlah Penduduk (Jiwa)', 'Luas (km²)', 'Persentase (%)', 'tahun', 'Ñandú', '日本語', 'Keterangan') },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '   ') },
  { weight: 2, arbitrary: fc.constantFrom('select', 'order', 'from', 'table', 'user', '_id', 'id', 'ID', 'null', 'true', 'group by', 'desc') },
  { weight: 2, arbitrary: fc.constantFrom("'; DROP TABLE versions; --", 'Robert"); DROP TABLE datastore.x;--', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '{{7*7}}', '${process.exit()}', '../../etc/passwd', '"quoted"', '=HYPERLINK("http://x")', '\u202eevil', '\u200b', '🙂') },
  { weight: 2, arbitrary: fc.constantFrom('2021', '2022', '0', '123456', '1.234', '12,5', '%', '²', '---', '_', '__') },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(500), 'Jumlah '.repeat(72), 'é'.repeat(500)) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
);

/** Words for text values: none of them starts like a footnote (`Sumber:`, `*)`, `1)`). */
const WORDS = ['Lampung', 'Barat', 'Tanggamus', 'Metro', 'laki-laki', 'perempuan', 'Desa "Maju"', 'a, b; c|d', 'baris\nbaru', 'tab\there', "O'Brien", 'Ünïcödé', '日本', '🙂 ok'];
const NOTE_START = /^\s*(sumber|source|keterangan|ket\.?|catatan|note|notes|\*|\d{1,2}[).]|[a-z]\))/i;

type Kind = 'integer' | 'decimal_id' | 'decimal_en' | 'code' | 'text' | 'date' | 'year' | 'boolean' | 'mixed';
const kind = fc.constantFrom<Kind>('integer', 'decimal_id', 'decimal_en', 'code', 'text', 'date', 'year', 'boolean', 'mixed');

/** A value of a column of `k`: its usual form, or now and then a missing-value mark. */
function value(k: Kind): fc.Arbitrary<string> {
  const usual: fc.Arbitrary<string> = {
    integer: fc.oneof(fc.integer({ min: -1_000_000, max: 10_000_000 }).map(String), fc.integer({ min: 1000, max: 99_999_999 }).map((n) => n.toLocaleString('id-ID'))),
    decimal_id: fc.integer({ min: -99_999, max: 9_999_999 }).map((n) => (n / 100).toLocaleString('id-ID', { minimumFractionDigits: 2 })),
    decimal_en: fc.integer({ min: -99_999, max: 9_999_999 }).map((n) => (n / 100).toFixed(2)),
    code: fc.integer({ min: 0, max: 99_999 }).map((n) => String(n).padStart(5, '0')),
    text: fc.oneof(fc.constantFrom(...WORDS), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '' && !NOTE_START.test(s))),
    date: fc.date({ min: new Date('1990-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`),
    year: fc.integer({ min: 1990, max: 2030 }).map(String),
    boolean: fc.constantFrom('ya', 'tidak', 'true', 'false'),
    mixed: fc.oneof(fc.integer().map(String), fc.constantFrom(...WORDS), fc.constant('99999999999999999999'), fc.constant('=1+1'), fc.constant('\t=SUM(A1)')),
  }[k];
  return fc.oneof({ weight: 9, arbitrary: usual }, { weight: 1, arbitrary: fc.constantFrom('-', 'NA', 'n/a', '...', '–') });
}

/** A table as the model knows it, before it is written as bytes. */
interface Table {
  headers: string[];
  rows: string[][];
}

/** Headers and rows with at least two filled headers and cells per row (one column: one of each). */
const table: fc.Arbitrary<Table> = fc.integer({ min: 1, max: 6 }).chain((width) =>
  fc
    .record({
      headers: fc.array(hostileHeader, { minLength: width, maxLength: width }),
      kinds: fc.array(kind, { minLength: width, maxLength: width }),
      rowCount: fc.integer({ min: 1, max: 25 }),
    })
    .filter(({ headers }) => headers.filter((h) => h.trim() !== '').length >= Math.min(2, width))
    .chain(({ headers, kinds, rowCount }) =>
      fc
        .array(fc.tuple(...kinds.map((k) => value(k))), { minLength: rowCount, maxLength: rowCount })
        .map((rows) => ({ headers, rows: rows.map((r) => [...r]) })),
    ),
);

interface Dialect {
  delimiter: (typeof DELIMITERS)[number];
  eol: (typeof EOLS)[number];
  encoding: (typeof ENCODINGS)[number];
  quoteAll: boolean;
  finalEol: boolean;
}
const dialect: fc.Arbitrary<Dialect> = fc.record({
  delimiter: fc.constantFrom(...DELIMITERS),
  eol: fc.constantFrom(...EOLS),
  encoding: fc.constantFrom(...ENCODINGS),
  quoteAll: fc.boolean(),
  finalEol: fc.boolean(),
});

/**
 * A long run of blank lines, as real files have them: a sheet saved with its used range far below
 * the table, an export tool's padding. Empty lines, lines of spaces and tabs, or both by turns.
 */
interface BlankRun {
  lines: number;
  fill: 'empty' | 'spaces' | 'mixed';
}
/**
 * Now and then (one case in fifteen at each place: a long run costs a load a few hundred ms, so
 * the property's wall time grows by seconds, not more), tens of thousands of lines.
 */
const blankRun: fc.Arbitrary<BlankRun | null> = fc.oneof(
  { weight: 14, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.record({ lines: fc.integer({ min: 10_000, max: 50_000 }), fill: fc.constantFrom<BlankRun['fill']>('empty', 'spaces', 'mixed') }) },
);
const SPACES = [' ', '  ', '\t', ' \t ', '   '];
function blankLines(run: BlankRun | null): string[] {
  if (!run) return [];
  return Array.from({ length: run.lines }, (_, i) => (run.fill === 'empty' || (run.fill === 'mixed' && i % 2 === 0) ? '' : SPACES[i % SPACES.length]));
}
/**
 * Long runs of blank lines at the file's start, between two data rows, and at its end. Drawn last
 * in each property, after everything else, so the other cases stay those of the seed before.
 */
interface Blanks {
  start: BlankRun | null;
  middle: BlankRun | null;
  end: BlankRun | null;
}
const blanks: fc.Arbitrary<Blanks> = fc.record({ start: blankRun, middle: blankRun, end: blankRun });

/** Lines around the table as spreadsheets write them. */
interface Around {
  titles: string[];
  blankAfterTitles: boolean;
  padTitles: boolean;
  footnotes: string[];
  blankBeforeFootnotes: boolean;
}
const around: fc.Arbitrary<Around> = fc.record({
  titles: fc.array(fc.constantFrom('Tabel 3. Indeks Pembangunan Manusia Menurut Kabupaten/Kota, 2021-2024', 'Tabel 1. Jumlah Penduduk', 'PROVINSI LAMPUNG', 'Data Sektoral Dinas Kesehatan'), { maxLength: 2 }),
  blankAfterTitles: fc.boolean(),
  padTitles: fc.boolean(),
  footnotes: fc.array(fc.constantFrom('Sumber: BPS Provinsi Lampung, 2024', 'Keterangan: angka sementara', 'Catatan: diolah', '*) Angka sementara', '1) Angka sangat sementara'), { maxLength: 2 }),
  blankBeforeFootnotes: fc.boolean(),
});

/** A field as a careful writer quotes it; in a one-column file, any delimiter is quoted (none is the file's). */
function field(v: string, d: Dialect, oneColumn = false): string {
  const needs = d.quoteAll || v.includes(d.delimiter) || /["\r\n]/.test(v) || (oneColumn && /[,;\t|]/.test(v));
  return needs ? `"${v.replace(/"/g, '""')}"` : v;
}

function encode(text: string, e: Dialect['encoding']): Buffer {
  switch (e) {
    case 'utf-8':
      return Buffer.from(text);
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    case 'windows-1252':
      return iconv.encode(text, 'windows-1252');
    case 'utf-16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]);
    case 'utf-16be-bom':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')]);
  }
}

/** The bytes of a table in a dialect with lines around it. Line breaks inside values follow the file's. */
function csvText(tb: Table, d: Dialect, a: Around, b: Blanks): string {
  const width = tb.headers.length;
  const inValue = (v: string) => (d.eol === '\r' ? v.replace(/\n/g, '\r') : v);
  const line = (cells: string[]) => cells.map((c) => field(inValue(c), d, width === 1)).join(d.delimiter);
  const lines: string[] = blankLines(b.start);
  // One filled cell over a one-column table cannot be told from a header: titles go with wider ones.
  // Nor can a title be told above a header of numbers (`0`, `1.234`): those go without one.
  // Nor above a header half of whose cells are empty (in a short file it is shaped like the title).
  const numeric = tb.headers.some((h) => /^[\d.,\s-]+$/.test(h) && /\d/.test(h));
  const sparse = tb.headers.filter((h) => h.trim() !== '').length * 2 <= width;
  const titles = width >= 2 && !numeric && !sparse ? a.titles : [];
  // A title as full as a narrow table's rows is a title only alone and with a blank line under
  // it; otherwise it is quoted, as a spreadsheet writes it.
  // Padded to the table's width, a title with the delimiter in it is quoted too (a spreadsheet does).
  const raw = (title: string) => !title.includes(d.delimiter) || (!a.padTitles && (width > 3 || (titles.length === 1 && a.blankAfterTitles)));
  for (const title of titles) {
    const text = raw(title) ? title : field(title, { ...d, quoteAll: false });
    lines.push(a.padTitles ? text + d.delimiter.repeat(width - 1) : text);
  }
  if (titles.length > 0 && a.blankAfterTitles) lines.push('');
  const rows = tb.rows.map(line);
  // In the middle: between two data rows (a table of one row has no middle).
  const half = Math.ceil(rows.length / 2);
  lines.push(line(tb.headers), ...rows.slice(0, half), ...(rows.length > 1 ? blankLines(b.middle) : []), ...rows.slice(half));
  if (a.footnotes.length > 0 && a.blankBeforeFootnotes) lines.push('');
  for (const note of a.footnotes) lines.push(note.includes(d.delimiter) || width === 1 ? field(note, { ...d, quoteAll: false }, width === 1) : note);
  lines.push(...blankLines(b.end));
  return lines.join(d.eol) + (d.finalEol ? d.eol : '');
}

/** In a one-column table a cell of nothing is a blank line; in a wider one a row keeps two filled cells. */
function usable(tb: Table): boolean {
  const filled = (r: string[]) => r.filter((c) => c.trim() !== '').length;
  return tb.rows.every((r) => filled(r) >= Math.min(2, r.length));
}


/** Ways a file goes wrong: each applied to a well-formed one. */
type Damage =
  | { kind: 'nul'; at: number }
  | { kind: 'ragged'; row: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'stray_quote'; row: number }
  | { kind: 'huge_field'; bytes: number }
  | { kind: 'too_wide' }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'utf16_without_bom' };
const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('nul' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('ragged' as const), row: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('stray_quote' as const), row: fc.nat() }),
  fc.record({ kind: fc.constant('huge_field' as const), bytes: fc.constantFrom(200 * 1024, MB + 1024) }),
  fc.record({ kind: fc.constant('too_wide' as const) }),
  fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 4096 }) }),
  fc.record({ kind: fc.constant('utf16_without_bom' as const) }),
);

/** The bytes of a damaged file, and what the damage must lead to (when anything definite). */
function damaged(tb: Table, d: Dialect, a: Around, dmg: Damage, b: Blanks): { bytes: Buffer; expect?: 'refused' | 'ragged' | 'loaded' } {
  const width = tb.headers.length;
  switch (dmg.kind) {
    case 'nul': {
      const text = csvText(tb, d, a, b);
      const at = Math.floor(dmg.at * text.length);
      return { bytes: encode(text.slice(0, at) + '\0' + text.slice(at), d.encoding), expect: 'refused' };
    }
    case 'ragged': {
      // A row in the middle with one filled field too many: never a title, never a footnote.
      if (tb.rows.length < 3) return { bytes: encode(csvText(tb, d, a, b), d.encoding) };
      const i = 1 + (dmg.row % (tb.rows.length - 2));
      const rows = tb.rows.map((r, j) => (j === i ? [...r, 'lebih'] : r));
      return { bytes: encode(csvText({ ...tb, rows }, d, a, b), d.encoding), expect: 'ragged' };
    }
    case 'truncate': {
      const bytes = encode(csvText(tb, d, a, b), d.encoding);
      return { bytes: bytes.subarray(0, Math.floor(dmg.at * bytes.length)) };
    }
    case 'stray_quote': {
      const i = dmg.row % tb.rows.length;
      const rows = tb.rows.map((r, j) => (j === i ? [`"${r[0]}`, ...r.slice(1)] : r));
      const text = csvText({ ...tb, rows }, { ...d, quoteAll: false }, a, b).replace(`""${rows[i][0].slice(1)}`, `"${rows[i][0].slice(1)}`);
      return { bytes: encode(text, d.encoding) };
    }
    case 'huge_field': {
      // In a text column of its own: under 1 MB it is a value like any other.
      const headers = [...tb.headers, 'catatan'];
      const rows = tb.rows.map((r, j) => [...r, j === 0 ? 'x'.repeat(dmg.bytes) : 'ok']);
      const ok = dmg.bytes < MB;
      return { bytes: encode(csvText({ headers, rows }, d, a, b), d.encoding), expect: ok ? 'loaded' : 'refused' };
    }
    case 'too_wide': {
      const headers = Array.from({ length: 1001 }, (_, i) => `k${i}`);
      const rows = tb.rows.map((r) => headers.map((_, i) => r[i % width]));
      return { bytes: encode(csvText({ headers, rows }, d, a, b), d.encoding), expect: 'refused' };
    }
    case 'garbage':
      return { bytes: Buffer.from(dmg.bytes) };
    case 'utf16_without_bom':
      return { bytes: iconv.encode(csvText(tb, d, a, b), 'utf-16le') };
  }
}

describe('the loader on generated CSV files (property tests)', () => {
  const check = props.check;

  it('loads every well-formed file, in any dialect and encoding, with exactly its data rows', async () => {
    await fc.assert(
      fc.asyncProperty(table.filter(usable), dialect, around, blanks, async (tb, d, a, b) => {
        await check(encode(csvText(tb, d, a, b), d.encoding), (l) =>
          l.result.table === null || l.count !== tb.rows.length ? `expected a table of ${tb.rows.length} rows` : null,
        );
      }),
      propertyRuns(0, 50, CASE_MS),
    );
  }, TEST_MS);

  it('leaves a whole table or none, with a report, for every damaged file', async () => {
    await fc.assert(
      fc.asyncProperty(table.filter(usable), dialect, around, damage, blanks, async (tb, d, a, dmg, b) => {
        const { bytes, expect: outcome } = damaged(tb, d, a, dmg, b);
        await check(bytes, (l) => {
          const codes = l.result.report.errors.map((e) => e.code);
          if (outcome === 'refused' && l.result.table !== null) return 'expected no table';
          if (outcome === 'ragged' && (l.result.table !== null || !codes.includes('ragged_row'))) return 'expected a ragged_row error and no table';
          if (outcome === 'loaded' && l.count !== tb.rows.length) return `expected a table of ${tb.rows.length} rows`;
          return null;
        });
      }),
      propertyRuns(1, 50, CASE_MS),
    );
  }, TEST_MS);

  it('keeps the heap bounded over the run (no load holds on to what it read)', () => {
    const kept = props.kept();
    const peak = props.peak();
    // A 1 MB field is read as text a few times over; nothing near a file's worth may stay.
    expect({ peakMb: Math.round(peak / MB) < 300, keptMb: Math.round(kept / MB) < 64 }).toEqual({ peakMb: true, keptMb: true });
  });
});
