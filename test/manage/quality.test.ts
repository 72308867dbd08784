import request from 'supertest';
import { perform } from '../../server/actions/action';
import { createDataListItem, linkDataListItem } from '../../server/actions/datalist';
import { updateDataset } from '../../server/actions/datasets';
import { refreshQuality } from '../../server/quality/refresh';
import { publishedDataset } from '../support/factories';
import { signedIn } from '../support/http';
import { testWorld } from '../support/world';

const t = testWorld();

const FULL = {
  nama_indikator: 'Jumlah penduduk', konsep: 'Penduduk terdaftar', definisi: 'Jumlah jiwa', interpretasi: 'Makin besar makin banyak',
  metode_perhitungan: 'Agregasi', rumus: 'Σ jiwa', ukuran: 'Jumlah', satuan: 'Jiwa', klasifikasi_penyajian: 'Kabupaten/kota',
  indikator_komposit: 'Tidak', level_estimasi: 'Kabupaten/kota',
};

/** Waits until the score kept for a dataset satisfies `ok` (it is refreshed after commit). */
async function keptScore(id: number, ok: (s: number) => boolean): Promise<number> {
  const end = Date.now() + 30_000;
  for (;;) {
    const row = await t.svc.db('dataset_quality').where({ dataset_id: id }).first();
    if (row && ok(row.score)) return row.score;
    if (Date.now() > end) throw new Error(`score of ${id} never satisfied the check: ${row?.score}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the quality score on published datasets', () => {
  it('is kept on publication, carried by the API dataset object with its parts, and follows metadata changes', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, undefined, { title: `Kualitas rendah ${Date.now()}` });
    const before = await keptScore(ds.id, () => true);
    const api = await request(t.app).get(`/api/v1/datasets/${ds.slug}`).expect(200);
    expect(api.body.data.quality.score).toBe(before);
    expect(api.body.data.quality.parts.map((p: { key: string }) => p.key)).toEqual(['metadata', 'columns', 'timeliness', 'openness', 'reference_codes', 'validation']);
    expect(api.body.data.quality.parts[0]).toEqual(expect.objectContaining({ label: 'Kelengkapan metadata', max: 25, reason: expect.stringContaining('konsep') }));
    const en = await request(t.app).get(`/api/v1/datasets/${ds.slug}?lang=en`).expect(200);
    expect(en.body.data.quality.parts[0].label).toBe('Metadata completeness');
    await perform(updateDataset, t.w.walidata.actor, { slug: ds.slug, metadata: FULL, source: 'Disdukcapil', contact_name: 'Bidang Data' }, t.svc);
    const after = await keptScore(ds.id, (s) => s > before);
    expect(after).toBeGreaterThan(before);
    const page = await request(t.app).get(`/dataset/${ds.slug}`).expect(200);
    expect(page.text).toContain('Skor kualitas');
    expect(page.text).toContain(`<strong>${after}</strong>`);
  });

  it('counts data-list deliveries published after their due dates against timeliness', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    await refreshQuality(t.svc.db, t.svc.config.timeZone, ds.id);
    const free = (await t.svc.db('dataset_quality').where({ dataset_id: ds.id }).first()).parts.find((p: { key: string }) => p.key === 'timeliness');
    const item = await perform(createDataListItem, t.w.walidata.actor, { year: 2020, name: `Lama ${Date.now()}`, organization: t.w.opd.slug, frequency: 'triwulanan' }, t.svc);
    await perform(linkDataListItem, t.w.walidata.actor, { id: item.id, dataset: ds.slug }, t.svc);
    await refreshQuality(t.svc.db, t.svc.config.timeZone, ds.id);
    const late = (await t.svc.db('dataset_quality').where({ dataset_id: ds.id }).first()).parts.find((p: { key: string }) => p.key === 'timeliness');
    // The 2025 table delivers every quarter of the 2020 list, but years after each was due: half marks.
    expect(late.score).toBe(free.score - 4);
    expect(late.reasons.map((r: { en: string }) => r.en).join(' ')).toContain('0 on time, 4 published late, 0 late of 4');
  });

  it('sorts the search by quality and narrows it to a band', async () => {
    const good = await publishedDataset(t.svc, t.w, undefined, { title: `Kualitas tinggi ${Date.now()}`, metadata: FULL, source: 'BPS', contact_name: 'Bidang' });
    const poor = await publishedDataset(t.svc, t.w, undefined, { title: `Kualitas biasa ${Date.now()}`, access_level: 'terbuka' });
    const g = await keptScore(good.ds.id, () => true);
    const p = await keptScore(poor.ds.id, () => true);
    expect(g).toBeGreaterThan(p);
    const sorted = await request(t.app).get('/api/v1/datasets').query({ sort: 'quality', per_page: 100 }).expect(200);
    const slugs = sorted.body.data.map((d: { slug: string }) => d.slug);
    expect(slugs.indexOf(good.ds.slug)).toBeLessThan(slugs.indexOf(poor.ds.slug));
    const scores = sorted.body.data.map((d: { quality: { score: number } | null }) => d.quality?.score ?? -1);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
    const band = g >= 80 ? '80' : g >= 60 ? '60' : '0';
    const only = await request(t.app).get('/api/v1/datasets').query({ quality: band, per_page: 100 }).expect(200);
    for (const d of only.body.data) expect(d.quality.score >= (band === '80' ? 80 : band === '60' ? 60 : 0)).toBe(true);
    expect(only.body.data.map((d: { slug: string }) => d.slug)).toContain(good.ds.slug);
    const page = await request(t.app).get('/dataset').query({ sort: 'quality' }).expect(200);
    expect(page.text).toContain('Skor kualitas');
  });

  it('is shown on the review page for the version under review', async () => {
    const { ds } = await publishedDataset(t.svc, t.w);
    const walidata = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const page = await walidata.get(`/review/${ds.slug}/1`).expect(200);
    expect(page.text).toContain('Skor kualitas versi ini');
    expect(page.text).toContain('Dokumentasi kolom');
  });
});
