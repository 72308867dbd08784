// Property tests of the loader on generated XLSX workbooks, written byte by byte (no spreadsheet
// program would write most of them): shared or inline strings, rows with and without `r`
// attributes, huge declared dimensions, cells at the far edge of the sheet, shared-strings bombs,
// deep nesting, broken containers. Whatever the workbook, a load ends in time with a report and
// a whole table or none; well-formed sheets load with exactly their rows. The seed is fixed
// (PROPERTY_SEED overrides it) and printed with any counterexample.
import fs from 'node:fs';
import fc from 'fast-check';
import { MB, propertyRuns, propertyTestMs, propertyWorld } from '../support/load-property';
import { makeZip, sheetXml, workbookEntries } from '../support/zip';

const { props } = propertyWorld('data.xlsx');
/** Each workbook is read in a thread of its own: slower than a CSV, still seconds at most. */
const CASE_MS = 30_000;
const TEST_MS = propertyTestMs(150_000);

/** Text XML 1.0 can hold (no control characters, no lone surrogates, no U+FFFE/FFFF). */
const xmlSafe = (s: string) => s.replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '');
const esc = (s: string) => xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const header = fc.oneof(
  fc.constantFrom('nama', 'Jumlah Penduduk (Jiwa)', 'select', '_id', 'order', '<script>alert(1)</script>', "'; DROP TABLE versions; --", 'x'.repeat(500), 'Luas (km²)', '日本語', '&amp;', ']]>'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(xmlSafe).filter((s) => /\p{L}/u.test(s)),
);
const WORDS = ['Lampung Barat', 'Tanggamus', 'a, b; "c"', 'baris\nbaru', '<b>tebal</b>', '=1+1', 'Ünïcödé'];
/** A column's values: numbers, or words (a column of numbers with a word among them is refused, rightly). */
const columnValues = (n: number): fc.Arbitrary<Array<string | number>> =>
  fc.oneof(
    fc.array(fc.oneof(fc.integer({ min: -1_000_000, max: 10_000_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })), { minLength: n, maxLength: n }),
    fc.array(fc.constantFrom(...WORDS), { minLength: n, maxLength: n }),
  );

/** A well-formed sheet: a header of words (two or more when wide) and rows with two or more values. */
interface Sheet {
  headers: string[];
  rows: Array<Array<string | number>>;
}
const sheet: fc.Arbitrary<Sheet> = fc.record({ width: fc.integer({ min: 1, max: 5 }), height: fc.integer({ min: 1, max: 30 }) }).chain(({ width, height }) =>
  fc.record({
    headers: fc.uniqueArray(header, { minLength: width, maxLength: width }),
    rows: fc.array(columnValues(height), { minLength: width, maxLength: width }).map((cols) => Array.from({ length: height }, (_, i) => cols.map((c) => c[i]))),
  }),
);

/** How the cells are written. */
interface Writing {
  strings: 'shared' | 'inline' | 'str';
  refs: boolean;
  dimension: 'none' | 'true' | 'huge';
  /** Rows of the sheet start this far down (blank rows above, as after a title block's removal). */
  offset: number;
}
const writing: fc.Arbitrary<Writing> = fc.record({
  strings: fc.constantFrom('shared' as const, 'inline' as const, 'str' as const),
  refs: fc.boolean(),
  dimension: fc.constantFrom('none' as const, 'true' as const, 'huge' as const),
  offset: fc.constantFrom(0, 0, 2, 50_000),
});

const col = (i: number) => {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
};

/** The workbook's bytes for a sheet written in a way. */
function workbook(sh: Sheet, w: Writing): Buffer {
  const strings: string[] = [];
  const cell = (v: string | number, r: number, c: number) => {
    const ref = w.refs ? ` r="${col(c)}${r}"` : '';
    if (typeof v === 'number') return `<c${ref}><v>${v}</v></c>`;
    if (w.strings === 'inline') return `<c${ref} t="inlineStr"><is><t>${esc(v)}</t></is></c>`;
    if (w.strings === 'str') return `<c${ref} t="str"><v>${esc(v)}</v></c>`;
    strings.push(v);
    return `<c${ref} t="s"><v>${strings.length - 1}</v></c>`;
  };
  // Without `r` on rows, the blank rows above are written as empty rows, as some exporters do.
  const lines = [sh.headers, ...sh.rows].map((cells, i) => {
    const r = w.offset + i + 1;
    return `<row${w.refs ? ` r="${r}"` : ''}>${cells.map((v, c) => cell(v, r, c)).join('')}</row>`;
  });
  const above = w.refs ? [] : Array.from({ length: w.offset }, () => '<row/>');
  let xml = sheetXml([...above, ...lines]);
  const dim = w.dimension === 'huge' ? 'A1:XFD1048576' : `A1:${col(sh.headers.length - 1)}${w.offset + sh.rows.length + 1}`;
  if (w.dimension !== 'none') xml = xml.replace('<sheetData>', `<dimension ref="${dim}"/><sheetData>`);
  const sst = strings.length
    ? `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length}">${strings.map((s) => `<si><t xml:space="preserve">${esc(s)}</t></si>`).join('')}</sst>`
    : undefined;
  return makeZip(workbookEntries(xml, { sharedStrings: sst }));
}

/** Workbooks made to hurt. */
type Hostile =
  | { kind: 'far_cells'; rows: number }
  | { kind: 'far_row'; row: number }
  | { kind: 'shared_strings_bomb'; refs: number }
  | { kind: 'dense_shared_strings'; mb: number }
  | { kind: 'deep_nesting'; depth: number }
  | { kind: 'size_lie' }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'truncated'; at: number }
  | { kind: 'no_sheets' }
  | { kind: 'bad_index' };
const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  fc.record({ kind: fc.constant('far_cells' as const), rows: fc.integer({ min: 1, max: 3000 }) }),
  // Blank rows cost the sniffer a parsed record each: a million of them (r="1048576") still takes
  // minutes, so the gap stays in the thousands here.
  fc.record({ kind: fc.constant('far_row' as const), row: fc.integer({ min: 3, max: 5000 }) }),
  fc.record({ kind: fc.constant('shared_strings_bomb' as const), refs: fc.integer({ min: 5000, max: 40_000 }) }),
  fc.record({ kind: fc.constant('dense_shared_strings' as const), mb: fc.integer({ min: 2, max: 8 }) }),
  fc.record({ kind: fc.constant('deep_nesting' as const), depth: fc.constantFrom(1000, 100_000) }),
  fc.record({ kind: fc.constant('size_lie' as const) }),
  fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 0, maxLength: 2048 }) }),
  fc.record({ kind: fc.constant('truncated' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('no_sheets' as const) }),
  fc.record({ kind: fc.constant('bad_index' as const) }),
);

const SST = (items: string) => `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${items}</sst>`;

/** The bytes of a hostile workbook (built on a well-formed sheet where it needs one), and whether it must be refused. */
function hostileWorkbook(sh: Sheet, w: Writing, h: Hostile): { bytes: Buffer; refused: boolean } {
  switch (h.kind) {
    case 'far_cells': {
      // A cell in the sheet's last column on many rows: a CSV 16,384 fields wide.
      const rows = Array.from({ length: h.rows }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c><c r="XFD${i + 1}"><v>1</v></c></row>`);
      return { bytes: makeZip(workbookEntries(sheetXml(rows))), refused: true };
    }
    case 'far_row': {
      const r = h.row;
      const rows = [`<row r="1"><c r="A1" t="str"><v>nama</v></c><c r="B1" t="str"><v>nilai</v></c></row>`, `<row r="${r}"><c r="A${r}" t="str"><v>x</v></c><c r="B${r}"><v>1</v></c></row>`];
      return { bytes: makeZip(workbookEntries(sheetXml(rows))), refused: false };
    }
    case 'shared_strings_bomb': {
      // One 32 KB string pointed at by every row: a small file, hundreds of megabytes of CSV.
      const big = 'Lampung '.repeat(4000);
      const rows = [`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`];
      for (let i = 2; i <= h.refs + 1; i++) rows.push(`<row r="${i}"><c r="A${i}" t="s"><v>1</v></c></row>`);
      return { bytes: makeZip(workbookEntries(sheetXml(rows), { sharedStrings: SST(`<si><t>nama</t></si><si><t>${big}</t></si>`) })), refused: true };
    }
    case 'dense_shared_strings': {
      const items = `<si><t>${'x'.repeat(1000)}</t></si>`.repeat(h.mb * 1000);
      return { bytes: makeZip(workbookEntries(sheetXml([`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`]), { sharedStrings: SST(items) })), refused: true };
    }
    case 'deep_nesting': {
      const open = '<x>'.repeat(h.depth);
      const close = '</x>'.repeat(h.depth);
      const rows = [`<row r="1"><c r="A1" t="inlineStr"><is><t>nama</t></is></c></row>`, `<row r="2"><c r="A2"><v>${open}1${close}</v></c></row>`];
      return { bytes: makeZip(workbookEntries(sheetXml(rows))), refused: false };
    }
    case 'size_lie': {
      const xml = sheetXml([`<row r="1"><c r="A1" t="str"><v>nama</v></c></row>`, `<row r="2"><c r="A2"><v>1</v></c></row>`]);
      return { bytes: makeZip(workbookEntries(xml, { declaredSheetSize: 10 })), refused: true };
    }
    case 'garbage':
      return { bytes: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(h.bytes)]), refused: true };
    case 'truncated': {
      const bytes = workbook(sh, w);
      return { bytes: bytes.subarray(0, Math.max(4, Math.floor(h.at * (bytes.length - 1)))), refused: true };
    }
    case 'no_sheets': {
      const entries = workbookEntries(sheetXml([])).map((e) =>
        e.name === 'xl/workbook.xml' ? { ...e, data: String(e.data).replace(/<sheets>.*<\/sheets>/, '<sheets/>') } : e,
      );
      return { bytes: makeZip(entries), refused: true };
    }
    case 'bad_index': {
      const rows = [`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>99999999</v></c></row>`, `<row r="2"><c r="A2" t="s"><v>-1</v></c><c r="B2"><v>1</v></c></row>`];
      return { bytes: makeZip(workbookEntries(sheetXml(rows), { sharedStrings: SST('<si><t>nama</t></si>') })), refused: false };
    }
  }
}


describe('the loader on generated XLSX workbooks (property tests)', () => {
  const check = props.check;

  it('loads every well-formed sheet, however its cells are written, with exactly its rows', async () => {
    await fc.assert(
      fc.asyncProperty(sheet, writing, async (sh, w) => {
        await check(workbook(sh, w), (l) => (l.count !== sh.rows.length ? `expected a table of ${sh.rows.length} rows` : null));
      }),
      propertyRuns(0, 12, CASE_MS),
    );
  }, TEST_MS);

  it('answers every hostile workbook in time with a report, and a whole table or none', async () => {
    await fc.assert(
      fc.asyncProperty(sheet, writing, hostile, async (sh, w, h) => {
        const { bytes, refused } = hostileWorkbook(sh, w, h);
        if (process.env.PROPERTY_TRACE) fs.appendFileSync(process.env.PROPERTY_TRACE, `${new Date().toISOString()} ${h.kind} ${JSON.stringify({ ...h, bytes: undefined })} ${bytes.length}\n`);
        await check(bytes, (l) => (refused && l.result.table !== null ? 'expected no table' : null));
      }),
      propertyRuns(1, 14, CASE_MS),
    );
  }, TEST_MS);

  it('keeps the heap bounded over the run', () => {
    const kept = props.kept();
    const peak = props.peak();
    expect({ peakUnder300Mb: peak < 300 * MB, keptUnder64Mb: kept < 64 * MB }).toEqual({ peakUnder300Mb: true, keptUnder64Mb: true });
  });
});
