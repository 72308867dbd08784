/** Why a workbook is not read: the codes the validation report uses, with both languages. */
const MESSAGES = {
  bad_xlsx: ['Berkas XLSX tidak dapat dibaca.', 'The XLSX file could not be read.'],
  xlsx_bomb: [
    'Berkas XLSX ditolak: isinya memuai jauh melebihi ukuran berkas (ciri "zip bomb"). Simpan ulang dari Excel atau unggah sebagai CSV.',
    'The XLSX file was refused: it unpacks to far more than its size (a "zip bomb"). Save it again from Excel or upload it as CSV.',
  ],
  xlsx_too_large: [
    'Berkas XLSX terlalu besar setelah dibuka. Unggah lembarnya sebagai CSV.',
    'The XLSX file is too large once unpacked. Upload its sheet as CSV.',
  ],
  xlsx_out_of_memory: [
    'Berkas XLSX terlalu rumit untuk dibaca dengan memori yang tersedia. Unggah lembarnya sebagai CSV.',
    'The XLSX file is too complex to read within the memory available. Upload its sheet as CSV.',
  ],
} as const;

export type XlsxRefusal = keyof typeof MESSAGES;

/** A workbook the reader will not (or cannot) read; `code` goes into the report. */
export class XlsxRefused extends Error {
  readonly messageId: string;
  readonly messageEn: string;
  constructor(readonly code: XlsxRefusal) {
    super(MESSAGES[code][1]);
    this.messageId = MESSAGES[code][0];
    this.messageEn = MESSAGES[code][1];
  }
}

/** True for a refusal code (errors crossing a thread boundary keep only plain fields). */
export function isRefusal(code: unknown): code is XlsxRefusal {
  return typeof code === 'string' && code in MESSAGES;
}
