import { up } from '../../migrations/20261203180000_data_table_id_index';
import { makeWorld, publishedDataset, type World } from '../support/factories';
import { isolatedDatabase } from '../support/isolated-db';
import { testServices, type TestServices } from '../support/services';

let svc: TestServices;
let w: World;
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;

// The migration looks at every data table of its database: this test gets a database of its own.
beforeAll(async () => {
  isolated = await isolatedDatabase();
  svc = testServices({ url: isolated.url });
  w = await makeWorld(svc);
});
afterAll(async () => {
  await svc.close();
  await isolated.drop();
});

const idIndex = async (table: string) =>
  (await svc.db.raw(`SELECT indexname FROM pg_indexes WHERE schemaname = 'datastore' AND tablename = ? AND indexdef LIKE '%(_id)'`, [table])).rows.map((r: { indexname: string }) => r.indexname);

/** The plan of the rows API's default page (file order), as text. */
const defaultPagePlan = async (table: string) =>
  (await svc.db.raw(`EXPLAIN SELECT * FROM "datastore"."${table}" ORDER BY "_id" LIMIT 20 OFFSET 100`)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('migration: the file-order index of data tables loaded before the loader built it', () => {
  it('builds the missing index on a loaded table, once, and reads pages of the file order through it', async () => {
    const lines = Array.from({ length: 12_000 }, (_, i) => `${i % 2 ? 1801 : 1871},${i},2025`);
    const { ds } = await publishedDataset(svc, w, `kode_kabupaten_kota,jumlah,tahun\n${lines.join('\n')}\n`);
    const { table_name: table } = await svc.db('versions').join('datasets', 'datasets.current_version_id', 'versions.id').where('datasets.slug', ds.slug).first('versions.table_name');
    // As a table loaded before the loader built it: the load's own index dropped.
    expect(await until(() => idIndex(table), (names) => names.length === 1)).toEqual([`${table}_id`]);
    await svc.db.raw(`DROP INDEX "datastore"."${table}_id"`);
    await svc.db.raw(`ANALYZE "datastore"."${table}"`);
    expect(await defaultPagePlan(table)).toMatch(/Sort/);

    await svc.db.transaction((trx) => up(trx));
    expect(await idIndex(table)).toEqual([`${table}_id`]);
    expect(await defaultPagePlan(table)).toMatch(new RegExp(`Index Scan using ${table}_id`));
    await svc.db.transaction((trx) => up(trx));
    expect(await idIndex(table)).toEqual([`${table}_id`]);
  });
});
