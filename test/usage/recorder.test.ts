import request from 'supertest';
import { localDay } from '../../server/manage/calendar';
import { cleanSearchTerm } from '../../server/usage/recorder';
import { publishedDataset, SMALL_CSV, uid, uploadContent } from '../support/factories';
import { signedIn } from '../support/http';
import { testWorld } from '../support/world';
import { usageByDay, usageTotals, searchMissSummary } from '../../server/queries/usage';

const t = testWorld();
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36';

describe('usage counters', () => {
  it('counts page views and downloads per dataset, format and day in memory, and writes them in one batch', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    await t.svc.usage.flush();
    for (let i = 0; i < 3; i++) await request(t.app).get(`/dataset/${ds.slug}`).set('User-Agent', BROWSER).expect(200);
    await request(t.app).get(`/dataset/${ds.slug}/download.csv`).set('User-Agent', BROWSER).expect(200);
    await request(t.app).get(`/dataset/${ds.slug}/download.csv`).set('User-Agent', BROWSER).expect(200);
    await request(t.app).get(`/dataset/${ds.slug}/download.json`).set('User-Agent', BROWSER).expect(200);

    // Nothing is written per request…
    expect(await t.svc.db('usage_daily').where({ dataset_id: ds.id })).toEqual([]);
    expect(Number((await t.svc.db('datasets').where({ id: ds.id }).first()).view_count)).toBe(0);
    // …until the batch is written.
    await t.svc.usage.flush();
    const rows = await t.svc.db('usage_daily').where({ dataset_id: ds.id }).orderBy(['kind', 'format']).select('kind', 'format', 'count');
    expect(rows.map((r) => [r.kind, r.format, Number(r.count)])).toEqual([
      ['download', 'csv', 2],
      ['download', 'json', 1],
      ['view', 'page', 3],
    ]);
    const d = await t.svc.db('datasets').where({ id: ds.id }).first();
    expect([Number(d.view_count), Number(d.download_count)]).toEqual([3, 3]);

    const today = localDay(new Date(), t.svc.config.timeZone);
    expect(await usageByDay(t.svc.db, { datasetId: ds.id, from: today, to: today })).toEqual([{ day: today, views: 3, downloads: 3 }]);
    expect(await usageTotals(t.svc.db, ds.id)).toEqual({ views: 3, downloads: 3, formats: { csv: 2, json: 1 } });

    // A second batch adds to the same day's counts.
    await request(t.app).get(`/dataset/${ds.slug}`).set('User-Agent', BROWSER).expect(200);
    await t.svc.usage.flush();
    expect((await usageTotals(t.svc.db, ds.id)).views).toBe(4);
  });

  it('leaves crawlers out of the counts', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    await request(t.app).get(`/dataset/${ds.slug}`).set('User-Agent', 'Mozilla/5.0 (compatible; Googlebot/2.1)').expect(200);
    await request(t.app).get(`/dataset/${ds.slug}/download.csv`).set('User-Agent', 'curl/8.5.0').expect(200);
    await t.svc.usage.flush();
    expect(await t.svc.db('usage_daily').where({ dataset_id: ds.id })).toEqual([]);
  });

  it('does not count a custodian downloading an unpublished draft', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const draft = await uploadContent(t.svc, t.w.producer.actor, ds.slug, `${SMALL_CSV}1802,TANGGAMUS,641036,2025\n`);
    const producer = await signedIn(t.app, t.w.producer.email, t.w.producer.password);
    await producer.get(`/dataset/${ds.slug}/download.csv?version=${draft.number}`).set('User-Agent', BROWSER).expect(200);
    await producer.get(`/dataset/${ds.slug}/download.csv?version=1`).set('User-Agent', BROWSER).expect(200);
    await t.svc.usage.flush();
    const rows = await t.svc.db('usage_daily').where({ dataset_id: ds.id }).select('kind', 'format', 'count');
    expect(rows.map((r) => [r.kind, r.format, Number(r.count)])).toEqual([['download', 'csv', 1]]);
  });
});

describe('searches that found nothing', () => {
  it('keeps the term and the time of a search page or API search that found nothing, and nothing else', async () => {
    const word = `zzqx${uid()}`;
    await request(t.app).get(`/dataset?q=${word}`).expect(200);
    await request(t.app).get(`/api/v1/datasets?q=${word}%20api`).expect(200);
    await t.svc.usage.flush();
    const rows = await t.svc.db('search_misses').where('term', 'like', `${word}%`).orderBy('id');
    expect(rows.map((r) => [r.term, r.source, r.lang])).toEqual([
      [word, 'web', 'id'],
      [`${word} api`, 'api', 'id'],
    ]);
    expect(Object.keys(rows[0]).sort()).toEqual(['at', 'id', 'lang', 'source', 'suggestion', 'term']);
    const summary = await searchMissSummary(t.svc.db, { since: new Date(Date.now() - 3600_000) });
    expect(summary.find((s) => s.term === word)?.count).toBe(1);
  });

  it('does not keep a search that found something, or one narrowed by a facet', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, undefined, { title: `Kunjungan Wisata ${uid()}` });
    const word = ds.title.split(' ').pop()!;
    await request(t.app).get(`/dataset?q=${encodeURIComponent(word)}`).expect(200);
    await request(t.app).get(`/dataset?q=nothingmatches${uid()}&topic=kesehatan`).expect(200);
    await t.svc.usage.flush();
    expect(await t.svc.db('search_misses').where('term', word.toLowerCase())).toEqual([]);
    expect(await t.svc.db('search_misses').where('term', 'like', 'nothingmatches%')).toEqual([]);
  });

  it('blanks out e-mail addresses and long numbers such as a NIK or a phone number', () => {
    expect(cleanSearchTerm('  Data  NIK 1871012345678901 budi@example.com ')).toBe('data nik [angka] [email]');
    expect(cleanSearchTerm('telepon +62 812-3456-7890')).toBe('telepon [angka]');
    expect(cleanSearchTerm('penduduk 2025 kode 1801')).toBe('penduduk 2025 kode 1801');
  });
});
