import type { Knex } from 'knex';
import type { WilayahRow } from '../actions/wilayah';
import { escapeLike } from './search';

/**
 * The reference codes (kode referensi), the province first and then by BPS code; `q` finds a part
 * of the name or the beginning of either code. Inactive codes are listed too.
 */
export function listWilayah(db: Knex, q = ''): Promise<WilayahRow[]> {
  return db('wilayah')
    .modify((b) => {
      const e = escapeLike(q);
      if (q) void b.where((w) => w.whereILike('nama', `%${e}%`).orWhereILike('kode_bps', `${e}%`).orWhereILike('kode_kemendagri', `${e}%`));
    })
    .orderByRaw("CASE level WHEN 'provinsi' THEN 0 ELSE 1 END")
    .orderBy('kode_bps');
}

/** One reference code by its id, or null. */
export async function findWilayah(db: Knex, id: number): Promise<WilayahRow | null> {
  return ((await db('wilayah').where({ id }).first()) as WilayahRow | undefined) ?? null;
}
