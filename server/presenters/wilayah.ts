import type { WilayahRow } from '../actions/wilayah';

/** Allow-listed for pages and the command line. */
export function presentWilayah(w: WilayahRow) {
  return { id: w.id, level: w.level, kode_bps: w.kode_bps, kode_kemendagri: w.kode_kemendagri, nama: w.nama, jenis: w.jenis, induk_bps: w.induk_bps, active: w.active };
}
