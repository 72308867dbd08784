import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { parse } from 'csv-parse/sync';
import { topics } from './topics';

/** Inserts or refreshes the reference rows every install needs. Safe to run on every start. */
export async function seedReference(db: Knex): Promise<void> {
  await db('topics')
    .insert(topics.map((t, i) => ({ ...t, position: i })))
    .onConflict('slug')
    .merge();

  const rows: Record<string, string>[] = parse(fs.readFileSync(path.join(__dirname, 'wilayah_lampung.csv')), {
    columns: true,
    skip_empty_lines: true,
  });
  await db('wilayah')
    .insert(
      rows.map((r) => ({
        level: r.level,
        kode_bps: r.kode_bps,
        kode_kemendagri: r.kode_kemendagri,
        nama: r.nama,
        jenis: r.jenis,
        induk_bps: r.induk_bps || null,
      })),
    )
    // Once installed the walidata manages the codes (/manage/wilayah): a restart adds missing
    // ones and never undoes an edit (a changed code, a new name, a deactivation).
    .onConflict()
    .ignore();
}
