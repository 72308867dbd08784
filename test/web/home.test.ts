import request from 'supertest';
import { perform } from '../../server/actions/action';
import { retractDataset } from '../../server/actions/datasets';
import { loadDemo } from '../../server/demo';
import { makeDataset, publishedDataset, uploadContent } from '../support/factories';
import { csrfFrom, signedIn } from '../support/http';
import { testWorld } from '../support/world';

// A database of its own: the home page shows exactly the demo content and this file's datasets.
const t = testWorld({ isolated: true });
beforeAll(() => loadDemo(t.svc, 'demo-sandi-uji-123'));

/** The indicator cards of a home page, as text without tags. */
function cards(html: string): string[] {
  return [...html.matchAll(/<article class="card indicator">([\s\S]*?)<\/article>/g)].map((m) => m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

const POVERTY_CSV = 'kode_provinsi,tahun,bulan,persentase_miskin,satuan\n18,2023,3,11.11,PERSEN\n18,2024,9,10.5,PERSEN\n18,2024,3,10.9,PERSEN\n';

describe('the home page', () => {
  it('shows the demo headline indicators: latest period, change from the period before, a sparkline and its table', async () => {
    const res = await request(t.app).get('/').expect(200);
    const list = cards(res.text);
    expect(list).toHaveLength(4);
    // Poverty: September 2025 9,66 against Maret 2025 10,00 — a rate, so the change is in points.
    expect(list[0]).toContain('Persentase Penduduk Miskin');
    expect(list[0]).toContain('9,66');
    expect(list[0]).toContain('September 2025');
    expect(list[0]).toContain('Turun dibanding Maret 2025: 0,34 poin');
    // Population: one year of 15 regencies, summed and said so; no change without a period before.
    const people = list.find((c) => c.includes('Jumlah Penduduk'))!;
    expect(people).toContain('jumlah dari 15 baris');
    expect(people).not.toMatch(/dibanding/);
    const spark = /<svg class="sparkline"[^>]*><polyline points="([^"]+)"\/><\/svg>/.exec(res.text)!;
    expect(spark[1].split(' ')).toHaveLength(6);
    expect(res.text).toMatch(/<td>Maret 2020<\/td><td class="num">12,34<\/td>/);
    // No chart library on the home page: the sparklines are drawn on the server.
    expect(res.text).not.toContain('chart.umd');
    const audit = await t.svc.db('audit_events').where({ action: 'home.set_headlines' }).first();
    expect(audit.actor_label).toBe('walidata@demo.satudata.id');
  });

  it('is not the last upload: a newer dataset is listed as newest, the indicators stay as chosen', async () => {
    const before = cards((await request(t.app).get('/').expect(200)).text);
    await publishedDataset(t.svc, t.w, undefined, { title: 'Dataset Paling Baru Uji' });
    const res = await request(t.app).get('/').expect(200);
    expect(cards(res.text)).toEqual(before);
    const newest = res.text.slice(res.text.indexOf('id="newest-h"'), res.text.indexOf('id="popular-h"'));
    expect(newest).toContain('Dataset Paling Baru Uji');
  });

  it('lets the walidata choose them through the form (audited); refuses what is not open published numeric data', async () => {
    const { ds } = await publishedDataset(t.svc, t.w, POVERTY_CSV, { title: 'Kemiskinan Pilihan Uji' });
    const draft = await makeDataset(t.svc, t.w.producer, t.w.opd.slug);
    await uploadContent(t.svc, t.w.producer.actor, draft.slug, POVERTY_CSV);
    const agent = await signedIn(t.app, t.w.walidata.email, t.w.walidata.password);
    const form = await agent.get('/manage/beranda').expect(200);
    expect(form.text).toContain(`value="${ds.slug}|persentase_miskin"`);
    expect(form.text).not.toContain(`value="${draft.slug}|`);
    expect(form.text).not.toContain(`|satuan"`);
    const _csrf = csrfFrom(form.text);

    const bad = await agent.post('/manage/beranda').type('form').send({ _csrf, 'slot[0][choice]': `${draft.slug}|persentase_miskin`, 'slot[0][fn]': 'avg' }).expect(400);
    expect(bad.text).toContain('Indikator utama harus dataset terbuka');
    expect(cards((await request(t.app).get('/').expect(200)).text)).toHaveLength(4);

    await agent.post('/manage/beranda').type('form').send({ _csrf, 'slot[0][choice]': `${ds.slug}|persentase_miskin`, 'slot[0][fn]': 'avg', 'slot[1][choice]': '' }).expect(303);
    const home = await request(t.app).get('/').expect(200);
    const list = cards(home.text);
    expect(list).toHaveLength(1);
    // Periods ordered by year and month, not by the order of the file.
    expect(list[0]).toContain('10,5');
    expect(list[0]).toContain('September 2024');
    expect(list[0]).toContain('Turun dibanding Maret 2024: 0,4 poin');
    const en = cards((await request(t.app).get('/').set('Cookie', 'lang=en').expect(200)).text);
    expect(en[0]).toContain('Down from March 2024: 0.4 points');
    const audit = await t.svc.db('audit_events').where({ action: 'home.set_headlines', actor_id: t.w.walidata.actor.id }).orderBy('id', 'desc').first();
    expect(audit.details.to).toEqual([`${ds.slug} · persentase_miskin (avg)`]);
    expect(audit.details.from).toHaveLength(4);

    // Taken off the public site: gone from the home page, named on the form.
    await perform(retractDataset, t.w.walidata.actor, { slug: ds.slug, reason: 'uji' }, t.svc);
    expect(cards((await request(t.app).get('/').expect(200)).text)).toHaveLength(0);
    expect((await agent.get('/manage/beranda').expect(200)).text).toContain('Kemiskinan Pilihan Uji');
  });

  it('keeps the form to the custodian: the public signs in first, a producer or pembina is refused', async () => {
    const anon = await request(t.app).get('/manage/beranda').expect(302);
    expect(anon.headers.location).toBe('/login?next=%2Fmanage%2Fberanda');
    for (const who of [t.w.producer, t.w.pembina]) {
      const agent = await signedIn(t.app, who.email, who.password);
      await agent.get('/manage/beranda').expect(403);
    }
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    await admin.get('/manage/beranda').expect(200);
  });
});
