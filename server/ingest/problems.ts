// The catalogue of every problem a load can report: its code, its short name (for the counts of
// a report) and its message, each in Bahasa Indonesia and English. Nothing else in the loader
// writes a user-facing text; `problem()` builds a report entry from a code and its facts.

/** A text in both languages: [Bahasa Indonesia, English]. */
type Texts = readonly [string, string];

interface Definition<P> {
  label: Texts;
  message: (p: P) => Texts;
}

const define = <P = Record<string, never>>(label: Texts, message: (p: P) => Texts): Definition<P> => ({ label, message });
const q = (s: string) => `"${s}"`;

export const PROBLEMS = {
  // The file as a whole (prepare, sniff).
  empty_file: define<{ sheet?: string }>(['berkas kosong', 'empty file'], ({ sheet }) =>
    sheet ? [`Lembar ${q(sheet)} kosong.`, `Sheet ${q(sheet)} is empty.`] : ['Berkas kosong.', 'The file is empty.']),
  binary_file: define<{ kind?: string; line?: number }>(['bukan berkas teks', 'not a text file'], ({ kind, line }) =>
    line
      ? [`Baris ${line} berisi data biner (karakter NUL); berkas ini bukan teks CSV.`, `Line ${line} holds binary data (a NUL character); this file is not CSV text.`]
      : kind
        ? [`Berkas ini bukan teks CSV (terdeteksi ${kind}).`, `This file is not CSV text (looks like ${kind}).`]
        : ['Berkas ini bukan teks CSV (berisi data biner).', 'This file is not CSV text (it contains binary data).']),
  legacy_xls: define(['format .xls lama', 'legacy .xls format'], () => [
    'Berkas .xls (Excel 97–2003) tidak didukung. Simpan ulang sebagai .xlsx atau CSV.',
    'Legacy .xls files are not supported. Save the file as .xlsx or CSV.',
  ]),
  bad_xlsx: define(['XLSX tidak terbaca', 'unreadable XLSX'], () => ['Berkas XLSX tidak dapat dibaca.', 'The XLSX file could not be read.']),
  xlsx_bomb: define(['XLSX memuai berlebihan', 'XLSX unpacks too far'], () => [
    'Berkas XLSX ditolak: isinya memuai jauh melebihi ukuran berkas (ciri "zip bomb"). Simpan ulang dari Excel atau unggah sebagai CSV.',
    'The XLSX file was refused: it unpacks to far more than its size (a "zip bomb"). Save it again from Excel or upload it as CSV.',
  ]),
  xlsx_too_large: define(['XLSX terlalu besar', 'XLSX too large'], () => [
    'Berkas XLSX terlalu besar setelah dibuka. Unggah lembarnya sebagai CSV.',
    'The XLSX file is too large once unpacked. Upload its sheet as CSV.',
  ]),
  xlsx_out_of_memory: define(['XLSX terlalu rumit', 'XLSX too complex'], () => [
    'Berkas XLSX terlalu rumit untuk dibaca dengan memori yang tersedia. Unggah lembarnya sebagai CSV.',
    'The XLSX file is too complex to read within the memory available. Upload its sheet as CSV.',
  ]),
  no_such_sheet: define<{ sheet: string }>(['lembar tidak ada', 'no such sheet'], ({ sheet }) => [
    `Lembar ${q(sheet)} tidak ada di berkas XLSX.`,
    `The workbook has no sheet ${q(sheet)}.`,
  ]),
  no_header: define(['tanpa header', 'no header'], () => ['Baris judul kolom (header) tidak ditemukan.', 'No header row found.']),
  too_many_columns: define<{ columns: number; limit: number }>(['terlalu banyak kolom', 'too many columns'], ({ columns, limit }) => [
    `Berkas memiliki ${columns} kolom; batasnya ${limit}.`,
    `The file has ${columns} columns; the limit is ${limit}.`,
  ]),
  no_data_rows: define<{ headerOnly?: boolean }>(['tanpa baris data', 'no data rows'], ({ headerOnly }) =>
    headerOnly ? ['Berkas hanya berisi judul kolom, tanpa baris data.', 'The file has a header but no data rows.'] : ['Berkas tidak berisi baris data.', 'The file has no data rows.']),
  field_too_large: define<{ line?: number; at?: 'line' | 'field' | 'record' }>(['isian lebih dari 1 MB', 'field over 1 MB'], ({ line, at }) =>
    at === 'line' && line
      ? [`Baris ${line} lebih dari 1 MB (mungkin tanda kutip tidak ditutup).`, `Line ${line} is larger than 1 MB (perhaps an unclosed quote).`]
      : at === 'field' || !at
        ? line
          ? [`Baris ${line}: ada isian kolom yang lebih dari 1 MB.`, `Line ${line}: a field is larger than 1 MB.`]
          : ['Ada isian kolom yang lebih dari 1 MB.', 'A field is larger than 1 MB.']
        : ['Ada kolom yang isinya lebih dari 1 MB (mungkin tanda kutip tidak ditutup).', 'A field is larger than 1 MB (perhaps an unclosed quote).']),
  unclosed_quote: define(['tanda kutip tidak ditutup', 'unclosed quote'], () => ['Tanda kutip (") dibuka tetapi tidak ditutup.', 'A quote (") is opened but never closed.']),
  not_wide: define(['tidak dapat diubah ke bentuk panjang', 'cannot be reshaped'], () => [
    'Tabel tidak memiliki kolom per tahun untuk diubah ke bentuk panjang.',
    'The table has no per-year columns to reshape.',
  ]),

  // Rows and values (run).
  ragged_row: define<{ fields: number; expected: number }>(['jumlah kolom tidak sesuai', 'wrong number of fields'], ({ fields, expected }) => [
    `Baris berisi ${fields} kolom, seharusnya ${expected}.`,
    `The row has ${fields} fields; expected ${expected}.`,
  ]),
  type_mismatch: define<{ value: string; label: string; type: string }>(['nilai tidak sesuai tipe kolom', 'value does not fit the column type'], ({ value, label, type }) => {
    const [id, en] = TYPE_TEXTS[type] ?? TYPE_TEXTS.text;
    return [`Nilai ${q(value)} pada kolom ${label} ${id}.`, `Value ${q(value)} in column ${label} ${en}.`];
  }),
  values_in_untitled_column: define<{ position: number; value: string }>(['nilai di kolom tanpa judul', 'values in an untitled column'], ({ position, value }) => [
    `Kolom ke-${position} tidak berjudul dan dianggap kosong, tetapi berisi ${q(value)}; beri kolom itu judul atau kosongkan isinya.`,
    `Column ${position} has no header and was taken as empty, but holds ${q(value)}; give the column a header or clear it.`,
  ]),
  blank_row: define(['baris kosong dilewati', 'blank row skipped'], () => ['Baris kosong dilewati.', 'Blank row skipped.']),

  // Reference codes (finish).
  unknown_region_code: define<{ code: string; scheme: string; rows: number }>(['kode wilayah tidak dikenal', 'unknown region code'], ({ code, scheme, rows }) => [
    `Kode wilayah ${q(code)} tidak dikenal dalam kode referensi ${scheme} (${rows} baris).`,
    `Region code ${q(code)} is not in the ${scheme} reference codes (${rows} rows).`,
  ]),
  region_name_mismatch: define<{ name: string; code: string; scheme: string; expected: string }>(
    ['nama wilayah tidak sesuai kode', 'region name does not match its code'],
    ({ name, code, scheme, expected }) => [
      `Nama ${q(name)} tidak sesuai dengan kode ${code} (${scheme}: ${expected}).`,
      `Name ${q(name)} does not match code ${code} (${scheme}: ${expected}).`,
    ],
  ),

  // What the loader did on its own, reported as warnings.
  title_skipped: define<{ text: string }>(['baris judul dilewati', 'title line skipped'], ({ text }) => [
    `Baris judul di atas tabel dilewati: ${q(text)}`,
    `Title line above the table skipped: ${q(text)}`,
  ]),
  column_numbers_skipped: define<{ text: string }>(['baris nomor kolom dilewati', 'column-number row skipped'], ({ text }) => [
    `Baris nomor kolom di bawah header dilewati: ${q(text)}`,
    `Column-number row under the header skipped: ${q(text)}`,
  ]),
  footnote_skipped: define<{ text: string }>(['catatan kaki dilewati', 'footnote skipped'], ({ text }) => [
    `Catatan kaki di bawah tabel dilewati: ${q(text)}`,
    `Footnote below the table skipped: ${q(text)}`,
  ]),
  empty_columns_dropped: define<{ count: number }>(['kolom kosong dibuang', 'empty columns dropped'], ({ count }) => [
    `${count} kolom kosong tanpa judul dibuang.`,
    `${count} empty untitled column(s) dropped.`,
  ]),
  encoding_fallback: define(['dibaca sebagai Windows-1252', 'read as Windows-1252'], () => [
    'Berkas tidak sepenuhnya UTF-8; dibaca sebagai Windows-1252.',
    'The file is not entirely UTF-8; it was read as Windows-1252.',
  ]),
  wide_table: define(['tabel berbentuk lebar', 'wide table'], () => [
    'Tabel berbentuk lebar (satu kolom per tahun). Satu Data menganjurkan bentuk panjang (…, tahun, nilai); ubah di pratinjau.',
    'The table is wide (one column per year). Satu Data asks for the long form (…, tahun, nilai); reshape it in the preview.',
  ]),
  mostly_numeric_text: define<{ label: string; examples: string }>(['kolom angka terbaca sebagai teks', 'numeric column read as text'], ({ label, examples }) => [
    `Kolom ${label} sebagian besar berisi angka, tetapi dibaca sebagai teks karena nilai seperti ${examples}. Perbaiki nilainya atau ubah tipe kolom.`,
    `Column ${label} holds mostly numbers but was read as text because of values like ${examples}. Fix those values or change the column type.`,
  ]),

  // The load itself (the job around it).
  internal_error: define(['kesalahan sistem', 'system error'], () => [
    'Berkas tidak dapat dimuat karena kesalahan sistem. Coba unggah ulang; bila berulang, hubungi admin.',
    'The file could not be loaded because of a system error. Try uploading again; if it persists, contact the admin.',
  ]),
  load_interrupted: define<{ times: number }>(['pemuatan terhenti', 'loading interrupted'], ({ times }) => [
    `Pemuatan terhenti ${times} kali (server dimulai ulang atau kehabisan sumber daya). Unggah ulang berkas.`,
    `Loading was interrupted ${times} times (server restarted or out of resources). Upload the file again.`,
  ]),
  load_out_of_memory: define(['memori habis saat memuat', 'out of memory while loading'], () => [
    'Berkas ini menghentikan pemuatan sebelumnya dan kehabisan memori saat dicoba lagi secara terpisah. Periksa berkasnya atau unggah sebagai CSV sederhana.',
    'This file stopped an earlier load and ran out of memory when tried again on its own. Check the file or upload it as a plain CSV.',
  ]),
} as const;

const TYPE_TEXTS: Record<string, Texts> = {
  integer: ['bukan bilangan bulat', 'is not a whole number'],
  number: ['bukan angka', 'is not a number'],
  year: ['bukan tahun (1900–2100)', 'is not a year (1900–2100)'],
  date: ['bukan tanggal (yyyy-mm-dd atau dd/mm/yyyy)', 'is not a date (yyyy-mm-dd or dd/mm/yyyy)'],
  boolean: ['bukan nilai ya/tidak', 'is not a yes/no value'],
  text: ['tidak sesuai', 'does not fit'],
};

export type ProblemCode = keyof typeof PROBLEMS;
type ParamsOf<C extends ProblemCode> = Parameters<(typeof PROBLEMS)[C]['message']>[0];

/** One problem found in a file. `line` is the physical line in the file (1-based). */
export interface Problem {
  code: ProblemCode;
  message: string;
  message_en: string;
  line?: number;
  column?: string;
  value?: string;
}

/** Where in the file a problem is. */
export interface Place {
  line?: number;
  column?: string;
  value?: string;
}

/** The report entry of problem `code` with its facts, in both languages. */
export function problem<C extends ProblemCode>(code: C, ...[params, place]: ParamsOf<C> extends Record<string, never> ? [params?: ParamsOf<C>, place?: Place] : [params: ParamsOf<C>, place?: Place]): Problem {
  const def = PROBLEMS[code] as Definition<ParamsOf<C>>;
  const [message, messageEn] = def.message((params ?? {}) as ParamsOf<C>);
  const out: Problem = { code, message, message_en: messageEn };
  if (place?.line !== undefined) out.line = place.line;
  if (place?.column !== undefined) out.column = place.column;
  if (place?.value !== undefined) out.value = place.value;
  return out;
}

/** The short names of every code (the `problem.*` interface texts), in one language. */
export function problemLabels(lang: 'id' | 'en'): Record<string, string> {
  return Object.fromEntries(Object.entries(PROBLEMS).map(([code, def]) => [code, def.label[lang === 'id' ? 0 : 1]]));
}

/** True for a code of the catalogue (codes from outside, such as a worker thread's, are checked). */
export function isProblemCode(code: unknown): code is ProblemCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(PROBLEMS, code);
}
