import { execFile, spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import { promisify } from 'node:util';
import { DomUtils, parseDocument } from 'htmlparser2';
import request from 'supertest';
import { perform } from '../../server/actions/action';
import { createDataListItem, linkDataListItem } from '../../server/actions/datalist';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { localDay } from '../../server/manage/calendar';
import { listen } from '../support/browser';
import { makeDataset, makeOrg, makeUser, publishedDataset, uid, uploadContent } from '../support/factories';
import { signedIn } from '../support/http';
import { testWorld } from '../support/world';

// The dataset page's related datasets and API panel, and the organization page's publishing record.

const t = testWorld();
const thisYear = Number(localDay(new Date(), 'Asia/Jakarta').slice(0, 4));

const doc = (html: string) => parseDocument(html);
const byId = (html: string, id: string) => DomUtils.getElementById(id, doc(html));
const text = (html: string, id: string) => DomUtils.textContent(byId(html, id)!);
/** The related datasets' slugs in page order, with their reason badges. */
function related(html: string): Array<{ slug: string; reasons: string[] }> {
  const section = DomUtils.findOne((e) => e.attribs.class === 'related', doc(html).children, true);
  if (!section) return [];
  return DomUtils.findAll((e) => e.name === 'article', section.children).map((a) => ({
    slug: DomUtils.findOne((e) => e.name === 'a', a.children, true)!.attribs.href.replace('/dataset/', ''),
    reasons: DomUtils.findAll((e) => e.attribs.class === 'badge', a.children).map((b) => DomUtils.textContent(b)),
  }));
}

describe('related datasets', () => {
  it('lists datasets of the same indicator, topic and OPD — indicator first — and only those the reader may see', async () => {
    const indicator = `Indeks Uji Terkait ${uid()}`;
    const elsewhere = await makeOrg(t.svc, 'opd');
    const elsewhereProducer = await makeUser(t.svc, 'produsen', elsewhere.slug);
    const publish = async (producer: typeof t.w.producer, org: string, fields: Record<string, unknown>) => {
      const ds = await makeDataset(t.svc, producer, org, fields);
      const v = await uploadContent(t.svc, producer.actor, ds.slug, 'kode,jumlah\n01,5\n');
      await perform(submitVersion, producer.actor, { slug: ds.slug, number: v.number }, t.svc);
      await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve' }, t.svc);
      return ds;
    };
    const page = await publish(t.w.producer, t.w.opd.slug, { title: 'Halaman Terkait', topic: 'lingkungan', metadata: { nama_indikator: indicator, satuan: 'Indeks' } });
    const sameIndicator = await publish(elsewhereProducer, elsewhere.slug, { title: 'Indikator Sama', topic: 'pertanian', metadata: { nama_indikator: ` ${indicator.toUpperCase()} `, satuan: 'Indeks' } });
    const sameTopic = await publish(elsewhereProducer, elsewhere.slug, { title: 'Topik Sama', topic: 'lingkungan', metadata: { nama_indikator: `Lain ${uid()}`, satuan: 'Ton' } });
    const sameOrg = await publish(t.w.producer, t.w.opd.slug, { title: 'OPD Sama', topic: 'pertanian', metadata: { nama_indikator: `Lain ${uid()}`, satuan: 'Ton' } });
    const unrelated = await publish(elsewhereProducer, elsewhere.slug, { title: 'Tak Terkait', topic: 'pertanian', metadata: { nama_indikator: `Lain ${uid()}`, satuan: 'Ton' } });
    const limited = await publish(t.w.producer, t.w.opd.slug, { title: 'OPD Sama Terbatas', topic: 'pertanian', access_level: 'terbatas', metadata: { nama_indikator: `Lain ${uid()}`, satuan: 'Ton' } });
    const draft = await makeDataset(t.svc, t.w.producer, t.w.opd.slug, { title: 'OPD Sama Draf', topic: 'lingkungan', metadata: { nama_indikator: indicator, satuan: 'Indeks' } });

    const open = related((await request(t.app).get(`/dataset/${page.slug}`).expect(200)).text);
    expect(open.map((r) => r.slug)).toEqual([sameIndicator.slug, sameTopic.slug, sameOrg.slug]);
    expect(open[0].reasons).toEqual(['Indikator sama']);
    expect(open[1].reasons).toEqual(['Topik sama']);
    expect(open[2].reasons).toEqual(['OPD sama']);
    // A signed-in government reader also sees the restricted one; nobody sees the draft or the unrelated one.
    const reader = await signedIn(t.app, t.w.otherProducer.email, t.w.otherProducer.password);
    const signed = related((await reader.get(`/dataset/${page.slug}`).expect(200)).text).map((r) => r.slug);
    expect(signed).toEqual(expect.arrayContaining([sameIndicator.slug, sameTopic.slug, sameOrg.slug, limited.slug]));
    for (const hidden of [draft.slug, unrelated.slug, page.slug]) expect(signed).not.toContain(hidden);
    const en = related((await request(t.app).get(`/dataset/${page.slug}`).set('Cookie', 'lang=en').expect(200)).text);
    expect(en[0].reasons).toEqual(['Same indicator']);
  });
});

const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0);
if (!PYTHON) console.warn('dataset-extras.test: the pandas snippet is not run — no python3 with pandas (apt-get install -y python3-pandas)');

describe('the API panel', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => ({ server, base } = await listen(t.app)));
  afterAll(() => new Promise((r) => server.close(r)));

  it('gives curl, pandas and R snippets that keep code columns as text, and links that answer', async () => {
    const csv = 'kode_desa,nama_desa,kode_pos,jumlah_penduduk\n0012,Way Halim,35132,5120\n0107,Kedaton,35141,7034\n';
    const { ds } = await publishedDataset(t.svc, t.w, csv, { title: 'Desa Uji Panel API' });
    const html = (await request(base).get(`/dataset/${ds.slug}`).expect(200)).text;
    const curl = text(html, 'api-curl');
    const python = text(html, 'api-python');
    const r = text(html, 'api-r');
    expect(curl).toContain(`curl -L -o ${ds.slug}.csv "${base}/dataset/${ds.slug}/download.csv"`);
    expect(python).toContain(`pd.read_csv(\n    "${base}/dataset/${ds.slug}/download.csv",\n    dtype={"kode_desa": str, "kode_pos": str},\n)`);
    expect(r).toContain(`read.csv(\n  "${base}/dataset/${ds.slug}/download.csv",\n  colClasses = c(kode_desa = "character", kode_pos = "character"),`);
    // Copy buttons name what they copy.
    const buttons = DomUtils.findAll((e) => e.name === 'button' && e.attribs['data-copy'] !== undefined, doc(html).children);
    expect(buttons.map((b) => b.attribs['data-copy'])).toEqual(['api-curl', 'api-python', 'api-r']);
    // The links (CKAN, DCAT in Turtle and JSON-LD, the Data Package, the REST API) answer.
    const section = byId(html, 'api')!;
    const links = DomUtils.findAll((e) => e.name === 'a', section.children).map((a) => a.attribs.href);
    expect(links.map((l) => new URL(l, base).pathname)).toEqual(expect.arrayContaining([
      '/api/3/action/package_show', `/dataset/${ds.slug}.ttl`, `/dataset/${ds.slug}.jsonld`, `/dataset/${ds.slug}/datapackage.json`, `/api/v1/datasets/${ds.slug}`,
    ]));
    for (const l of links) await request(base).get(new URL(l, base).pathname + new URL(l, base).search).expect(200);
    // The curl command as given downloads the CSV (fetched the way curl would, following redirects).
    const got = await request(base).get(`/dataset/${ds.slug}/download.csv`).expect(200);
    expect(got.text).toContain('0012');
    if (PYTHON) {
      // The pandas snippet exactly as the page shows it, then what it read: the codes keep their zeros.
      const program = `${python}\nimport json\nprint(json.dumps({"codes": df["kode_desa"].tolist(), "people": [int(x) for x in df["jumlah_penduduk"]]}))\n`;
      const { stdout } = await promisify(execFile)(PYTHON, ['-c', program], { encoding: 'utf8', timeout: 60_000 });
      expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ codes: ['0012', '0107'], people: [5120, 7034] });
    }
  });
});

describe('the organization page', () => {
  it('shows its datasets and its publishing record: published per quarter, the data list on time and late, the scorecard link', async () => {
    const org = await makeOrg(t.svc, 'opd', `Dinas Catatan Uji ${uid()}`);
    const producer = await makeUser(t.svc, 'produsen', org.slug);
    const year = thisYear - 1;
    // Other OPDs' data lists for later years (other test files make them too) must not push this
    // OPD's own years off its page.
    for (const later of [1, 2, 3]) await perform(createDataListItem, t.w.walidata.actor, { year: thisYear + later, name: `Lain ${uid()}`, organization: t.w.otherOpd.slug, frequency: 'tahunan' }, t.svc);
    await perform(createDataListItem, t.w.walidata.actor, { year, name: 'Belum terbit', organization: org.slug, frequency: 'tahunan' }, t.svc);
    const late = await perform(createDataListItem, t.w.walidata.actor, { year, name: 'Terbit terlambat', organization: org.slug, frequency: 'tahunan' }, t.svc);
    const ds = await makeDataset(t.svc, producer, org.slug, { title: 'Dataset Catatan Uji' });
    await perform(linkDataListItem, producer.actor, { id: late.id, dataset: ds.slug }, t.svc);
    const v = await uploadContent(t.svc, producer.actor, ds.slug, `kode,jumlah,tahun\n01,5,${year - 1}\n`);
    await perform(submitVersion, producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve' }, t.svc);
    // A restricted dataset's publication counts for a signed-in reader only.
    const limited = await makeDataset(t.svc, producer, org.slug, { title: 'Dataset Catatan Terbatas', access_level: 'terbatas' });
    const v2 = await uploadContent(t.svc, producer.actor, limited.slug, 'kode,jumlah\n01,5\n');
    await perform(submitVersion, producer.actor, { slug: limited.slug, number: v2.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: limited.slug, number: v2.number, decision: 'approve' }, t.svc);

    const html = (await request(t.app).get(`/organization/${org.slug}`).expect(200)).text;
    const quarter = Math.floor((Number(localDay(new Date(), 'Asia/Jakarta').slice(5, 7)) - 1) / 3) + 1;
    const rows = (table: string) => {
      const el = DomUtils.findOne((e) => e.name === 'table' && e.attribs[table] !== undefined, doc(html).children, true)!;
      return DomUtils.findAll((e) => e.name === 'tr', el.children).map((tr) => DomUtils.findAll((e) => e.name === 'td' || e.name === 'th', tr.children).map((c) => DomUtils.textContent(c).trim()));
    };
    const record = rows('data-org-record');
    expect(record[0]).toEqual(['Tahun', 'TW1', 'TW2', 'TW3', 'TW4', 'Jumlah']);
    const expected = ['0', '0', '0', '0'];
    expected[quarter - 1] = '1';
    expect(record[1]).toEqual([String(thisYear), ...expected, '1']);
    // The data list's deliveries, the same figures as the OPD's scorecard.
    const card = (await request(t.app).get('/api/v1/scorecards').query({ year }).expect(200)).body.data.find((x: { organization: { slug: string } }) => x.organization.slug === org.slug);
    expect(card).toMatchObject({ deliveries: 2, on_time: 0, late: 2, overdue: 1 });
    expect(rows('data-org-datalist')[1]).toEqual([String(year), String(card.deliveries), String(card.on_time), String(card.late), String(card.overdue)]);
    const link = DomUtils.findOne((e) => e.attribs['data-scorecard-link'] !== undefined, doc(html).children, true)!;
    expect(link.attribs.href).toBe(`/opd/${org.slug}`);
    await request(t.app).get(link.attribs.href).expect(200);
    expect(html).toContain('Dataset Catatan Uji');
    expect(html).not.toContain('Dataset Catatan Terbatas');

    const reader = await signedIn(t.app, t.w.otherProducer.email, t.w.otherProducer.password);
    const signedHtml = (await reader.get(`/organization/${org.slug}`).expect(200)).text;
    expect(signedHtml).toContain('Dataset Catatan Terbatas');
    expect(signedHtml).toMatch(/<td class="num"><strong>2<\/strong><\/td>/);

    // A walidata organization has no scorecard and no data list; its page says it published nothing.
    const wali = (await t.svc.db('organizations').where({ kind: 'walidata' }).first('slug')).slug;
    const other = (await request(t.app).get(`/organization/${wali}`).expect(200)).text;
    expect(other).not.toContain('data-scorecard-link');
    expect(other).not.toContain('data-org-datalist');
  });
});
