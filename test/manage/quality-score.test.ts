import { qualityScore, type QualityInput } from '../../server/quality/score';

const FULL_META = {
  nama_indikator: 'IPM', konsep: 'k', definisi: 'd', interpretasi: 'i', metode_perhitungan: 'm', rumus: 'r', ukuran: 'u',
  satuan: 'Indeks', klasifikasi_penyajian: 'Provinsi', indikator_komposit: 'Ya', level_estimasi: 'Provinsi',
};

/** A dataset that does everything right. */
function exemplary(): QualityInput {
  return {
    dataset: { description: 'Indeks Pembangunan Manusia Provinsi Lampung menurut tahun.', source: 'BPS', license: 'CC-BY-4.0', access_level: 'terbuka', contact_name: 'Bappeda', contact_email: null, metadata: { ...FULL_META } },
    version: {
      published: true,
      columns: [
        { name: 'kode_provinsi', label: 'Kode Provinsi', role: 'region', unit: null, description: 'Kode BPS' },
        { name: 'ipm', label: 'IPM', role: 'measure', unit: 'indeks', description: 'Nilai IPM' },
        { name: 'tahun', label: 'Tahun', role: 'time', unit: null, description: 'Tahun data' },
      ],
      errors: {},
      warnings: { title_skipped: 1 },
    },
    due: 'ok',
    deliveries: { on_time: 2, late_delivered: 0, late_open: 0 },
  };
}

const part = (q: ReturnType<typeof qualityScore>, key: string) => q.parts.find((p) => p.key === key)!;

describe('the quality score', () => {
  it('gives an exemplary dataset 100, with parts that add up to it and each explained', () => {
    const q = qualityScore(exemplary());
    expect(q.score).toBe(100);
    expect(q.parts.map((p) => [p.key, p.score, p.max])).toEqual([
      ['metadata', 25, 25], ['columns', 15, 15], ['timeliness', 20, 20], ['openness', 20, 20], ['reference_codes', 10, 10], ['validation', 10, 10],
    ]);
    for (const p of q.parts) expect(p.reasons.length).toBeGreaterThan(0);
  });

  it('takes off for missing required MS-Ind fields more than for recommended ones, and names them', () => {
    const req = exemplary();
    delete req.dataset.metadata.definisi;
    const rec = exemplary();
    delete rec.dataset.metadata.rumus;
    const a = part(qualityScore(req), 'metadata');
    const b = part(qualityScore(rec), 'metadata');
    expect(a.score).toBeCloseTo(25 - 15 / 7, 1);
    expect(b.score).toBe(24);
    expect(a.reasons[0].id).toContain('definisi');
    expect(b.reasons.map((r) => r.en).join(' ')).toContain('rumus');
  });

  it('scores column documentation by titles, units of measures and descriptions', () => {
    const i = exemplary();
    i.version!.columns = [
      { name: 'kolom_1', label: 'Kolom 1', role: 'dimension', unit: null, description: null },
      { name: 'nilai', label: 'Nilai', role: 'measure', unit: null, description: null },
      { name: 'jumlah', label: 'Jumlah', role: 'measure', unit: 'jiwa', description: null },
    ];
    const p = part(qualityScore(i), 'columns');
    expect(p.score).toBeCloseTo((5 * 2) / 3 + 5 / 2 + 0, 1);
    expect(p.reasons.map((r) => r.id).join(' ')).toMatch(/kolom_1.*nilai/s);
  });

  it('judges timeliness by the update schedule and the data-list deliveries', () => {
    const overdue = exemplary();
    overdue.due = 'overdue';
    overdue.deliveries = { on_time: 1, late_delivered: 1, late_open: 2 };
    const p = part(qualityScore(overdue), 'timeliness');
    expect(p.score).toBe(round((8 * 1.5) / 4));
    expect(p.reasons[1].en).toContain('1 on time, 1 published late, 2 late of 4');
    const unpublished = exemplary();
    unpublished.version!.published = false;
    expect(part(qualityScore(unpublished), 'timeliness').score).toBe(0);
  });

  it('rates openness by licence, machine readability, access level and the API', () => {
    const closed = exemplary();
    closed.dataset.access_level = 'tertutup';
    closed.dataset.license = 'Hak cipta dilindungi';
    expect(part(qualityScore(closed), 'openness').score).toBe(5);
    const restricted = exemplary();
    restricted.dataset.access_level = 'terbatas';
    expect(part(qualityScore(restricted), 'openness').score).toBe(12);
  });

  it('checks reference codes only where there are region columns, and counts warnings but not informative notes', () => {
    const noRegion = exemplary();
    noRegion.version!.columns = noRegion.version!.columns.filter((c) => c.role !== 'region');
    expect(part(qualityScore(noRegion), 'reference_codes')).toMatchObject({ score: 10, reasons: [{ en: 'No region code column (not applicable).' }] });
    const mismatch = exemplary();
    mismatch.version!.warnings = { region_name_mismatch: 3, wide_table: 1, mostly_numeric_text: 1 };
    const q = qualityScore(mismatch);
    expect(part(q, 'reference_codes').score).toBe(5);
    expect(part(q, 'validation').score).toBe(4);
    expect(q.score).toBe(100 - 5 - 6);
  });

  it('gives a dataset without a table only what its metadata and licence earn', () => {
    const i = exemplary();
    i.version = null;
    i.due = null;
    i.deliveries = null;
    const q = qualityScore(i);
    expect(q.parts.map((p) => p.score)).toEqual([25, 0, 0, 10, 0, 0]);
    expect(q.score).toBe(35);
  });
});

function round(n: number) {
  return Math.round(n * 10) / 10;
}
