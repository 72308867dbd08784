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

const cache = new WeakMap<Knex, { stamp: string; names: Promise<RegionNames> }>();

/**
 * The reference codes' names (kode referensi), read again only when the codes changed: the
 * walidata edits them (/manage/wilayah), so the stamp is their count and latest change.
 */
export async function regionNames(db: Knex): Promise<RegionNames> {
  const { rows } = await db.raw("SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') AS stamp FROM wilayah");
  const stamp = String(rows[0].stamp);
  const hit = cache.get(db);
  if (hit && hit.stamp === stamp) return hit.names;
  const names = db('wilayah')
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
  names.catch(() => cache.get(db)?.names === names && cache.delete(db));
  cache.set(db, { stamp, names });
  return names;
}
