import { REQUIRED_MS_IND } from '../metadata';
import { problemCount, type Report } from '../ingest/report';

/** One line of the standard-data checklist, evaluated automatically. */
export interface ChecklistItem {
  key: 'standar_data' | 'metadata_lengkap' | 'interoperabilitas' | 'kode_referensi';
  /** true: pass; false: fail; null: not applicable. */
  pass: boolean | null;
  reasons: Array<{ id: string; en: string }>;
}

interface ColumnLike {
  name: string;
  label: string;
  type: string;
  role: string;
  unit: string | null;
  ref_scheme: string | null;
}

interface DatasetLike {
  description: string;
  source: string | null;
  metadata: Record<string, string | null>;
}

interface VersionLike {
  has_table: boolean;
  report: Report;
  file: { dialect: Record<string, unknown> | null };
}

const GENERIC_NAME = /^kolom_\d+$/;

/**
 * The four Satu Data principles as checks on a version (Perpres 39/2019): *standar data*
 * (columns named, typed, measures with units), *metadata lengkap* (required MS-Ind fields,
 * description and source), *interoperabilitas* (a typed, tidy, machine-readable table) and
 * *kode referensi* (every region code valid). The reviewer confirms them when deciding.
 */
export function evaluateChecklist(dataset: DatasetLike, version: VersionLike, columns: ColumnLike[]): ChecklistItem[] {
  const errors = version.report.counts.errors;
  const warnings = version.report.counts.warnings;

  const standar: ChecklistItem = { key: 'standar_data', pass: true, reasons: [] };
  const unnamed = columns.filter((c) => GENERIC_NAME.test(c.name));
  if (unnamed.length) {
    standar.pass = false;
    standar.reasons.push({ id: `Kolom tanpa judul: ${unnamed.map((c) => c.name).join(', ')}`, en: `Columns without a title: ${unnamed.map((c) => c.name).join(', ')}` });
  }
  const measures = columns.filter((c) => c.role === 'measure');
  const datasetUnit = dataset.metadata.satuan;
  const unitless = measures.filter((c) => !c.unit);
  if (unitless.length && !(measures.length === 1 && datasetUnit)) {
    standar.pass = false;
    standar.reasons.push({ id: `Satuan belum diisi untuk: ${unitless.map((c) => c.name).join(', ')}`, en: `No unit for: ${unitless.map((c) => c.name).join(', ')}` });
  }
  if (columns.length > 0 && columns.every((c) => c.type === 'text')) {
    standar.pass = false;
    standar.reasons.push({ id: 'Semua kolom bertipe teks; tidak ada ukuran yang bertipe angka.', en: 'All columns are text; no numeric measure.' });
  }
  if (warnings.mostly_numeric_text) {
    standar.pass = false;
    standar.reasons.push({
      id: `${warnings.mostly_numeric_text} kolom berisi angka terbaca sebagai teks karena beberapa nilai bukan angka.`,
      en: `${warnings.mostly_numeric_text} numeric column(s) read as text because of a few non-numeric values.`,
    });
  }
  if (measures.length === 0) {
    standar.reasons.push({ id: 'Tidak ada kolom ukuran (angka).', en: 'No measure (numeric) column.' });
  }

  const meta: ChecklistItem = { key: 'metadata_lengkap', pass: true, reasons: [] };
  const missing = REQUIRED_MS_IND.filter((f) => !dataset.metadata[f]);
  if (missing.length) {
    meta.pass = false;
    meta.reasons.push({ id: `MS-Ind belum diisi: ${missing.join(', ')}`, en: `MS-Ind fields missing: ${missing.join(', ')}` });
  }
  if (!dataset.description?.trim()) {
    meta.pass = false;
    meta.reasons.push({ id: 'Deskripsi dataset kosong.', en: 'The dataset has no description.' });
  }
  if (!dataset.source?.trim()) {
    meta.pass = false;
    meta.reasons.push({ id: 'Sumber data belum disebutkan.', en: 'The data source is not named.' });
  }

  const interop: ChecklistItem = { key: 'interoperabilitas', pass: true, reasons: [] };
  const errorCount = problemCount(version.report, 'errors');
  if (!version.has_table || errorCount > 0) {
    interop.pass = false;
    interop.reasons.push({ id: `Tabel tidak termuat (${errorCount} galat validasi).`, en: `The table did not load (${errorCount} validation errors).` });
  }
  if (warnings.wide_table) {
    interop.pass = false;
    interop.reasons.push({ id: 'Tabel berbentuk lebar (satu kolom per tahun); ubah ke bentuk panjang.', en: 'The table is wide (one column per year); reshape it to long form.' });
  }
  if (version.file.dialect?.format === 'xlsx') {
    interop.reasons.push({ id: 'Diunggah sebagai XLSX; disebarluaskan sebagai CSV/JSON terbuka.', en: 'Uploaded as XLSX; published as open CSV/JSON.' });
  }

  const regions = columns.filter((c) => c.role === 'region');
  const ref: ChecklistItem = { key: 'kode_referensi', pass: regions.length ? true : null, reasons: [] };
  if (!regions.length) {
    ref.reasons.push({ id: 'Tidak ada kolom kode wilayah.', en: 'No region code column.' });
  } else {
    for (const c of regions) {
      ref.reasons.push({
        id: `${c.name}: kode ${c.ref_scheme === 'kemendagri' ? 'Kemendagri' : 'BPS'}`,
        en: `${c.name}: ${c.ref_scheme === 'kemendagri' ? 'Kemendagri' : 'BPS'} codes`,
      });
    }
    if (errors.unknown_region_code) {
      ref.pass = false;
      ref.reasons.push({ id: `${errors.unknown_region_code} kode wilayah tidak dikenal.`, en: `${errors.unknown_region_code} unknown region codes.` });
    }
    if (warnings.region_name_mismatch) {
      ref.reasons.push({ id: `${warnings.region_name_mismatch} nama wilayah tidak sesuai kodenya (peringatan).`, en: `${warnings.region_name_mismatch} region names do not match their codes (warning).` });
    }
  }
  return [standar, meta, interop, ref];
}
