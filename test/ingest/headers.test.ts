import { nameHeaders } from '../../server/ingest/sniff/headers';

const SAFE = /^[a-z_][a-z0-9_]{0,62}$/;

describe('header names', () => {
  it('makes snake_case names and keeps the header as the label', () => {
    expect(nameHeaders(['Jumlah Penduduk (Jiwa)', 'Luas Wilayah (km²)', 'Persentase (%)'])).toEqual([
      { name: 'jumlah_penduduk_jiwa', label: 'Jumlah Penduduk (Jiwa)' },
      { name: 'luas_wilayah_km2', label: 'Luas Wilayah (km²)' },
      { name: 'persentase_persen', label: 'Persentase (%)' },
    ]);
  });

  it('gives empty and duplicate headers unique names', () => {
    const out = nameHeaders(['Nama', '', 'nama', 'NAMA', '  ']);
    expect(out.map((h) => h.name)).toEqual(['nama', 'kolom_2', 'nama_2', 'nama_3', 'kolom_5']);
    expect(new Set(out.map((h) => h.name)).size).toBe(5);
    expect(out[1].label).toBe('Kolom 2');
  });

  it('keeps a hostile header as a label only, with a safe name', () => {
    const out = nameHeaders(['x"; DROP TABLE versions; --', '_id', '2020', 'é'.repeat(200), '"', '\u0000x']);
    for (const h of out) expect(h.name).toMatch(SAFE);
    expect(out[0]).toEqual({ name: 'x_drop_table_versions', label: 'x"; DROP TABLE versions; --' });
    expect(out[1].name).not.toBe('_id');
    expect(out[2].name).toBe('k_2020');
    expect(new Set(out.map((h) => h.name)).size).toBe(out.length);
  });

  it('strips accents and a byte-order mark', () => {
    expect(nameHeaders(['\uFEFFKode', 'Daérah Asal'])).toEqual([
      { name: 'kode', label: 'Kode' },
      { name: 'daerah_asal', label: 'Daérah Asal' },
    ]);
  });
});
