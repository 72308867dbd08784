import { testWorld } from '../support/world';
import { signedIn } from '../support/http';
import { load } from '../support/ingest';
import { INDEX_MIN_ROWS } from '../../server/ingest/finish/indexes';

const t = testWorld();

/** A table larger than the exactly-counted size, with `empty` cells missing in `catatan`. */
function largeCsv(rows: number, empty: number): string {
  const out = ['kode_kabupaten_kota,nama_kabupaten_kota,catatan,nilai,tahun'];
  const regions = [['1801', 'LAMPUNG BARAT'], ['1802', 'TANGGAMUS'], ['1871', 'BANDAR LAMPUNG']];
  const gap = Math.floor(rows / empty);
  for (let i = 0; i < rows; i++) {
    const [kode, nama] = regions[i % regions.length];
    const note = i % gap === 7 && Math.floor(i / gap) < empty ? '' : `catatan ${i % 37}`;
    out.push(`${kode},${nama},${note},${(i * 3) % 1001}.5,${2000 + (i % 25)}`);
  }
  return `${out.join('\n')}\n`;
}

describe('column statistics', () => {
  it('counts the empty cells, minimum and maximum of a large table exactly, and marks estimates as such', async () => {
    const rows = INDEX_MIN_ROWS * 8; // more than ANALYZE samples (30,000 rows)
    const l = await load(t.svc, t.w, largeCsv(rows, 423));
    expect(Number(l.v.row_count)).toBe(rows);
    const stats = Object.fromEntries(
      (await t.svc.db('version_columns').where({ version_id: l.v.id }).select('name', 'stats')).map((c) => [c.name, c.stats]),
    );
    expect(stats.catatan).toMatchObject({ nulls: 423 });
    expect(stats.nilai).toMatchObject({ nulls: 0, min: 0.5, max: 1000.5 });
    expect(stats.tahun).toMatchObject({ nulls: 0, min: 2000, max: 2024 });
    // Distinct counts of large tables come from PostgreSQL's sample: they say so.
    expect(stats.catatan.estimated).toEqual(expect.arrayContaining(['distinct']));
    expect(stats.catatan.estimated).not.toContain('nulls');

    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    const page = (await producer.get(`/dashboard/datasets/${l.slug}/versions/1`).expect(200)).text.replace(/<[^>]+>/g, '');
    expect(page).toContain('423 kosong');
    expect(page).not.toMatch(/≈\s*423/);
    expect(page).toMatch(/≈\s*\d+ nilai berbeda/);

    // The indexes (region, time and the file order) are built once the version is a draft, before the load job ends.
    const indexed = await t.svc.db('pg_indexes').where({ schemaname: 'datastore', tablename: l.v.table_name }).pluck('indexdef');
    expect(indexed.map((d: string) => /\(([a-z_]+)\)$/.exec(d)?.[1]).sort()).toEqual(['_id', 'kode_kabupaten_kota', 'tahun']);
  });

  it('gives a small table exact figures without marking any as estimated', async () => {
    const l = await load(t.svc, t.w, 'nama,catatan\nA,x\nB,\nC,y\nD,\n');
    const c = await t.svc.db('version_columns').where({ version_id: l.v.id, name: 'catatan' }).first();
    expect(c.stats).toMatchObject({ nulls: 2, distinct: 2 });
    expect(c.stats.estimated).toBeUndefined();
  });
});
