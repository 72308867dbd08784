import type { Knex } from 'knex';

/** Region names by code, per scheme (codes without dots), as readers see them on charts and maps. */
export interface RegionNames {
  bps: Record<string, string>;
  kemendagri: Record<string, string>;
}

const SMALL = new Set(['DAN', 'DI']);

/** `LAMPUNG BARAT` → `Lampung Barat`; a kota keeps its word (`Kota Metro`), as BPS writes it in prose. */
export function displayRegionName(nama: string, jenis: string): string {
  const words = nama
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => (SMALL.has(w.toUpperCase()) ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
  return jenis === 'kota' ? `Kota ${words}` : words;
}

const cache = new WeakMap<Knex, Promise<RegionNames>>();

/** The reference codes' names (kode referensi), read once per database handle: they change only with a seed. */
export function regionNames(db: Knex): Promise<RegionNames> {
  let p = cache.get(db);
  if (!p) {
    p = db('wilayah')
      .select('kode_bps', 'kode_kemendagri', 'nama', 'jenis')
      .then((rows: Array<{ kode_bps: string; kode_kemendagri: string; nama: string; jenis: string }>) => {
        const out: RegionNames = { bps: {}, kemendagri: {} };
        for (const r of rows) {
          const name = displayRegionName(r.nama, r.jenis);
          out.bps[r.kode_bps.replace(/\./g, '')] = name;
          out.kemendagri[r.kode_kemendagri.replace(/\./g, '')] = name;
        }
        return out;
      });
    p.catch(() => cache.delete(db));
    cache.set(db, p);
  }
  return p;
}
