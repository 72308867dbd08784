// What the property tests of the loader found (properties.test.ts), each pinned as a plain
// regression test through the real upload path. Every one of these failed before its fix.
import iconv from 'iconv-lite';
import { testWorld } from '../support/world';
import { load, values, versionTables } from '../support/ingest';
import { makeZip, sheetXml, workbookEntries } from '../support/zip';

const t = testWorld();

describe('files the generator found misread', () => {
  it('keeps the last row of a one-column table whose value looks like a note mark (12.5)', async () => {
    const l = await load(t.svc, t.w, 'nilai\n1\n2\n12.5\n');
    expect(l.report.errors).toEqual([]);
    expect(values(l.rows)).toEqual([{ nilai: 1 }, { nilai: 2 }, { nilai: 12.5 }]);
  });

  it('keeps the rows of a one-column table above a source note', async () => {
    const l = await load(t.svc, t.w, 'nilai\n5\n7\nSumber: BPS\n');
    expect(values(l.rows)).toEqual([{ nilai: 5 }, { nilai: 7 }]);
    expect(l.report.warnings.map((w) => w.code)).toEqual(['footnote_skipped']);
  });

  it('skips a title as full as a two-column table when a blank line and the header follow', async () => {
    const l = await load(t.svc, t.w, 'Tabel 3. IPM Menurut Kabupaten/Kota, 2021-2024\n\nwilayah,ipm\nMetro,77.1\nPesawaran,68.5\n');
    expect(l.columns.map((c) => c.name)).toEqual(['wilayah', 'ipm']);
    expect(l.rows).toHaveLength(2);
    expect(l.report.warnings.map((w) => w.code)).toContain('title_skipped');
  });

  it('finds the semicolon of a one-row file between a title and a source note with commas', async () => {
    const l = await load(t.svc, t.w, 'Tabel 1. Jumlah Penduduk, 2024\nnama;jumlah;luas;tahun\nMetro;1.000;68,7;2024\nSumber: BPS Provinsi Lampung, 2024\n');
    expect(l.v.dialect.delimiter).toBe(';');
    expect(values(l.rows)).toEqual([{ nama: 'Metro', jumlah: 1000, luas: 68.7, tahun: 2024 }]);
  });

  it('finds the semicolon of a one-row file whose title and marked notes outnumber its rows', async () => {
    const l = await load(t.svc, t.w, 'Tabel 3. IPM Menurut Kabupaten/Kota, 2021-2024\nnama;a;b;c\nx;1;2;3\n*) Angka sementara\n1) Angka sangat sementara\n');
    expect(l.v.dialect.delimiter).toBe(';');
    expect(l.rows).toHaveLength(1);
    expect(l.report.warnings.map((w) => w.code).sort()).toEqual(['footnote_skipped', 'footnote_skipped', 'title_skipped']);
  });

  it('skips a title above a header with an empty name over a single row', async () => {
    const l = await load(t.svc, t.w, 'Tabel 3. IPM Menurut Kabupaten/Kota, 2021-2024\n#,,nama,nilai\n0,0,0,0\n');
    expect(l.columns.map((c) => c.name)).toEqual(['kolom_1', 'kolom_2', 'nama', 'nilai']);
    expect(l.rows).toHaveLength(1);
  });

  it('skips a title above the header of a single row of values', async () => {
    const l = await load(t.svc, t.w, 'Tabel 3. IPM Menurut Kabupaten/Kota, 2021-2024\nselect,tahun,nama,x\n1.000,0,0,0\n');
    expect(l.columns.map((c) => c.name)).toEqual(['select', 'tahun', 'nama', 'x']);
    expect(l.rows).toHaveLength(1);
  });

  it('refuses a UTF-16 file holding a NUL character as binary, with no table', async () => {
    const file = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('\0nama\n0\n', 'utf-16be')]);
    const l = await load(t.svc, t.w, file);
    expect(l.v.state).toBe('failed');
    expect(l.report.errors.map((e) => e.code)).toEqual(['binary_file']);
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });

  it('reads the header of a file with forty blank lines above it', async () => {
    const l = await load(t.svc, t.w, `${'\n'.repeat(40)}nama,nilai\nMetro,1\n`);
    expect(l.columns.map((c) => c.name)).toEqual(['nama', 'nilai']);
    expect(values(l.rows)).toEqual([{ nama: 'Metro', nilai: 1 }]);
  });

  it('reads a sheet whose table starts at row 50,001 (rows without r attributes above it)', async () => {
    const rows = [...Array.from({ length: 50_000 }, () => '<row/>'), '<row><c t="inlineStr"><is><t>nama</t></is></c></row>', '<row><c t="inlineStr"><is><t>Metro</t></is></c></row>'];
    const l = await load(t.svc, t.w, makeZip(workbookEntries(sheetXml(rows))), 'jauh.xlsx');
    expect(l.v.dialect.header_line).toBe(50_001);
    expect(values(l.rows)).toEqual([{ nama: 'Metro' }]);
  });

  it('refuses a small workbook whose shared string, pointed at by every row, would make hundreds of megabytes of CSV', async () => {
    const big = 'Lampung '.repeat(4000);
    const sst = `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>nama</t></si><si><t>${big}</t></si></sst>`;
    const rows = ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ...Array.from({ length: 20_000 }, (_, i) => `<row r="${i + 2}"><c r="A${i + 2}" t="s"><v>1</v></c></row>`)];
    const file = makeZip(workbookEntries(sheetXml(rows), { sharedStrings: sst }));
    expect(file.length).toBeLessThan(200 * 1024);
    const l = await load(t.svc, t.w, file, 'bom-teks.xlsx');
    expect(l.v.state).toBe('failed');
    expect(l.report.errors.map((e) => e.code)).toEqual(['xlsx_bomb']);
    expect(await versionTables(t.svc, l.v.id)).toEqual([]);
  });
});
