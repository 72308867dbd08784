import request from 'supertest';
import { perform } from '../../server/actions/action';
import { retractDataset, updateDataset } from '../../server/actions/datasets';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { buildIndexes } from '../../server/ingest/finish/indexes';
import { AnswerCache, answerCache } from '../../server/queries/version-cache';
import { publishedDataset, uploadContent } from '../support/factories';
import { testWorld } from '../support/world';

const t = testWorld();

const CSV = 'kode_kabupaten_kota,nama_kabupaten_kota,jumlah,tahun\n1801,LAMPUNG BARAT,10,2024\n1801,LAMPUNG BARAT,30,2025\n1871,BANDAR LAMPUNG,20,2025\n';
const rowsPath = (slug: string) => `/api/v1/datasets/${slug}/rows?filter[kode_kabupaten_kota]=1801&sort=-jumlah`;
const aggregatePath = (slug: string) => `/api/v1/datasets/${slug}/aggregate?group=kode_kabupaten_kota&measure=jumlah&fn=sum`;

describe('answers kept per published version', () => {
  it('serves the same rows, counts and sums from the cache as from the table', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, CSV);
    const first = await request(t.app).get(rowsPath(ds.slug)).expect(200);
    const kept = answerCache(t.svc.db).size;
    const again = await request(t.app).get(rowsPath(ds.slug)).expect(200);
    expect(answerCache(t.svc.db).size).toBe(kept); // answered from what was kept, nothing new computed
    expect(again.body).toEqual(first.body);
    expect(first.body.meta.total).toBe(2);
    expect(first.body.data.map((r: { jumlah: number }) => r.jumlah)).toEqual([30, 10]);
    const sums = await request(t.app).get(aggregatePath(ds.slug)).expect(200);
    expect(sums.body.data).toEqual([
      { kode_kabupaten_kota: '1801', value: 40 },
      { kode_kabupaten_kota: '1871', value: 20 },
    ]);
    expect((await request(t.app).get(aggregatePath(ds.slug)).expect(200)).body).toEqual(sums.body);
  });

  it('pages through a filter and a sort exactly as the table orders them (ties in file order)', async () => {
    const lines = Array.from({ length: 250 }, (_, i) => `${i % 3 ? '1801' : '1871'},X,${(i * 7) % 40},${2000 + (i % 5)}`);
    const { ds } = await publishedDataset(t.svc, t.w, `kode_kabupaten_kota,nama_kabupaten_kota,jumlah,tahun\n${lines.join('\n')}\n`);
    const expected = lines
      .map((l, i) => ({ id: i + 1, code: l.slice(0, 4), jumlah: Number(l.split(',')[2]) }))
      .filter((r) => r.code === '1801')
      .sort((a, b) => b.jumlah - a.jumlah || a.id - b.id)
      .map((r) => [r.id, r.jumlah]);
    const got: number[][] = [];
    for (let offset = 0; offset < expected.length; offset += 60) {
      const res = await request(t.app).get(`${rowsPath(ds.slug)}&limit=60&offset=${offset}`).expect(200);
      expect(res.body.meta).toEqual({ total: expected.length, limit: 60, offset });
      got.push(...res.body.data.map((r: { _id: number; jumlah: number }) => [Number(r._id), r.jumlah]));
    }
    expect(got).toEqual(expected);
  });

  it('never serves a retracted dataset from the cache, and serves it again once restored', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, CSV);
    const csv = await request(t.app).get(`/dataset/${ds.slug}/download.csv`).expect(200);
    for (const p of [rowsPath(ds.slug), aggregatePath(ds.slug), `/dataset/${ds.slug}`]) await request(t.app).get(p).expect(200);
    await perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, reason: 'Angka keliru' }, t.svc);
    await request(t.app).get(rowsPath(ds.slug)).expect(404);
    await request(t.app).get(aggregatePath(ds.slug)).expect(404);
    await request(t.app).get(`/dataset/${ds.slug}/download.csv`).expect(404);
    const page = await request(t.app).get(`/dataset/${ds.slug}`).expect(410);
    expect(page.text).not.toContain('BANDAR LAMPUNG');
    await perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, retract: false }, t.svc);
    expect((await request(t.app).get(rowsPath(ds.slug)).expect(200)).body.meta.total).toBe(2);
    expect((await request(t.app).get(`/dataset/${ds.slug}/download.csv`).expect(200)).text).toBe(csv.text);
  });

  it('follows a change of access level at once: closed data is refused to the public, still shown to its producer', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, CSV);
    await request(t.app).get(rowsPath(ds.slug)).expect(200);
    await request(t.app).get(aggregatePath(ds.slug)).expect(200);
    await perform(updateDataset, t.w.walidata.actor, { slug: ds.slug, access_level: 'tertutup' }, t.svc);
    await request(t.app).get(rowsPath(ds.slug)).expect(404);
    await request(t.app).get(aggregatePath(ds.slug)).expect(404);
    const own = await request(t.app).get(rowsPath(ds.slug)).set(await t.bearer(t.w.producer)).expect(200);
    expect(own.body.meta.total).toBe(2);
  });

  it('answers from a newly published version, not from what was kept of the previous one', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, CSV);
    expect((await request(t.app).get(rowsPath(ds.slug)).expect(200)).body.meta.total).toBe(2);
    expect((await request(t.app).get(aggregatePath(ds.slug)).expect(200)).body.data[0].value).toBe(40);
    const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, `${CSV}1801,LAMPUNG BARAT,5,2026\n`);
    await perform(submitVersion, t.w.producer.actor, { slug: ds.slug, number: v2.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v2.number, decision: 'approve' }, t.svc);
    const rows = await request(t.app).get(rowsPath(ds.slug)).expect(200);
    expect(rows.body.meta.total).toBe(3);
    expect(rows.body.data.map((r: { jumlah: number }) => r.jumlah)).toEqual([30, 10, 5]);
    expect((await request(t.app).get(aggregatePath(ds.slug)).expect(200)).body.data[0].value).toBe(45);
    // The older version is still itself.
    const old = await request(t.app).get(`/api/v1/datasets/${ds.slug}/versions/1/rows?filter[kode_kabupaten_kota]=1801`).expect(200);
    expect(old.body.meta.total).toBe(2);
  });

  it('keeps nothing of a draft: a reviewer sees each load as it is', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, CSV);
    const v2 = await uploadContent(t.svc, t.w.producer.actor, ds.slug, `${CSV}1801,LAMPUNG BARAT,5,2026\n`);
    const before = answerCache(t.svc.db).size;
    const path = `/api/v1/datasets/${ds.slug}/versions/${v2.number}/rows?filter[kode_kabupaten_kota]=1801`;
    const res = await request(t.app).get(path).set(await t.bearer(t.w.producer)).expect(200);
    expect(res.body.meta.total).toBe(3);
    expect(answerCache(t.svc.db).size).toBe(before);
  });
});

describe('AnswerCache', () => {
  it('computes a missing answer once for concurrent askers and keeps no failure', async () => {
    const c = new AnswerCache(10, 1e6);
    let runs = 0;
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++runs), 10));
    const answers = await Promise.all([c.get('k', slow, () => 8), c.get('k', slow, () => 8), c.get('k', slow, () => 8)]);
    expect(answers).toEqual([1, 1, 1]);
    expect(runs).toBe(1);
    await expect(c.get('bad', () => Promise.reject(new Error('x')), () => 1)).rejects.toThrow('x');
    expect(await c.get('bad', async () => 7, () => 1)).toBe(7);
  });

  it('drops the least recently used answers beyond its bounds', async () => {
    const c = new AnswerCache(2, 1e6);
    await c.get('a', async () => 1, () => 1);
    await c.get('b', async () => 2, () => 1);
    await c.get('a', async () => 0, () => 1); // a used again: b is now the oldest
    await c.get('c', async () => 3, () => 1);
    expect(c.size).toBe(2);
    expect(await c.get('a', async () => -1, () => 1)).toBe(1);
    expect(await c.get('b', async () => -2, () => 1)).toBe(-2);
    const bySize = new AnswerCache(100, 10);
    await bySize.get('x', async () => 'x', () => 6);
    await bySize.get('y', async () => 'y', () => 6);
    expect(bySize.size).toBe(1);
  });
});

describe('indexes of a large table', () => {
  it('indexes the file order (_id) beside the region and time columns', async () => {
    const { v } = await publishedDataset(t.svc, t.w, CSV);
    const columns = await t.svc.db('version_columns').where({ version_id: v.id }).select('name', 'role');
    await buildIndexes(t.svc.db, v.table_name, columns, 20_000); // the row count that asks for indexes
    const { rows } = await t.svc.db.raw(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'datastore' AND tablename = ?`, [v.table_name]);
    const defs = rows.map((r: { indexdef: string }) => r.indexdef.replace(/^.* USING btree /, ''));
    expect(defs.sort()).toEqual(['(_id)', '(kode_kabupaten_kota)', '(tahun)']);
  });
});
