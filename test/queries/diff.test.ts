import { versionColumns } from '../../server/queries/datasets';
import { testWorld } from '../support/world';
import { changedCells, diffVersions, exampleQuotas, type DiffSide } from '../../server/queries/diff';
import { makeDataset, uploadContent } from '../support/factories';

const t = testWorld();


const HEAD = 'kode_kabupaten_kota,tahun,jumlah';
const BASE = [HEAD, '1801,2025,313756', '1802,2025,642343', '1871,2025,1077664'].join('\n');

async function sideOf(v: { id: number; number: number; table_name: string | null }): Promise<DiffSide> {
  const cols = await versionColumns(t.svc.db, v.id);
  return { number: Number(v.number), table_name: v.table_name, columns: cols.map((c) => ({ name: c.name, type: c.type, role: c.role })) };
}

/** Two versions of one new dataset, loaded through the real upload path. */
async function pair(before: string, after: string): Promise<[DiffSide, DiffSide]> {
  const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
  const a = await uploadContent(t.svc, t.w.producer.actor, ds.slug, before);
  const b = await uploadContent(t.svc, t.w.producer.actor, ds.slug, after);
  expect([a.table_name, b.table_name]).not.toContain(null);
  return [await sideOf(a), await sideOf(b)];
}

describe('diffVersions', () => {
  it('finds nothing between identical versions, keyed on region and time', async () => {
    const [a, b] = await pair(BASE, BASE);
    const d = await diffVersions(t.svc.db, a, b);
    expect(d).toEqual({
      against: a.number,
      columns: { added: [], removed: [], retyped: [] },
      rows: { key: ['kode_kabupaten_kota', 'tahun'], key_unique: true, key_source: 'region_time', added: 0, removed: 0, changed: 0, examples: [] },
    });
  });

  it('counts a row added and a row removed, with both rows as examples', async () => {
    const [a, b] = await pair(BASE, [HEAD, '1801,2025,313756', '1871,2025,1077664', '1872,2025,175000'].join('\n'));
    const d = await diffVersions(t.svc.db, a, b);
    expect(d.rows).toMatchObject({ added: 1, removed: 1, changed: 0 });
    expect(d.rows.examples).toEqual([
      { kind: 'added', key: { kode_kabupaten_kota: '1872', tahun: 2025 }, row: { kode_kabupaten_kota: '1872', tahun: 2025, jumlah: 175000 } },
      { kind: 'removed', key: { kode_kabupaten_kota: '1802', tahun: 2025 }, row: { kode_kabupaten_kota: '1802', tahun: 2025, jumlah: 642343 } },
    ]);
  });

  it('shows a changed value with its before and after, and pages the changed cells', async () => {
    const [a, b] = await pair(BASE, [HEAD, '1801,2025,313800', '1802,2025,642343', '1871,2025,1077664'].join('\n'));
    const d = await diffVersions(t.svc.db, a, b);
    expect(d.rows).toMatchObject({ added: 0, removed: 0, changed: 1 });
    expect(d.rows.examples).toEqual([
      { kind: 'changed', key: { kode_kabupaten_kota: '1801', tahun: 2025 }, changes: [{ column: 'jumlah', before: 313756, after: 313800 }] },
    ]);
    const cells = await changedCells(t.svc.db, a, b, d.rows.key, { limit: 10, offset: 0 });
    expect(cells).toEqual({ total: 1, cells: [{ key: { kode_kabupaten_kota: '1801', tahun: 2025 }, column: 'jumlah', before: 313756, after: 313800 }] });
  });

  it('reports columns added, removed and retyped, and compares a retyped number by value', async () => {
    const [a, b] = await pair(
      ['kode_kabupaten_kota,tahun,jumlah,rasio,catatan_lama', '1801,2025,313756,2.10,a', '1871,2025,1077664,3.5,b'].join('\n'),
      ['kode_kabupaten_kota,tahun,jumlah,rasio,sumber_baru', '1801,2025,313756.5,2.1,x', '1871,2025,1077664,3.5,y'].join('\n'),
    );
    const d = await diffVersions(t.svc.db, a, b);
    expect(d.columns).toEqual({ added: ['sumber_baru'], removed: ['catatan_lama'], retyped: [{ name: 'jumlah', from: 'integer', to: 'number' }] });
    // 1077664 (integer) = 1077664 (number), and 2.10 = 2.1 as numbers: only 313756 → 313756.5 changed.
    expect(d.rows).toMatchObject({ changed: 1, added: 0, removed: 0 });
    expect(d.rows.examples[0].changes).toEqual([{ column: 'jumlah', before: 313756, after: 313756.5 }]);
  });

  it('falls back to all shared dimension columns when region and time do not identify rows', async () => {
    const csv = (n: number) =>
      ['kode_kabupaten_kota,tahun,jenis_kelamin,jumlah', '1801,2025,L,100', `1801,2025,P,${n}`, '1871,2025,L,300', '1871,2025,P,400'].join('\n');
    const [a, b] = await pair(csv(200), csv(250));
    const d = await diffVersions(t.svc.db, a, b);
    expect(d.rows).toMatchObject({ key: ['kode_kabupaten_kota', 'tahun', 'jenis_kelamin'], key_unique: true, key_source: 'dimensions', changed: 1 });
  });

  it('uses a declared key, refuses an unknown one, and drops a declared key that is not unique', async () => {
    const [a, b] = await pair(BASE, [HEAD, '1801,2025,313756', '1802,2025,1', '1871,2025,1077664'].join('\n'));
    const d = await diffVersions(t.svc.db, a, b, { key: ['kode_kabupaten_kota'] });
    expect(d.rows).toMatchObject({ key: ['kode_kabupaten_kota'], key_unique: true, key_source: 'declared', changed: 1 });
    await expect(diffVersions(t.svc.db, a, b, { key: ['tidak_ada'] })).rejects.toMatchObject({ status: 400 });
    const byYear = await diffVersions(t.svc.db, a, b, { key: ['tahun'] });
    expect(byYear.rows).toMatchObject({ key: [], key_unique: false, key_source: 'none', added: 1, removed: 1, changed: 0 });
  });

  it('compares whole rows as multisets when no key is unique', async () => {
    const [a, b] = await pair(
      [HEAD, '1801,2025,10', '1801,2025,10', '1871,2025,20'].join('\n'),
      [HEAD, '1801,2025,10', '1871,2025,20', '1871,2025,20', '1872,2025,30'].join('\n'),
    );
    const d = await diffVersions(t.svc.db, a, b);
    expect(d.rows).toMatchObject({ key: [], key_unique: false, key_source: 'none', added: 2, removed: 1, changed: 0 });
    expect(d.rows.examples).toEqual([
      { kind: 'added', key: {}, row: { kode_kabupaten_kota: '1871', tahun: 2025, jumlah: 20 } },
      { kind: 'added', key: {}, row: { kode_kabupaten_kota: '1872', tahun: 2025, jumlah: 30 } },
      { kind: 'removed', key: {}, row: { kode_kabupaten_kota: '1801', tahun: 2025, jumlah: 10 } },
    ]);
    expect(await changedCells(t.svc.db, a, b, [], { limit: 10, offset: 0 })).toEqual({ cells: [], total: 0 });
  });

  it('keeps working when columns are named like the tables in its SQL (a, b)', async () => {
    const [a, b] = await pair(
      ['kode_kabupaten_kota,tahun,a,b', '1801,2025,1,2', '1802,2025,3,4'].join('\n'),
      ['kode_kabupaten_kota,tahun,a,b', '1801,2025,1,5', '1871,2025,6,7'].join('\n'),
    );
    const d = await diffVersions(t.svc.db, a, b);
    expect(d.rows).toMatchObject({ added: 1, removed: 1, changed: 1 });
    expect(d.rows.examples).toEqual([
      { kind: 'changed', key: { kode_kabupaten_kota: '1801', tahun: 2025 }, changes: [{ column: 'b', before: 2, after: 5 }] },
      { kind: 'added', key: { kode_kabupaten_kota: '1871', tahun: 2025 }, row: { kode_kabupaten_kota: '1871', tahun: 2025, a: 6, b: 7 } },
      { kind: 'removed', key: { kode_kabupaten_kota: '1802', tahun: 2025 }, row: { kode_kabupaten_kota: '1802', tahun: 2025, a: 3, b: 4 } },
    ]);
    const cells = await changedCells(t.svc.db, a, b, d.rows.key, { limit: 10, offset: 0 });
    expect(cells.cells).toEqual([{ key: { kode_kabupaten_kota: '1801', tahun: 2025 }, column: 'b', before: 2, after: 5 }]);
  });

  it('counts all rows removed and added when the versions share no column', async () => {
    const [a, b] = await pair(['x', '1', '2'].join('\n'), ['y', '3'].join('\n'));
    const d = await diffVersions(t.svc.db, a, b);
    expect(d.columns).toEqual({ added: ['y'], removed: ['x'], retyped: [] });
    expect(d.rows).toMatchObject({ key: [], key_unique: false, added: 1, removed: 2, changed: 0 });
    expect(d.rows.examples).toEqual([
      { kind: 'added', key: {}, row: { y: 3 } },
      { kind: 'removed', key: {}, row: { x: 1 } },
      { kind: 'removed', key: {}, row: { x: 2 } },
    ]);
  });

  it('counts every row of a first version as added', async () => {
    const ds = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    const v = await sideOf(await uploadContent(t.svc, t.w.producer.actor, ds.slug, BASE));
    const d = await diffVersions(t.svc.db, null, v);
    expect(d.against).toBeNull();
    expect(d.columns).toEqual({ added: ['kode_kabupaten_kota', 'tahun', 'jumlah'], removed: [], retyped: [] });
    expect(d.rows).toMatchObject({ key: ['kode_kabupaten_kota', 'tahun'], key_unique: true, added: 3, removed: 0, changed: 0 });
    expect(d.rows.examples.map((e) => [e.kind, e.key])).toEqual([
      ['added', { kode_kabupaten_kota: '1801', tahun: 2025 }],
      ['added', { kode_kabupaten_kota: '1802', tahun: 2025 }],
      ['added', { kode_kabupaten_kota: '1871', tahun: 2025 }],
    ]);
  });

  it('gets the counts right on 20,000 rows', async () => {
    const N = 20_000;
    const line = (i: number, v: number) => `${3201000000 + i},2024,${v}`;
    const before = ['kode_desa,tahun,nilai'];
    for (let i = 0; i < N; i++) before.push(line(i, i));
    // Drop the first 100, change every 7th remaining value, append 50 new villages.
    const after = ['kode_desa,tahun,nilai'];
    let changed = 0;
    for (let i = 100; i < N; i++) {
      const bump = i % 7 === 0;
      if (bump) changed++;
      after.push(line(i, bump ? i + 1 : i));
    }
    for (let i = N; i < N + 50; i++) after.push(line(i, i));
    const [a, b] = await pair(before.join('\n'), after.join('\n'));
    const d = await diffVersions(t.svc.db, a, b);
    expect(d.rows).toMatchObject({ key: ['kode_desa', 'tahun'], key_source: 'dimensions', added: 50, removed: 100, changed });
    expect(d.rows.examples).toHaveLength(10);
    expect(new Set(d.rows.examples.map((e) => e.kind))).toEqual(new Set(['changed', 'added', 'removed']));
    const page = await changedCells(t.svc.db, a, b, d.rows.key, { limit: 5, offset: 5 });
    expect(page.total).toBe(changed);
    expect(page.cells.map((c) => c.key.kode_desa)).toEqual([140, 147, 154, 161, 168].map((i) => String(3201000000 + i)));
  });
});

describe('exampleQuotas', () => {
  it('shares the example slots so a rare kind still shows', () => {
    expect(exampleQuotas({ changed: 100, added: 2, removed: 0 }, 10)).toEqual({ changed: 8, added: 2, removed: 0 });
    expect(exampleQuotas({ changed: 0, added: 0, removed: 0 }, 10)).toEqual({ changed: 0, added: 0, removed: 0 });
  });
});
