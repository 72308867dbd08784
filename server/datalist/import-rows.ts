import type { HeaderName } from '../ingest/sniff/headers';
import { FREQUENCIES, STATISTICS_CLASSES, type Frequency, type StatisticsClass } from '../metadata';
import { itemFieldsSchema, type ItemFields } from './fields';

// Turns the rows of an imported data-list file into item fields, one report line per bad row.
// Headers and values are taken the way people write them in a spreadsheet: "Nama Data",
// "Frekuensi: Tahunan", "Prioritas: Ya", "OPD: Dinkes" or its full name.

/** A problem with one row (or one cell) of an import. */
export interface ImportProblem {
  line: number;
  column?: string;
  code: string;
  message: string;
  message_en: string;
  value?: string;
}

/** What the rows can refer to: organizations (slug, name, short name) and topics (slug, names). */
export interface ImportLookups {
  organizations: Array<{ slug: string; name: string; short_name: string | null; kind: string }>;
  topics: Array<{ slug: string; name_id: string; name_en: string }>;
}

const ALIASES: Record<string, string[]> = {
  name: ['nama', 'nama_data', 'judul', 'nama_dataset', 'data', 'name', 'uraian', 'nama_indikator'],
  organization: ['opd', 'organisasi', 'produsen', 'produsen_data', 'perangkat_daerah', 'organization', 'instansi'],
  topic: ['topik', 'sektor', 'urusan', 'topic', 'tema'],
  frequency: ['frekuensi', 'jadwal_pemutakhiran', 'periode', 'periodisitas', 'frequency'],
  prioritas: ['prioritas', 'data_prioritas', 'priority'],
  statistics_class: ['klasifikasi', 'kelas_statistik', 'jenis_statistik', 'klasifikasi_statistik', 'statistics_class'],
  due_month: ['bulan_tenggat', 'tenggat', 'batas_bulan', 'due_month'],
  notes: ['catatan', 'keterangan', 'notes'],
  dataset: ['dataset', 'slug_dataset', 'dataset_slug'],
  year: ['tahun', 'year'],
};

const FREQ_WORDS: Record<string, Frequency> = {
  harian: 'harian', daily: 'harian', mingguan: 'mingguan', weekly: 'mingguan', bulanan: 'bulanan', monthly: 'bulanan',
  triwulanan: 'triwulanan', triwulan: 'triwulanan', kuartalan: 'triwulanan', quarterly: 'triwulanan',
  semesteran: 'semesteran', semester: 'semesteran', enam_bulanan: 'semesteran', tahunan: 'tahunan', annual: 'tahunan', yearly: 'tahunan',
  dua_tahunan: 'dua_tahunan', duatahunan: 'dua_tahunan', ad_hoc: 'ad_hoc', adhoc: 'ad_hoc', sewaktu_waktu: 'ad_hoc', insidental: 'ad_hoc',
};
const MONTHS = ['januari', 'februari', 'maret', 'april', 'mei', 'juni', 'juli', 'agustus', 'september', 'oktober', 'november', 'desember'];
const MONTHS_EN = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

const norm = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase();
const word = (s: string) => norm(s).replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');

function yesNo(v: string): boolean | null {
  const w = word(v);
  if (['ya', 'y', 'yes', 'true', '1', 'prioritas', 'v', 'x'].includes(w) || v.trim() === '✓') return true;
  if (['tidak', 't', 'no', 'n', 'false', '0', 'bukan', ''].includes(w)) return false;
  return null;
}

function statisticsClass(v: string): StatisticsClass | null {
  const w = word(v).replace(/^statistik_/, '');
  if ((STATISTICS_CLASSES as readonly string[]).includes(w)) return w as StatisticsClass;
  if (w === 'bps' || w === 'basic') return 'dasar';
  if (w === 'sectoral' || w === 'opd') return 'sektoral';
  if (w === 'special') return 'khusus';
  return null;
}

function month(v: string): number | null {
  const w = norm(v);
  if (/^\d{1,2}$/.test(w)) return Number(w) >= 1 && Number(w) <= 12 ? Number(w) : null;
  const i = MONTHS.findIndex((m) => m.startsWith(w.slice(0, 3)) && w.length >= 3);
  if (i >= 0) return i + 1;
  const j = MONTHS_EN.findIndex((m) => m.startsWith(w.slice(0, 3)) && w.length >= 3);
  return j >= 0 ? j + 1 : null;
}

/** The import's header → field map: which column holds which field (the first alias that matches). */
export function mapHeaders(headers: HeaderName[]): Partial<Record<keyof typeof ALIASES, number>> {
  const out: Partial<Record<keyof typeof ALIASES, number>> = {};
  for (const [field, names] of Object.entries(ALIASES)) {
    const i = headers.findIndex((h) => names.includes(h.name));
    if (i >= 0) out[field] = i;
  }
  return out;
}

/**
 * Reads the rows of an import for the list of `year`. Good rows become item fields; each bad
 * row gets one problem naming its line and column (the row is left out, the others go on).
 */
export function parseImportRows(
  headers: HeaderName[],
  rows: Array<{ line: number; cells: string[] }>,
  year: number,
  lookups: ImportLookups,
): { items: Array<{ line: number; fields: ItemFields }>; problems: ImportProblem[] } {
  const map = mapHeaders(headers);
  const problems: ImportProblem[] = [];
  const missing = (['name', 'organization', 'frequency'] as const).filter((f) => map[f] === undefined);
  if (missing.length) {
    const cols = missing.map((f) => ALIASES[f][0]).join(', ');
    problems.push({ line: 1, code: 'missing_columns', message: `Kolom wajib tidak ada: ${cols}.`, message_en: `Required columns missing: ${cols}.` });
    return { items: [], problems };
  }
  const label = (field: keyof typeof ALIASES) => headers[map[field]!].label;
  const orgs = new Map<string, string>();
  for (const o of lookups.organizations.filter((x) => x.kind === 'opd')) {
    for (const k of [o.slug, o.name, o.short_name]) if (k) orgs.set(norm(k), o.slug);
  }
  const topics = new Map<string, string>();
  for (const t of lookups.topics) for (const k of [t.slug, t.name_id, t.name_en]) topics.set(norm(k), t.slug);

  const items: Array<{ line: number; fields: ItemFields }> = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of rows) {
    const cell = (f: keyof typeof ALIASES) => (map[f] === undefined ? '' : (cells[map[f]!] ?? '').trim());
    const bad = (field: keyof typeof ALIASES, code: string, id: string, en: string) =>
      problems.push({ line, column: label(field), code, message: id, message_en: en, value: cell(field) || undefined });
    const y = cell('year');
    if (y && Number(y) !== year) {
      bad('year', 'other_year', `Baris untuk tahun ${y}, bukan ${year}.`, `Row for year ${y}, not ${year}.`);
      continue;
    }
    const org = orgs.get(norm(cell('organization')));
    if (!org) {
      bad('organization', 'unknown_organization', `OPD "${cell('organization')}" tidak dikenal.`, `Unknown OPD "${cell('organization')}".`);
      continue;
    }
    const freqRaw = word(cell('frequency'));
    const frequency = FREQ_WORDS[freqRaw] ?? ((FREQUENCIES as readonly string[]).includes(freqRaw) ? (freqRaw as Frequency) : null);
    if (!frequency) {
      bad('frequency', 'unknown_frequency', `Frekuensi "${cell('frequency')}" tidak dikenal (harian, mingguan, bulanan, triwulanan, semesteran, tahunan, dua tahunan, ad hoc).`, `Unknown frequency "${cell('frequency')}".`);
      continue;
    }
    let topic: string | undefined;
    if (cell('topic')) {
      topic = topics.get(norm(cell('topic')));
      if (!topic) {
        bad('topic', 'unknown_topic', `Topik "${cell('topic')}" tidak dikenal.`, `Unknown topic "${cell('topic')}".`);
        continue;
      }
    }
    const prioritas = yesNo(cell('prioritas'));
    if (prioritas === null) {
      bad('prioritas', 'bad_prioritas', `Prioritas harus "ya" atau "tidak", bukan "${cell('prioritas')}".`, `Prioritas must be "ya" or "tidak", not "${cell('prioritas')}".`);
      continue;
    }
    let sc: StatisticsClass = 'sektoral';
    if (cell('statistics_class')) {
      const c = statisticsClass(cell('statistics_class'));
      if (!c) {
        bad('statistics_class', 'bad_statistics_class', `Klasifikasi "${cell('statistics_class')}" tidak dikenal (dasar, sektoral, khusus).`, `Unknown statistics class "${cell('statistics_class')}".`);
        continue;
      }
      sc = c;
    }
    let due: number | null = null;
    if (cell('due_month')) {
      due = month(cell('due_month'));
      if (due === null) {
        bad('due_month', 'bad_due_month', `Bulan tenggat "${cell('due_month')}" tidak dikenal (1–12 atau nama bulan).`, `Unknown due month "${cell('due_month')}".`);
        continue;
      }
    }
    const parsed = itemFieldsSchema.safeParse({
      name: cell('name'),
      organization: org,
      topic,
      frequency,
      prioritas,
      statistics_class: sc,
      due_month: due,
      notes: cell('notes') || undefined,
      dataset: cell('dataset') || undefined,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = (issue.path[0] as keyof typeof ALIASES) ?? 'name';
      bad(map[field] === undefined ? 'name' : field, 'invalid', `${issue.message}.`, `${issue.message}.`);
      continue;
    }
    const key = `${org}|${norm(parsed.data.name)}`;
    if (seen.has(key)) {
      bad('name', 'duplicate', `Sama dengan baris ${seen.get(key)} (nama dan OPD).`, `Same as line ${seen.get(key)} (name and OPD).`);
      continue;
    }
    seen.set(key, line);
    items.push({ line, fields: parsed.data });
  }
  return { items, problems };
}
