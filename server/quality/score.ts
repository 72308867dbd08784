import { MS_IND_FIELDS, REQUIRED_MS_IND } from '../metadata';

// The quality score of a dataset (0–100), as parts that each say why they score what they do.
// Pure: every fact comes in as an argument, so the score is tested on crafted datasets.

/** Two languages of one text. */
export interface Bilingual {
  id: string;
  en: string;
}

/** One part of the score. */
export interface QualityPart {
  key: 'metadata' | 'columns' | 'timeliness' | 'openness' | 'reference_codes' | 'validation';
  score: number;
  max: number;
  reasons: Bilingual[];
}

export interface Quality {
  score: number;
  parts: QualityPart[];
}

/** What the score looks at. */
export interface QualityInput {
  dataset: {
    description: string;
    source: string | null;
    license: string;
    access_level: 'terbuka' | 'terbatas' | 'tertutup';
    contact_name: string | null;
    contact_email: string | null;
    metadata: Record<string, string | null | undefined>;
  };
  /** The version scored (the current published one, or the one under review); null: no table yet. */
  version: {
    published: boolean;
    columns: Array<{ name: string; label: string; role: string; unit: string | null; description: string | null }>;
    errors: Record<string, number>;
    warnings: Record<string, number>;
  } | null;
  /** From the frequency and the period the data covers (review/due.ts); null: ad hoc or not published. */
  due: 'ok' | 'soon' | 'overdue' | null;
  /** The dataset's deliveries on the data list that are due or delivered. */
  deliveries: { on_time: number; late_delivered: number; late_open: number } | null;
}

export const PART_MAX = { metadata: 25, columns: 15, timeliness: 20, openness: 20, reference_codes: 10, validation: 10 } as const;

/** Licences that let anyone reuse the data. */
const OPEN_LICENCES = /^(cc-by(-sa)?(-[0-9.]+)?|cc0(-1\.0)?|odbl(-1\.0)?|odc-by(-1\.0)?|pddl(-1\.0)?|ogl.*|public domain)$/i;
/** Report entries that tell what was done with the file, not what is wrong with it. */
const INFORMATIVE = new Set(['title_skipped', 'footnote_skipped', 'column_numbers_skipped', 'empty_columns_dropped', 'encoding_fallback']);
const GENERIC = /^kolom_\d+$/;

const round1 = (n: number) => Math.round(n * 10) / 10;
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const list = (xs: readonly string[]) => xs.join(', ');

function metadata(d: QualityInput['dataset']): QualityPart {
  const filled = (f: string) => typeof d.metadata[f] === 'string' && d.metadata[f]!.trim() !== '';
  const required = REQUIRED_MS_IND.filter(filled).length;
  const optional = MS_IND_FIELDS.filter((f) => !REQUIRED_MS_IND.includes(f));
  const recommended = optional.filter(filled).length;
  const reasons: Bilingual[] = [];
  let score = (15 * required) / REQUIRED_MS_IND.length + (4 * recommended) / optional.length;
  const missingReq = REQUIRED_MS_IND.filter((f) => !filled(f));
  if (missingReq.length) reasons.push({ id: `MS-Ind wajib belum diisi: ${list(missingReq)}.`, en: `Required MS-Ind fields missing: ${list(missingReq)}.` });
  else reasons.push({ id: 'Semua isian MS-Ind wajib terisi.', en: 'All required MS-Ind fields are filled.' });
  const missingOpt = optional.filter((f) => !filled(f));
  if (missingOpt.length) reasons.push({ id: `MS-Ind anjuran belum diisi: ${list(missingOpt)}.`, en: `Recommended MS-Ind fields missing: ${list(missingOpt)}.` });
  if ((d.description ?? '').trim().length >= 30) score += 2;
  else reasons.push({ id: 'Deskripsi kosong atau terlalu singkat (kurang dari 30 karakter).', en: 'The description is empty or too short (under 30 characters).' });
  if (d.source?.trim()) score += 2;
  else reasons.push({ id: 'Sumber data belum disebutkan.', en: 'The data source is not named.' });
  if (d.contact_name?.trim() || d.contact_email?.trim()) score += 2;
  else reasons.push({ id: 'Kontak belum diisi.', en: 'No contact point.' });
  return { key: 'metadata', score: round1(score), max: PART_MAX.metadata, reasons };
}

function columns(v: QualityInput['version'], datasetUnit: string | null | undefined): QualityPart {
  if (!v || v.columns.length === 0) return { key: 'columns', score: 0, max: PART_MAX.columns, reasons: [{ id: 'Belum ada tabel yang kolomnya dapat dinilai.', en: 'No table whose columns could be scored yet.' }] };
  const cols = v.columns;
  const reasons: Bilingual[] = [];
  const labelled = cols.filter((c) => !GENERIC.test(c.name) && c.label.trim() !== '');
  if (labelled.length < cols.length) {
    const bad = cols.filter((c) => !labelled.includes(c)).map((c) => c.name);
    reasons.push({ id: `Kolom tanpa judul: ${list(bad)}.`, en: `Columns without a title: ${list(bad)}.` });
  }
  const measures = cols.filter((c) => c.role === 'measure');
  const withUnit = measures.filter((c) => c.unit?.trim() || (measures.length === 1 && datasetUnit?.trim()));
  if (measures.length === 0) reasons.push({ id: 'Tidak ada kolom ukuran (angka).', en: 'No measure (numeric) column.' });
  else if (withUnit.length < measures.length) {
    const bad = measures.filter((c) => !withUnit.includes(c)).map((c) => c.name);
    reasons.push({ id: `Satuan belum diisi untuk: ${list(bad)}.`, en: `No unit for: ${list(bad)}.` });
  }
  const described = cols.filter((c) => c.description?.trim());
  if (described.length < cols.length) reasons.push({ id: `${cols.length - described.length} dari ${cols.length} kolom belum berdeskripsi.`, en: `${cols.length - described.length} of ${cols.length} columns have no description.` });
  if (!reasons.length) reasons.push({ id: 'Setiap kolom berjudul, ukuran bersatuan, dan semua berdeskripsi.', en: 'Every column is titled, measures have units, all are described.' });
  const score = (5 * labelled.length) / cols.length + (measures.length ? (5 * withUnit.length) / measures.length : 0) + (5 * described.length) / cols.length;
  return { key: 'columns', score: round1(score), max: PART_MAX.columns, reasons };
}

function timeliness(i: QualityInput): QualityPart {
  const reasons: Bilingual[] = [];
  let score = 0;
  if (!i.version?.published) {
    reasons.push({ id: 'Belum terbit: ketepatan waktu belum dapat dinilai.', en: 'Not published: timeliness cannot be judged yet.' });
  } else if (i.due === null) {
    score += 12;
    reasons.push({ id: 'Data sewaktu-waktu (ad hoc): tidak ada jadwal pemutakhiran.', en: 'Ad hoc data: no update schedule.' });
  } else if (i.due === 'overdue') {
    reasons.push({ id: 'Pemutakhiran menurut frekuensinya sudah lewat waktu.', en: 'The update its frequency calls for is overdue.' });
  } else {
    score += 12;
    reasons.push({ id: 'Mutakhir menurut frekuensinya.', en: 'Up to date for its frequency.' });
  }
  const d = i.deliveries;
  const due = d ? d.on_time + d.late_delivered + d.late_open : 0;
  if (!i.version?.published) return { key: 'timeliness', score: 0, max: PART_MAX.timeliness, reasons };
  if (!d || due === 0) {
    score += 8;
    reasons.push({ id: 'Tidak ada penyerahan daftar data yang jatuh tempo.', en: 'No data-list delivery is due.' });
  } else {
    score += (8 * (d.on_time + 0.5 * d.late_delivered)) / due;
    reasons.push({
      id: `Daftar data: ${d.on_time} tepat waktu, ${d.late_delivered} terbit terlambat, ${d.late_open} terlambat dari ${due} penyerahan.`,
      en: `Data list: ${d.on_time} on time, ${d.late_delivered} published late, ${d.late_open} late of ${due} deliveries.`,
    });
  }
  return { key: 'timeliness', score: round1(score), max: PART_MAX.timeliness, reasons };
}

function openness(i: QualityInput): QualityPart {
  const reasons: Bilingual[] = [];
  let score = 0;
  if (OPEN_LICENCES.test(i.dataset.license.trim())) score += 5;
  else reasons.push({ id: `Lisensi ${i.dataset.license} bukan lisensi terbuka.`, en: `Licence ${i.dataset.license} is not an open licence.` });
  const table = Boolean(i.version);
  if (table) score += 5;
  else reasons.push({ id: 'Belum ada tabel yang dapat dibaca mesin.', en: 'No machine-readable table yet.' });
  const access = { terbuka: 5, terbatas: 2, tertutup: 0 }[i.dataset.access_level];
  score += access;
  if (i.dataset.access_level !== 'terbuka') reasons.push({ id: `Akses ${i.dataset.access_level}: tidak terbuka untuk publik.`, en: `Access ${i.dataset.access_level}: not open to the public.` });
  if (table && i.dataset.access_level === 'terbuka') score += 5;
  else reasons.push({ id: 'Tidak tersedia lewat API publik.', en: 'Not available through the public API.' });
  if (!reasons.length) reasons.push({ id: 'Lisensi terbuka, CSV/JSON/XLSX, API publik, akses terbuka.', en: 'Open licence, CSV/JSON/XLSX, public API, open access.' });
  return { key: 'openness', score, max: PART_MAX.openness, reasons };
}

function referenceCodes(v: QualityInput['version'], regionColumns: number): QualityPart {
  if (!v) return { key: 'reference_codes', score: 0, max: PART_MAX.reference_codes, reasons: [{ id: 'Belum ada tabel.', en: 'No table yet.' }] };
  if (regionColumns === 0) return { key: 'reference_codes', score: PART_MAX.reference_codes, max: PART_MAX.reference_codes, reasons: [{ id: 'Tidak ada kolom kode wilayah (tidak berlaku).', en: 'No region code column (not applicable).' }] };
  const unknown = v.errors.unknown_region_code ?? 0;
  const mismatch = v.warnings.region_name_mismatch ?? 0;
  if (unknown) return { key: 'reference_codes', score: 0, max: PART_MAX.reference_codes, reasons: [{ id: `${unknown} kode wilayah tidak dikenal.`, en: `${unknown} unknown region codes.` }] };
  if (mismatch) return { key: 'reference_codes', score: 5, max: PART_MAX.reference_codes, reasons: [{ id: `${mismatch} nama wilayah tidak sesuai kodenya.`, en: `${mismatch} region names do not match their codes.` }] };
  return { key: 'reference_codes', score: PART_MAX.reference_codes, max: PART_MAX.reference_codes, reasons: [{ id: 'Semua kode wilayah valid dan namanya sesuai.', en: 'Every region code is valid and matches its name.' }] };
}

function validation(v: QualityInput['version']): QualityPart {
  if (!v) return { key: 'validation', score: 0, max: PART_MAX.validation, reasons: [{ id: 'Belum ada laporan validasi.', en: 'No validation report yet.' }] };
  const errors = sum(v.errors);
  if (errors) return { key: 'validation', score: 0, max: PART_MAX.validation, reasons: [{ id: `${errors} galat validasi.`, en: `${errors} validation errors.` }] };
  const kinds = Object.entries(v.warnings).filter(([k, n]) => n > 0 && !INFORMATIVE.has(k)).map(([k]) => k);
  if (!kinds.length) return { key: 'validation', score: PART_MAX.validation, max: PART_MAX.validation, reasons: [{ id: 'Tanpa galat maupun peringatan.', en: 'No errors and no warnings.' }] };
  return {
    key: 'validation',
    score: Math.max(0, PART_MAX.validation - 2 * kinds.length),
    max: PART_MAX.validation,
    reasons: [{ id: `Peringatan: ${list(kinds)}.`, en: `Warnings: ${list(kinds)}.` }],
  };
}

/** The quality score of a dataset and its parts. */
export function qualityScore(i: QualityInput): Quality {
  const regionColumns = i.version?.columns.filter((c) => c.role === 'region').length ?? 0;
  const parts = [
    metadata(i.dataset),
    columns(i.version, i.dataset.metadata.satuan),
    timeliness(i),
    openness(i),
    referenceCodes(i.version, regionColumns),
    validation(i.version),
  ];
  return { score: Math.round(parts.reduce((a, p) => a + p.score, 0)), parts };
}

/** The bands of the search facet: ≥ 80, 60–79, below 60. */
export const QUALITY_BANDS = ['80', '60', '0'] as const;
export type QualityBand = (typeof QUALITY_BANDS)[number];
export const bandRange = (b: QualityBand): [number, number] => (b === '80' ? [80, 100] : b === '60' ? [60, 79] : [0, 59]);
