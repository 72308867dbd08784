import { RESERVED_NAMES } from '../../db/datastore';

/** A column header: the generated safe name and the original text. */
export interface HeaderName {
  name: string;
  label: string;
}

/**
 * Turns raw headers into unique snake_case identifiers, keeping the original as the label.
 * `Jumlah Penduduk (Jiwa)` → `jumlah_penduduk_jiwa`; empty → `kolom_3`; a repeat → `nama_2`.
 * Whatever the header says, the name matches ^[a-z_][a-z0-9_]{0,62}$.
 */
export function nameHeaders(raw: string[]): HeaderName[] {
  const used = new Set<string>();
  return raw.map((label, i) => {
    const clean = label.replace(/^\uFEFF/, '').replace(/\s+/g, ' ').trim();
    let base = clean
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/²/g, '2')
      .replace(/³/g, '3')
      .replace(/%/g, ' persen ')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 55)
      .replace(/_+$/, '');
    if (!base) base = `kolom_${i + 1}`;
    if (/^[0-9]/.test(base)) base = `k_${base}`;
    if (RESERVED_NAMES.has(base)) base = `${base}_kolom`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return { name, label: clean || `Kolom ${i + 1}` };
  });
}
