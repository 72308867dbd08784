import { testWorld } from '../support/world';
import { load, types, values } from '../support/ingest';
import { makeZip, sheetXml, workbookEntries } from '../support/zip';
import { HEAD_BYTES } from '../../server/ingest/sniff';

const t = testWorld();

const IPM_HEADER = 'kode_kabupaten_kota,nama_kabupaten_kota,ipm_2021,ipm_2022,ipm_2023,ipm_2024';
const IPM_ROWS = [
  '1801,LAMPUNG BARAT,67.10,67.80,68.49,69.10',
  '1802,TANGGAMUS,66.88,67.41,68.10,68.77',
  '1803,LAMPUNG SELATAN,68.22,68.85,69.40,70.03',
  '1871,BANDAR LAMPUNG,77.44,77.98,78.60,79.20',
];

/** A sheet's XML from rows of plain cell texts (inline strings, and numbers where the text is one). */
function sheet(rows: Array<string[] | null>): string {
  const col = (i: number) => String.fromCharCode(65 + i);
  return sheetXml(
    rows.flatMap((cells, r) =>
      cells === null
        ? []
        : [
            `<row r="${r + 1}">${cells
              .map((c, i) =>
                c === ''
                  ? ''
                  : /^-?\d+(\.\d+)?$/.test(c)
                    ? `<c r="${col(i)}${r + 1}"><v>${c}</v></c>`
                    : `<c r="${col(i)}${r + 1}" t="inlineStr"><is><t>${c.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</t></is></c>`,
              )
              .join('')}</row>`,
          ],
    ),
  );
}

describe('title lines above the header', () => {
  it('takes a title line holding the delimiter for a title, not for a two-column header', async () => {
    const csv = `Tabel 3. Indeks Pembangunan Manusia Menurut Kabupaten/Kota, 2021-2024\n\n${IPM_HEADER}\n${IPM_ROWS.join('\n')}\n`;
    const l = await load(t.svc, t.w, csv);
    expect(l.report.errors).toEqual([]);
    expect(l.v.state).toBe('draft');
    expect(l.columns.map((c) => c.name)).toEqual(IPM_HEADER.split(','));
    expect(l.rows).toHaveLength(4);
    expect(l.report.warnings.filter((p) => p.code === 'title_skipped').map((p) => [p.line, p.value])).toEqual([
      [1, 'Tabel 3. Indeks Pembangunan Manusia Menurut Kabupaten/Kota, 2021-2024'],
    ]);
    expect(l.v.dialect).toMatchObject({ header_line: 3, data_start_line: 4 });
  });

  it('takes two title lines holding the delimiter for titles, with no blank line before the header', async () => {
    const csv = `Tabel 3. Indeks Pembangunan Manusia, 2021-2024\nProvinsi Lampung, Indonesia\n${IPM_HEADER}\n${IPM_ROWS.join('\n')}\n`;
    const l = await load(t.svc, t.w, csv);
    expect(l.report.errors).toEqual([]);
    expect(l.columns.map((c) => c.name)).toEqual(IPM_HEADER.split(','));
    expect(l.report.warnings.filter((p) => p.code === 'title_skipped').map((p) => p.line)).toEqual([1, 2]);
  });

  it('still takes a header with an empty cell over a column with values for the header', async () => {
    const l = await load(t.svc, t.w, 'nama,,nilai\nA,x,1\nB,y,2\n');
    expect(l.columns.map((c) => c.name)).toEqual(['nama', 'kolom_2', 'nilai']);
    expect(l.rows).toHaveLength(2);
    expect(l.report.warnings.filter((p) => p.code === 'title_skipped')).toEqual([]);
  });

  it('takes a title spread over two cells of an XLSX sheet for a title', async () => {
    const rows: Array<string[] | null> = [
      ['Tabel 3.', 'Indeks Pembangunan Manusia Menurut Kabupaten/Kota, 2021-2024'],
      null,
      IPM_HEADER.split(','),
      ...IPM_ROWS.map((r) => r.split(',')),
      null,
      ['Sumber:', 'BPS Provinsi Lampung, diolah'],
    ];
    const l = await load(t.svc, t.w, makeZip(workbookEntries(sheet(rows))), 'ipm.xlsx');
    expect(l.report.errors).toEqual([]);
    expect(l.columns.map((c) => c.name)).toEqual(IPM_HEADER.split(','));
    expect(l.rows).toHaveLength(4);
    expect(l.report.warnings.filter((p) => p.code === 'title_skipped').map((p) => p.line)).toEqual([1]);
    expect(l.report.warnings.filter((p) => p.code === 'footnote_skipped').map((p) => p.line)).toEqual([9]);
  });
});

describe('footnotes below the data', () => {
  it('keeps the last row when its last field is a quoted value with a line break', async () => {
    const l = await load(t.svc, t.w, 'a,b,c\n001,satu,1\n002,dua,"x\ny"\n');
    expect(l.report.errors).toEqual([]);
    expect(l.report.warnings).toEqual([]);
    expect(types(l)).toEqual([['a', 'text'], ['b', 'text'], ['c', 'text']]);
    expect(values(l.rows)).toEqual([
      { a: '001', b: 'satu', c: '1' },
      { a: '002', b: 'dua', c: 'x\ny' },
    ]);
  });

  it('keeps a last row whose quoted field spans lines in a file larger than the sniffed head', async () => {
    const rows: string[] = [];
    for (let i = 0, size = 0; size <= HEAD_BYTES + 100_000; i++) {
      rows.push(`Desa ${i},catatan ${i}\n`);
      size += rows[rows.length - 1].length;
    }
    const l = await load(t.svc, t.w, `nama,catatan\n${rows.join('')}Desa akhir,"baris satu\nbaris dua"\n`);
    expect(l.report.errors).toEqual([]);
    expect(l.report.warnings.filter((p) => p.code === 'footnote_skipped')).toEqual([]);
    expect(l.rows).toHaveLength(rows.length + 1);
    expect(l.rows.at(-1)).toMatchObject({ nama: 'Desa akhir', catatan: 'baris satu\nbaris dua' });
  });

  it('takes a marked footnote holding the delimiter for a footnote', async () => {
    const l = await load(t.svc, t.w, `${IPM_HEADER}\n${IPM_ROWS.join('\n')}\n*) Angka sementara, diperbarui Maret 2025\n`);
    expect(l.report.errors).toEqual([]);
    expect(l.rows).toHaveLength(4);
    expect(l.report.warnings.filter((p) => p.code === 'footnote_skipped').map((p) => [p.line, p.value])).toEqual([
      [6, '*) Angka sementara, diperbarui Maret 2025'],
    ]);
  });
});

describe('XLSX rows with empty cells at their end', () => {
  it('reads a data row whose last cells are empty as a row with missing values, not a ragged one', async () => {
    const rows: Array<string[] | null> = [
      ['kode_kabupaten_kota', 'nama_kabupaten_kota', 'jumlah', 'tahun'],
      ['1801', 'LAMPUNG BARAT', '313756', '2025'],
      ['1872', 'METRO', '', ''],
      ['1871', 'BANDAR LAMPUNG', '1077664', '2025'],
      ['1802', 'TANGGAMUS'],
    ];
    const l = await load(t.svc, t.w, makeZip(workbookEntries(sheet(rows))), 'data.xlsx');
    expect(l.report.errors).toEqual([]);
    expect(values(l.rows)).toEqual([
      { kode_kabupaten_kota: '1801', nama_kabupaten_kota: 'LAMPUNG BARAT', jumlah: 313756, tahun: 2025 },
      { kode_kabupaten_kota: '1872', nama_kabupaten_kota: 'METRO', jumlah: null, tahun: null },
      { kode_kabupaten_kota: '1871', nama_kabupaten_kota: 'BANDAR LAMPUNG', jumlah: 1077664, tahun: 2025 },
      { kode_kabupaten_kota: '1802', nama_kabupaten_kota: 'TANGGAMUS', jumlah: null, tahun: null },
    ]);
  });
});
