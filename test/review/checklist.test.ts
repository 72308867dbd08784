import { evaluateChecklist } from '../../server/review/checklist';

const fullMeta = { nama_indikator: 'IPM', konsep: 'k', definisi: 'd', metode_perhitungan: 'm', ukuran: 'Indeks', satuan: 'Indeks', level_estimasi: 'Provinsi' };
const dataset = (over = {}) => ({ description: 'Deskripsi', source: 'BPS', metadata: fullMeta, ...over });
const clean = { errors: {}, warnings: {} };
const version = (counts = clean, dialect: Record<string, unknown> = {}) => ({ has_table: true, report: { errors: [], warnings: [], counts }, file: { dialect } });
const col = (name: string, type: string, role: string, unit: string | null = null, ref_scheme: string | null = null) => ({ name, label: name, type, role, unit, ref_scheme });
const byKey = (items: ReturnType<typeof evaluateChecklist>) => Object.fromEntries(items.map((i) => [i.key, i.pass]));

describe('the standard-data checklist', () => {
  it('passes a typed table with units, full metadata and valid BPS codes', () => {
    const items = evaluateChecklist(dataset(), version(), [col('kode_provinsi', 'text', 'region', null, 'bps'), col('ipm', 'number', 'measure', 'Indeks'), col('tahun', 'year', 'time')]);
    expect(byKey(items)).toEqual({ standar_data: true, metadata_lengkap: true, interoperabilitas: true, kode_referensi: true });
    expect(items[3].reasons[0].id).toContain('kode BPS');
  });
  it('fails the data standard for unnamed columns and measures without units', () => {
    const items = evaluateChecklist(dataset(), version(), [col('kolom_3', 'text', 'dimension'), col('a', 'number', 'measure'), col('b', 'integer', 'measure')]);
    expect(items[0].pass).toBe(false);
    expect(items[0].reasons.map((r) => r.en).join(' ')).toMatch(/kolom_3.*No unit for: a, b/);
  });
  it('accepts the dataset’s MS-Ind unit for a single measure', () => {
    expect(evaluateChecklist(dataset(), version(), [col('nilai', 'number', 'measure')])[0].pass).toBe(true);
  });
  it('names the missing required MS-Ind fields, description and source', () => {
    const items = evaluateChecklist(dataset({ description: '', source: null, metadata: { nama_indikator: 'x' } }), version(), []);
    expect(items[1].pass).toBe(false);
    expect(items[1].reasons.map((r) => r.en)).toEqual([
      'MS-Ind fields missing: konsep, definisi, metode_perhitungan, ukuran, satuan, level_estimasi',
      'The dataset has no description.',
      'The data source is not named.',
    ]);
  });
  it('fails interoperability for wide tables and unloaded ones', () => {
    expect(evaluateChecklist(dataset(), version({ errors: {}, warnings: { wide_table: 1 } }), [])[2].pass).toBe(false);
    expect(evaluateChecklist(dataset(), { ...version(), has_table: false }, [])[2].pass).toBe(false);
  });
  it('is not applicable without a region column, and fails on unknown codes', () => {
    expect(evaluateChecklist(dataset(), version(), [col('nilai', 'number', 'measure', 'x')])[3].pass).toBeNull();
    expect(evaluateChecklist(dataset(), version({ errors: { unknown_region_code: 2 }, warnings: {} }), [col('kode_provinsi', 'text', 'region')])[3].pass).toBe(false);
  });
});

describe('the data standard and numbers read as text', () => {
  it('fails while a numeric column is read as text', () => {
    const items = evaluateChecklist(dataset(), version({ errors: {}, warnings: { mostly_numeric_text: 1 } }), [col('nilai', 'number', 'measure', 'x')]);
    expect(items[0].pass).toBe(false);
    expect(items[0].reasons[0].en).toMatch(/numeric column\(s\) read as text/);
  });
});
