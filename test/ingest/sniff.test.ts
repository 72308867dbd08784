import iconv from 'iconv-lite';
import { detectBinary, detectDelimiter, detectEncoding, HEAD_BYTES, sniffText, TAIL_BYTES, type Layout } from '../../server/ingest/sniff';

/** Sniffs a whole (small) file the way the loader does. */
function sniff(buf: Buffer | string, delimiter?: ',' | ';' | '\t' | '|') {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf);
  const { encoding } = detectEncoding(b);
  return sniffText({ head: b, tail: b, tailOffset: 0, size: b.length, encoding, delimiter });
}

/** A refusal of the whole file with one problem of `code`. */
const refused = (code: string) => ({ ok: false, stage: 'sniff', report: { errors: [expect.objectContaining({ code })], counts: { errors: { [code]: 1 } } } });

function ok(buf: Buffer | string, delimiter?: ',' | ';' | '\t' | '|'): Layout {
  const out = sniff(buf, delimiter);
  if (!out.ok) throw new Error(`sniff failed: ${out.report.errors[0]?.code}`);
  return out.value;
}

describe('encoding', () => {
  it('detects UTF-8 with and without a byte-order mark', () => {
    expect(detectEncoding(Buffer.from('\uFEFFnama,nilai\nSéputih,1\n'))).toEqual({ encoding: 'utf-8', bom: true });
    expect(detectEncoding(Buffer.from('nama,nilai\nSéputih,1\n'))).toEqual({ encoding: 'utf-8', bom: false });
  });

  it('detects Windows-1252 from bytes that are not UTF-8', () => {
    const buf = iconv.encode('Luas (km²);Kecamatan\n12,5;Séputih Banyak\n', 'windows-1252');
    expect(detectEncoding(buf).encoding).toBe('windows-1252');
  });

  it('does not take the BOM into the first header', () => {
    const s = ok('\uFEFFkode,nilai\n01,5\n');
    expect(s.headers[0]).toEqual({ name: 'kode', label: 'kode' });
  });
});

describe('binary files', () => {
  it.each([
    ['PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['PDF', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n')],
    ['NUL bytes', Buffer.from('nama,nilai\na,1\u0000\u0000\u0000\n')],
    ['legacy XLS', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])],
  ])('refuses %s bytes', (_kind, buf) => {
    const why = detectBinary(buf);
    expect(why).not.toBeNull();
    expect(why!.message).toMatch(/Berkas/);
    expect(why!.message_en).toBeTruthy();
  });

  it('accepts ordinary text with tabs and CRLF', () => {
    expect(detectBinary(Buffer.from('a\tb\r\n1\t2\r\n'))).toBeNull();
  });
});

describe('delimiter', () => {
  const rows = [['kode', 'nama', 'jumlah'], ['1801', 'Lampung Barat', '313756'], ['1802', 'Tanggamus', '641036']];
  it.each([[','], [';'], ['\t'], ['|']] as const)('detects %j', (d) => {
    const text = rows.map((r) => r.join(d)).join('\n') + '\n';
    expect(detectDelimiter(text)).toBe(d);
    expect(ok(text).headers.map((h) => h.name)).toEqual(['kode', 'nama', 'jumlah']);
  });

  it('prefers the semicolon when commas are decimal marks', () => {
    const text = 'nama;luas;kepadatan\nA;2110,1;148,7\nB;2947,2;217,5\nC;2227,4;504,9\n';
    expect(detectDelimiter(text)).toBe(';');
  });

  it('is not fooled by commas inside quoted fields', () => {
    const text = 'nama,keterangan,nilai\nA,"satu, dua, tiga",1\nB,"empat, lima",2\n';
    expect(detectDelimiter(text)).toBe(',');
    expect(ok(text).sample[0].cells).toEqual(['A', 'satu, dua, tiga', '1']);
  });

  it('uses the delimiter the producer gives', () => {
    const s = ok('a;b,c\n1;2,3\n', ',');
    expect(s.delimiter).toBe(',');
    expect(s.headers.map((h) => h.name)).toEqual(['a_b', 'c']);
  });
});

describe('line endings and quotes', () => {
  it('detects CRLF and keeps newlines inside quoted fields', () => {
    const s = ok('nama,alamat\r\nA,"Jl. Satu\r\nNo. 2"\r\nB,Jl. Dua\r\n');
    expect(s.lineEnding).toBe('crlf');
    expect(s.sample.map((r) => r.line)).toEqual([2, 4]);
    expect(s.sample[0].cells[1]).toBe('Jl. Satu\r\nNo. 2');
  });

  it('reads doubled quotes inside a quoted field', () => {
    const s = ok('nama,kutipan\nA,"Ia berkata ""ya"""\n');
    expect(s.sample[0].cells[1]).toBe('Ia berkata "ya"');
  });
});

describe('spreadsheet habits', () => {
  const file = [
    'Tabel 1. Jumlah Penduduk Menurut Kabupaten/Kota,,',
    'Provinsi Lampung 2025,,',
    ',,',
    'Kabupaten/Kota,Jumlah Penduduk (Jiwa),Tahun',
    '(1),(2),(3)',
    'Lampung Barat,313756,2025',
    'Tanggamus,641036,2025',
    ',,',
    'Sumber: BPS Provinsi Lampung,,',
    'Keterangan: angka sementara,,',
    '',
  ].join('\n');

  it('skips title lines above the header and reports them with their line numbers', () => {
    const s = ok(file);
    expect(s.headerLine).toBe(4);
    expect(s.headers.map((h) => h.name)).toEqual(['kabupaten_kota', 'jumlah_penduduk_jiwa', 'tahun']);
    expect(s.skipped.filter((k) => k.kind === 'title')).toEqual([
      { line: 1, text: 'Tabel 1. Jumlah Penduduk Menurut Kabupaten/Kota', kind: 'title' },
      { line: 2, text: 'Provinsi Lampung 2025', kind: 'title' },
    ]);
  });

  it('skips a column-number row under the header', () => {
    const s = ok(file);
    expect(s.skipped.find((k) => k.kind === 'column_numbers')).toMatchObject({ line: 5 });
    expect(s.dataStartLine).toBe(6);
    expect(s.sample.map((r) => r.cells[0])).toEqual(['Lampung Barat', 'Tanggamus']);
  });

  it('ends the data before the footnotes', () => {
    const s = ok(file);
    expect(s.skipped.filter((k) => k.kind === 'footnote').map((k) => k.text)).toEqual([
      'Sumber: BPS Provinsi Lampung',
      'Keterangan: angka sementara',
    ]);
    expect(Buffer.from(file).subarray(s.dataStartByte, s.dataEndByte).toString()).toBe('Lampung Barat,313756,2025\nTanggamus,641036,2025\n');
  });

  it('takes a labelled note holding the delimiter for a footnote, not a data row', () => {
    const s = ok('nama,nilai\nA,1\nB,2\nSumber: BPS Provinsi Lampung, diolah\nKeterangan: a, b, c\n');
    expect(s.skipped.map((k) => [k.kind, k.line, k.text])).toEqual([
      ['footnote', 4, 'Sumber: BPS Provinsi Lampung, diolah'],
      ['footnote', 5, 'Keterangan: a, b, c'],
    ]);
    expect(s.sample.map((r) => r.cells[0])).toEqual(['A', 'B']);
  });

  it('keeps a data row whose first cell merely starts like a note', () => {
    const s = ok('keterangan,nilai\nA,1\nCatatan khusus,2\n');
    expect(s.skipped).toEqual([]);
    expect(s.sample).toHaveLength(2);
  });

  it('finds footnotes in the tail of a file larger than the sniffed head', () => {
    const header = 'kode,nilai\n';
    const row = '1801,123456\n';
    const rows = row.repeat(Math.ceil((HEAD_BYTES + 10_000) / row.length));
    const buf = Buffer.from(`${header}${rows}Sumber: Dinas Uji\n`);
    const tailOffset = buf.length - TAIL_BYTES;
    const out = sniffText({
      head: buf.subarray(0, HEAD_BYTES),
      tail: buf.subarray(tailOffset),
      tailOffset,
      size: buf.length,
      encoding: 'utf-8',
    });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.skipped).toEqual([expect.objectContaining({ text: 'Sumber: Dinas Uji', kind: 'footnote' })]);
    expect(out.value.dataEndByte).toBe(buf.length - 'Sumber: Dinas Uji\n'.length);
  });

  it('drops trailing empty columns that Excel leaves behind', () => {
    const s = ok('nama;nilai;;;\r\nA;1;;;\r\nB;2;;;\r\n');
    expect(s.fieldCount).toBe(5);
    expect(s.keep).toEqual([0, 1]);
    expect(s.headers.map((h) => h.name)).toEqual(['nama', 'nilai']);
  });

  it('keeps a column without a header when it has values', () => {
    const s = ok('nama,,nilai\nA,x,1\n');
    expect(s.headers.map((h) => h.name)).toEqual(['nama', 'kolom_2', 'nilai']);
  });
});

describe('files that are not tables', () => {
  it('calls an empty or blank file empty', () => {
    for (const text of ['', '\n\n', '  \r\n']) {
      const out = sniff(text);
      expect(out).toMatchObject(refused('empty_file'));
    }
  });

  it('calls a header without rows a file without data', () => {
    expect(sniff('kode,nama,nilai\n')).toMatchObject(refused('no_data_rows'));
    expect(sniff('kode,nama,nilai\r\n,,\r\n')).toMatchObject(refused('no_data_rows'));
  });

  it('refuses more than 1,000 columns', () => {
    const header = Array.from({ length: 1001 }, (_, i) => `k${i}`).join(',');
    const out = sniff(`${header}\n${Array(1001).fill('1').join(',')}\n`);
    expect(out).toMatchObject(refused('too_many_columns'));
    if (!out.ok) expect(out.report.errors[0].message).toContain('1001 kolom');
  });
});
