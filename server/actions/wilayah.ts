import type { Knex } from 'knex';
import { z } from 'zod';
import { Invalid, NotFound } from '../errors';
import { canManageWilayah } from '../policies/wilayah';
import { defineAction } from './action';

/** A reference code as stored. */
export interface WilayahRow {
  id: number;
  level: 'provinsi' | 'kabupaten_kota';
  kode_bps: string;
  kode_kemendagri: string;
  nama: string;
  jenis: string;
  induk_bps: string | null;
  active: boolean;
}

export const WILAYAH_LEVELS = ['provinsi', 'kabupaten_kota'] as const;
export const WILAYAH_KINDS = ['provinsi', 'kabupaten', 'kota'] as const;

const fields = z.object({
  level: z.enum(WILAYAH_LEVELS),
  kode_bps: z.string().trim(),
  kode_kemendagri: z.string().trim(),
  nama: z.string().trim().min(1).max(200),
  jenis: z.enum(WILAYAH_KINDS),
  induk_bps: z.string().trim().optional().transform((v) => v || null),
});
type Fields = z.output<typeof fields>;

type Problem = { path: string; message: string; message_en: string };

/**
 * The formats of SPEC §2's two schemes, and the parent: a province is `18` in both; a
 * kabupaten/kota is BPS `1801` (its province's code and two digits) and Kemendagri `18.04`
 * (the province's code, a dot, two digits) — the two numbers differ, only the province is shared.
 */
async function problemsOf(db: Knex | Knex.Transaction, f: Fields, self: number | null): Promise<Problem[]> {
  const out: Problem[] = [];
  const bad = (path: string, message: string, message_en: string) => out.push({ path, message, message_en });
  if (f.level === 'provinsi') {
    if (!/^\d{2}$/.test(f.kode_bps)) bad('kode_bps', 'Kode BPS provinsi terdiri atas 2 angka (mis. 18).', 'A province’s BPS code is 2 digits (e.g. 18).');
    if (!/^\d{2}$/.test(f.kode_kemendagri)) bad('kode_kemendagri', 'Kode Kemendagri provinsi terdiri atas 2 angka (mis. 18).', 'A province’s Kemendagri code is 2 digits (e.g. 18).');
    if (f.jenis !== 'provinsi') bad('jenis', 'Jenis wilayah tingkat provinsi adalah provinsi.', 'A province-level region is of kind provinsi.');
    if (f.induk_bps) bad('induk_bps', 'Provinsi tidak mempunyai induk.', 'A province has no parent.');
  } else {
    if (!/^\d{4}$/.test(f.kode_bps)) bad('kode_bps', 'Kode BPS kabupaten/kota terdiri atas 4 angka (mis. 1801).', 'A kabupaten/kota’s BPS code is 4 digits (e.g. 1801).');
    if (!/^\d{2}\.\d{2}$/.test(f.kode_kemendagri)) bad('kode_kemendagri', 'Kode Kemendagri kabupaten/kota berbentuk 2 angka, titik, 2 angka (mis. 18.04).', 'A kabupaten/kota’s Kemendagri code is 2 digits, a dot, 2 digits (e.g. 18.04).');
    if (f.jenis === 'provinsi') bad('jenis', 'Jenis kabupaten/kota adalah kabupaten atau kota.', 'A kabupaten/kota is of kind kabupaten or kota.');
    const parent = f.induk_bps ? await db('wilayah').where({ kode_bps: f.induk_bps, level: 'provinsi' }).first('kode_bps') : null;
    if (!parent) bad('induk_bps', 'Induk kabupaten/kota harus kode BPS sebuah provinsi yang ada.', 'A kabupaten/kota’s parent must be the BPS code of an existing province.');
    else {
      if (/^\d{4}$/.test(f.kode_bps) && !f.kode_bps.startsWith(parent.kode_bps)) bad('kode_bps', `Kode BPS harus diawali kode provinsinya (${parent.kode_bps}).`, `The BPS code must begin with its province’s code (${parent.kode_bps}).`);
      if (/^\d{2}\.\d{2}$/.test(f.kode_kemendagri) && !f.kode_kemendagri.startsWith(`${parent.kode_bps}.`)) bad('kode_kemendagri', `Kode Kemendagri harus diawali kode provinsinya (${parent.kode_bps}.).`, `The Kemendagri code must begin with its province’s code (${parent.kode_bps}.).`);
    }
  }
  const taken = await db('wilayah')
    .where((q) => q.where('kode_bps', f.kode_bps).orWhere('kode_kemendagri', f.kode_kemendagri))
    .modify((q) => (self === null ? q : q.whereNot('id', self)))
    .select('kode_bps', 'kode_kemendagri', 'nama');
  for (const t of taken) {
    if (t.kode_bps === f.kode_bps) bad('kode_bps', `Kode BPS ${f.kode_bps} sudah dipakai ${t.nama}.`, `BPS code ${f.kode_bps} is already used by ${t.nama}.`);
    if (t.kode_kemendagri === f.kode_kemendagri) bad('kode_kemendagri', `Kode Kemendagri ${f.kode_kemendagri} sudah dipakai ${t.nama}.`, `Kemendagri code ${f.kode_kemendagri} is already used by ${t.nama}.`);
  }
  return out;
}

async function check(db: Knex.Transaction, f: Fields, self: number | null): Promise<void> {
  // One writer of the reference codes at a time: two saves cannot take the same code.
  await db.raw('LOCK TABLE wilayah IN SHARE ROW EXCLUSIVE MODE');
  const problems = await problemsOf(db, f, self);
  if (problems.length) {
    throw new Invalid(problems.map((p) => p.message).join(' '), problems.map((p) => p.message_en).join(' '), problems);
  }
}

const record = (f: Fields) => ({ level: f.level, kode_bps: f.kode_bps, kode_kemendagri: f.kode_kemendagri, nama: f.nama.toUpperCase(), jenis: f.jenis, induk_bps: f.induk_bps });

async function byId(tx: Knex.Transaction, id: number): Promise<WilayahRow> {
  const w = await tx('wilayah').where({ id }).forUpdate().first();
  if (!w) throw new NotFound('Kode referensi tidak ditemukan.', 'Reference code not found.');
  return w;
}

/** Add a reference code (a province or a kabupaten/kota with both its codes). */
export const createWilayah = defineAction({
  name: 'wilayah.create',
  input: fields,
  async load() {
    return null;
  },
  authorize: (actor) => canManageWilayah(actor),
  async run({ tx }, _actor, _r, input) {
    await check(tx, input, null);
    const [w] = await tx('wilayah').insert({ ...record(input), active: true, updated_at: tx.fn.now() }).returning('*');
    return { result: w as WilayahRow, audit: { targetType: 'wilayah', targetId: w.kode_bps, details: record(input) } };
  },
});

/** Change a reference code's name, codes, level, kind or parent. */
export const updateWilayah = defineAction({
  name: 'wilayah.update',
  input: fields.extend({ id: z.coerce.number().int().positive() }),
  load: (tx, input) => byId(tx, input.id),
  authorize: (actor) => canManageWilayah(actor),
  async run({ tx }, _actor, before, input) {
    await check(tx, input, before.id);
    const after = record(input);
    // A province whose BPS code changes takes its kabupaten/kota along (their parent is that code).
    if (before.level === 'provinsi' && after.kode_bps !== before.kode_bps) {
      await tx('wilayah').where({ induk_bps: before.kode_bps }).update({ induk_bps: after.kode_bps, updated_at: tx.fn.now() });
    }
    const [w] = await tx('wilayah').where({ id: before.id }).update({ ...after, updated_at: tx.fn.now() }).returning('*');
    const changed = Object.fromEntries(Object.entries(after).filter(([k, v]) => before[k as keyof WilayahRow] !== v).map(([k, v]) => [k, { from: before[k as keyof WilayahRow], to: v }]));
    return { result: w as WilayahRow, audit: Object.keys(changed).length ? { targetType: 'wilayah', targetId: w.kode_bps, details: changed } : null };
  },
});

/** Take a reference code out of use (loads no longer accept it) or back into use. */
export const setWilayahActive = defineAction({
  name: 'wilayah.set_active',
  input: z.object({ id: z.coerce.number().int().positive(), active: z.boolean() }),
  load: (tx, input) => byId(tx, input.id),
  authorize: (actor) => canManageWilayah(actor),
  async run({ tx }, _actor, before, input) {
    if (before.active === input.active) return { result: before, audit: null };
    const [w] = await tx('wilayah').where({ id: before.id }).update({ active: input.active, updated_at: tx.fn.now() }).returning('*');
    return { result: w as WilayahRow, audit: { targetType: 'wilayah', targetId: w.kode_bps, details: { active: input.active } } };
  },
});
