import { testWorld } from '../support/world';
import { load, types, values, versionTables } from '../support/ingest';
import { HEAD_BYTES } from '../../server/ingest/sniff';

const t = testWorld();


/**
 * A file whose sniffed head and tail are canonical (so the fast COPY path is taken) with `late`
 * rows in the middle, past the head and before the tail's sample: line of the first late row too.
 */
function withLateRows(header: string, row: (i: number) => string, late: string[]): { csv: string; lateLine: number } {
  const early: string[] = [];
  for (let i = 0, size = 0; size <= HEAD_BYTES + 1000; i++) {
    early.push(row(i));
    size += early[early.length - 1].length + 1;
  }
  const tail = Array.from({ length: 5000 }, (_, i) => row(i)); // > 64 KB: the late rows stay unsampled
  return { csv: `${header}\n${early.join('\n')}\n${late.join('\n')}\n${tail.join('\n')}\n`, lateLine: early.length + 2 };
}

describe('the fast path reads unsampled rows as the validating path would', () => {
  it('turns missing-value spellings in text columns into NULL and trims spaces', async () => {
    const { csv, lateLine } = withLateRows('nama,keterangan,nilai', (i) => `Desa ${i},baik,${i}`, [
      'Desa x,-,1',
      'Desa y,NA,2',
      'Desa z,  ada spasi ,3',
      '...,n/a,4',
    ]);
    const l = await load(t.svc, t.w, csv);
    expect(l.report.errors).toEqual([]);
    expect(l.v.dialect.path).toBe('fast');
    const late = l.rows.slice(lateLine - 2, lateLine + 2);
    expect(late.map((r) => [r.nama, r.keterangan])).toEqual([
      ['Desa x', null],
      ['Desa y', null],
      ['Desa z', 'ada spasi'],
      [null, null],
    ]);
  });

  it('reads a late dd/mm/yyyy date as day first', async () => {
    const { csv, lateLine } = withLateRows('nama,tanggal', (i) => `Desa ${i},2025-01-15`, ['Desa x,01/02/2025', 'Desa y,3/4/2025']);
    const l = await load(t.svc, t.w, csv);
    expect(l.report.errors).toEqual([]);
    expect(types(l)).toEqual([['nama', 'text'], ['tanggal', 'date']]);
    expect(l.rows.slice(lateLine - 2, lateLine).map((r) => r.tanggal)).toEqual(['2025-02-01', '2025-04-03']);
  });

  it('reports a late year outside 1900–2100 with its line', async () => {
    const { csv, lateLine } = withLateRows('nama,tahun', (i) => `Desa ${i},2024`, ['Desa x,1850']);
    const l = await load(t.svc, t.w, csv);
    expect(l.report.errors).toEqual([expect.objectContaining({ code: 'type_mismatch', line: lateLine, column: 'tahun', value: '1850' })]);
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });

  it('reports a late NaN or Infinity in a number column and infinity in a date column', async () => {
    const { csv, lateLine } = withLateRows('nama,rasio,tanggal', (i) => `Desa ${i},${i}.5,2025-01-15`, [
      'Desa x,NaN,2025-01-15',
      'Desa y,Infinity,2025-01-15',
      'Desa z,1.5,infinity',
    ]);
    const l = await load(t.svc, t.w, csv);
    expect(l.report.errors.map((e) => [e.line, e.column, e.value])).toEqual([
      [lateLine, 'rasio', 'NaN'],
      [lateLine + 1, 'rasio', 'Infinity'],
      [lateLine + 2, 'tanggal', 'infinity'],
    ]);
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });

  it('reports late NUL bytes as binary content with their line, and keeps no table', async () => {
    const { csv, lateLine } = withLateRows('nama,nilai', (i) => `Desa ${i},${i}`, ['Desa\u0000x,1']);
    const l = await load(t.svc, t.w, csv);
    expect(l.v.state).toBe('failed');
    expect(l.report.errors).toEqual([expect.objectContaining({ code: 'binary_file', line: lateLine })]);
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });
});

describe('columns dropped as empty', () => {
  it.each([
    ['fast', (i: number) => `Desa ${i},${i},`],
    ['validating', (i: number) => `Desa ${i},"${(i * 1000).toLocaleString('id-ID')}",`],
  ])('refuses values that turn up late in an untitled column dropped as empty (%s path)', async (path, row) => {
    const { csv, lateLine } = withLateRows('nama,nilai,', row, ['Desa x,1,catatan penting', ...Array(12).fill('Desa y,2,lagi')]);
    const l = await load(t.svc, t.w, csv);
    expect(l.v.dialect.path).toBe(path);
    expect(l.report.counts.errors).toEqual({ values_in_untitled_column: 13 });
    expect(l.report.counts.warnings.empty_columns_dropped).toBe(1);
    expect(l.report.errors).toHaveLength(10);
    expect(l.report.errors[0]).toMatchObject({ code: 'values_in_untitled_column', line: lateLine, value: 'catatan penting', message: expect.stringContaining('judul') });
    expect(l.report.errors[1]).toMatchObject({ line: lateLine + 1, value: 'lagi' });
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });
});

describe('blank rows', () => {
  it('skips rows of empty fields (Excel’s blank rows) with a warning, whatever the path', async () => {
    const l = await load(t.svc, t.w, 'nama,nilai\r\nA,1\r\n,\r\nB,2\r\n"",""\r\n , \r\nC,3\r\n');
    expect(l.report.errors).toEqual([]);
    expect(values(l.rows)).toEqual([{ nama: 'A', nilai: 1 }, { nama: 'B', nilai: 2 }, { nama: 'C', nilai: 3 }]);
    expect(l.report.warnings.filter((p) => p.code === 'blank_row').map((p) => p.line)).toEqual([3, 5, 6]);
  });

  it('skips blank lines in a one-column file', async () => {
    const l = await load(t.svc, t.w, 'nama\nA\n\nB\n \nC\n');
    expect(l.rows.map((r) => r.nama)).toEqual(['A', 'B', 'C']);
  });

  it('skips blank rows past the sampled head', async () => {
    const { csv, lateLine } = withLateRows('nama,nilai', (i) => `Desa ${i},${i}`, [',', '"",""']);
    const l = await load(t.svc, t.w, csv);
    expect(l.report.errors).toEqual([]);
    expect(l.rows.filter((r) => r.nama === null)).toEqual([]);
    expect(l.report.warnings.filter((p) => p.code === 'blank_row').map((p) => p.line)).toEqual([lateLine, lateLine + 1]);
  });
});

describe('integers too large for a whole-number column', () => {
  it('loads them as numbers instead of failing', async () => {
    const l = await load(t.svc, t.w, 'nama,nilai\nA,1\nB,99999999999999999999\nC,3\n');
    expect(l.report.errors).toEqual([]);
    expect(l.v.state).toBe('draft');
    expect(types(l)).toEqual([['nama', 'text'], ['nilai', 'number']]);
  });

  it('loads a late one as a number too', async () => {
    const { csv } = withLateRows('nama,nilai', (i) => `Desa ${i},${i}`, ['Desa x,123456789012345678901234']);
    const l = await load(t.svc, t.w, csv);
    expect(l.report.errors).toEqual([]);
    expect(types(l)).toEqual([['nama', 'text'], ['nilai', 'number']]);
  });
});
