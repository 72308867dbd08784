// Blank lines by the million (a sheet saved with its used range far below the table, a file padded
// by an export tool) must cost the sniff no more than the lines themselves: csv-parse builds an error
// object per record whose field count differs from the first record's, and a 1 MB file of blank
// lines held the event loop for 24 s. Runs of blank lines are read as one, their lines counted back.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { emptyBlankLines } from '../../server/ingest/run/blank-lines';
import { parseRecords, squeezeBlankRuns } from '../../server/ingest/sniff/records';
import { testWorld } from '../support/world';
import { load, values } from '../support/ingest';

const t = testWorld();

describe('runs of blank lines', () => {
  it('are squeezed to one blank line each, remembering how many lines they had', () => {
    expect(squeezeBlankRuns('a\n\n \n\t\r\nb\n\nc\n\n\n')).toEqual({ text: 'a\n\nb\n\nc\n\n', gaps: [[2, 2], [6, 1]] });
    expect(squeezeBlankRuns('a\nb\n\nc\n')).toEqual({ text: 'a\nb\n\nc\n', gaps: [] });
    // A line of delimiters is a record of the table's width, not a blank line.
    expect(squeezeBlankRuns('a,b\n,\n,\n1,2\n').gaps).toEqual([]);
  });

  it('keep every record\'s real line numbers (a million blank lines read as one record)', () => {
    const recs = parseRecords('a,b\n1,2\n' + '\n'.repeat(1_000_000) + '3,"x\n\n\ny"\nSumber: BPS\n', ',');
    expect(recs.map((r) => [r.cells, r.startLine, r.endLine])).toEqual([
      [['a', 'b'], 1, 1],
      [['1', '2'], 2, 2],
      [[''], 3, 1_000_002],
      // A quoted value's own empty lines are squeezed in the sniff's copy; its lines still count.
      [['3', 'x\n\ny'], 1_000_003, 1_000_006],
      [['Sumber: BPS'], 1_000_007, 1_000_007],
    ]);
  });

  it('load: a million blank lines inside a table and above its note', async () => {
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    const l = await load(t.svc, t.w, 'a,b,c\n1,2,3\n' + '\n'.repeat(1_000_000) + '4,5,6\n' + ' \n'.repeat(300_000) + 'Sumber: BPS, 2025\n');
    expect(l.report.errors).toEqual([]);
    expect(values(l.rows)).toEqual([{ a: 1, b: 2, c: 3 }, { a: 4, b: 5, c: 6 }]);
    loop.disable();
    console.log('longest event-loop stall while loading 1.3 million blank lines:', Math.round(loop.max / 1e6), 'ms');
    expect(l.report.warnings.map((w) => [w.code, w.line])).toContainEqual(['footnote_skipped', 1_300_004]);
  }, 300_000);

  it('load: a million blank lines above the header of a ragged file names the right line', async () => {
    const l = await load(t.svc, t.w, '\n'.repeat(1_000_000) + 'nama,a,b\nX,1,2\nY,1,2,3\nZ,1,2\n');
    expect(l.rows).toEqual([]);
    expect(l.report.errors.map((e) => [e.code, e.line])).toEqual([['ragged_row', 1_000_003]]);
  }, 300_000);

  it('of spaces are emptied before the validating parse, outside quotes only, line breaks kept', () => {
    expect(emptyBlankLines('a,b\n  \n\t \r\n1,2\n', false)).toEqual({ text: 'a,b\n\n\r\n1,2\n', inQuote: false });
    // Inside a quoted cell a line of spaces is the cell's own: left alone, also across chunks.
    expect(emptyBlankLines('1,"x\n  \ny"\n  \n', false)).toEqual({ text: '1,"x\n  \ny"\n\n', inQuote: false });
    expect(emptyBlankLines('  \ny"\n  \n', true)).toEqual({ text: '  \ny"\n\n', inQuote: false });
    expect(emptyBlankLines('1,"say ""hi""\n  \n', false)).toEqual({ text: '1,"say ""hi""\n  \n', inQuote: true });
  });

  it('load: a quoted cell keeps its own line of spaces while the lines of spaces around it go', async () => {
    const l = await load(t.svc, t.w, 'a,b\n1,"x\n  \ny"\n  \n' + ' \n'.repeat(50_000) + '2,z\n');
    expect(l.report.errors).toEqual([]);
    expect(values(l.rows)).toEqual([{ a: 1, b: 'x\n  \ny' }, { a: 2, b: 'z' }]);
  }, 300_000);

  // Found by the property tests (properties.test.ts, a damaged file with a long run of lines of
  // spaces): quotes were counted, so `""…"` (an empty quoted field and then text, which csv-parse
  // reads as plain text) left the rest of the file "inside a quote" and no line of spaces was
  // emptied; 60,000 of them took the validating load 18 s.
  it('of spaces are emptied after quotes that open no quoted field, as csv-parse reads them', () => {
    const after = (line: string, delimiter = ',') => emptyBlankLines(`${line}\n  \n\t\n`, false, delimiter);
    for (const [line, delimiter] of [['""..."|2|3', '|'], ['x"y,1', ','], ['"a"b;1', ';'], ['1,2"', ','], ['a\t"b"c\t1"', '\t']]) {
      expect([line, after(line, delimiter)]).toEqual([line, { text: `${line}\n\n\n`, inQuote: false }]);
    }
    // A quoted field opens at a field's start only, and `""` inside it is a quote.
    expect(emptyBlankLines('1;"x""\n  \n', false, ';')).toEqual({ text: '1;"x""\n  \n', inQuote: true });
    expect(emptyBlankLines('1;"x"""\n  \n', false, ';')).toEqual({ text: '1;"x"""\n\n', inQuote: false });
    expect(emptyBlankLines('1;x";"a\n  \n', false, ';')).toEqual({ text: '1;x";"a\n  \n', inQuote: true });
  });

  it('load: 60,000 lines of spaces after a row whose first cell is ""..." load as the rows they are', async () => {
    const spaces = Array.from({ length: 60_000 }, (_, i) => [' ', '  ', '\t', ' \t '][i % 4]).join('\r\n');
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    const l = await load(t.svc, t.w, `nama|nilai|tahun\r\nA|1|2020\r\n""..."|2|2021\r\nB|3|2022\r\n${spaces}\r\nC|4|2023\r\n`);
    loop.disable();
    console.log('longest event-loop stall while loading 60,000 lines of spaces after a stray quote:', Math.round(loop.max / 1e6), 'ms');
    expect(l.report.errors).toEqual([]);
    expect(values(l.rows).map((r) => r.nama)).toEqual(['A', '""..."', 'B', 'C']);
  }, 300_000);
});
