import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Router } from 'express';
import request, { type Response } from 'supertest';
import { loadDemo } from '../../server/demo';
import { apiRouter } from '../../server/routes/api/v1';
import { OPERATIONS } from '../../server/routes/api/contract';
import { SMALL_CSV } from '../support/factories';
import { testWorld } from '../support/world';

// The OpenAPI document is generated from the zod schemas that parse the requests and type the
// presenters. Here: it is a valid OpenAPI 3.1 document, it names every route the v1 router
// serves, and every operation, called on the demo catalog and a dataset taken through the whole
// workflow by the API itself, answers a body that its documented schema accepts (ajv, 2020-12).

const t = testWorld({ isolated: true, env: { PUBLIC_URL: 'https://data.lampungprov.test' } });
let doc: ReturnType<typeof JSON.parse>;
const validators = new Map<string, ValidateFunction>();

beforeAll(async () => {
  await loadDemo(t.svc, 'demo-sandi-uji-123');
  doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // Each answer's schema stands alone, with the document's components as its $defs.
  const local = (x: unknown) => JSON.parse(JSON.stringify(x).replaceAll('"#/components/schemas/', '"#/$defs/'));
  const defs = local(doc.components.schemas);
  const abs = (schema: unknown) => ({ ...local(schema), $defs: defs });
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, r] of Object.entries(op.responses)) {
        const schema = r.content?.['application/json']?.schema;
        if (schema) validators.set(`${method.toUpperCase()} ${path} ${status}`, ajv.compile(abs(schema)));
      }
    }
  }
});

/** Every route of a router, nested routers included, as `METHOD /path/{param}`. */
function routesOf(router: Router): string[] {
  const out: string[] = [];
  const walk = (stack: Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }>) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods)) out.push(`${m.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack as typeof stack);
    }
  };
  walk((router as unknown as { stack: Parameters<typeof walk>[0] }).stack);
  return out;
}

const checked = new Set<string>();
/** Checks a real answer against its documented schema, and notes the operation as called. */
function conforms(method: string, path: string, res: Response) {
  const v = validators.get(`${method} ${path} ${res.status}`);
  if (!v) throw new Error(`${method} ${path} answered ${res.status}, which the document does not describe: ${res.text.slice(0, 300)}`);
  if (!v(res.body)) throw new Error(`${method} ${path} ${res.status} does not match its schema: ${JSON.stringify(v.errors?.slice(0, 5), null, 1)}\n${res.text.slice(0, 500)}`);
  checked.add(`${method} ${path}`);
  return res;
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document with a documented body for every 2xx answer', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // swagger-parser (ESM-only) in its own Node process.
    const out = execFileSync(process.execPath, [path.join(__dirname, '../support/openapi-validate.mjs')], { input: JSON.stringify(doc), maxBuffer: 16 * 1024 * 1024 });
    expect(JSON.parse(out.toString())).toEqual({ valid: true, version: '3.1.0', paths: Object.keys(doc.paths).length });
    for (const ops of Object.values(doc.paths as Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>)) {
      for (const op of Object.values(ops)) {
        const ok = Object.entries(op.responses).filter(([s]) => s.startsWith('2'));
        expect(ok.length).toBeGreaterThan(0);
        for (const [, r] of ok) expect(r.content).toHaveProperty(['application/json', 'schema']);
      }
    }
  });

  it('names every route the /api/v1 router serves, and nothing it does not serve', () => {
    const served = routesOf(apiRouter(t.svc)).sort();
    const documented = OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
    expect(documented).toEqual(served);
  });

  it('describes every field and parameter in both languages', () => {
    for (const ops of Object.values(doc.paths as Record<string, Record<string, { summary: string; 'x-summary-id': string; parameters: Array<{ description?: string; 'x-description-id'?: string }> }>>)) {
      for (const op of Object.values(ops)) {
        expect(op.summary).toBeTruthy();
        expect(op['x-summary-id']).toBeTruthy();
        for (const p of op.parameters) if (p.description) expect(p['x-description-id']).toBeTruthy();
      }
    }
    for (const [name, s] of Object.entries(doc.components.schemas as Record<string, { description?: string; 'x-description-id'?: string }>)) {
      expect([name, s.description && s['x-description-id'] ? 'both' : 'missing']).toEqual([name, 'both']);
    }
  });
});

describe('real answers match the document', () => {
  const get = (path: string, url: string, headers: Record<string, string> = {}) => request(t.app).get(`/api/v1${url}`).set(headers).then((r) => conforms('GET', path, r));

  it('the read API on the demo catalog', async () => {
    const all = await get('/datasets', '/datasets?per_page=100');
    expect(all.body.data.length).toBeGreaterThanOrEqual(5);
    await get('/datasets', '/datasets?q=kemiskinan&sort=newest');
    const miss = await get('/datasets', '/datasets?q=kemiskinnan');
    expect(miss.body.meta.suggestion).toBeDefined();
    await get('/datasets', '/datasets?region=kabupaten_kota&page=2&per_page=1');
    for (const d of all.body.data as Array<{ slug: string }>) {
      const detail = await get('/datasets/{slug}', `/datasets/${d.slug}`);
      const cols = detail.body.data.columns as Array<{ name: string; role: string }>;
      await get('/datasets/{slug}/rows', `/datasets/${d.slug}/rows?limit=5&sort=-${cols[0].name}`);
      const group = cols.find((c) => c.role !== 'measure');
      const measure = cols.find((c) => c.role === 'measure');
      await get('/datasets/{slug}/aggregate', `/datasets/${d.slug}/aggregate?group=${group?.name ?? ''}${measure ? `&measure=${measure.name}&fn=avg` : '&fn=count'}`);
      await get('/datasets/{slug}/activity', `/datasets/${d.slug}/activity`);
      await get('/datasets/{slug}/versions/{n}', `/datasets/${d.slug}/versions/1`);
      await get('/datasets/{slug}/versions/{n}/rows', `/datasets/${d.slug}/versions/1/rows?limit=3`);
      await get('/datasets/{slug}/versions/{n}/diff', `/datasets/${d.slug}/versions/1/diff`);
    }
    await get('/organizations', '/organizations');
    await get('/topics', '/topics');
    await get('/openapi.json', '/openapi.json');
    await get('/changes', '/changes?limit=3');
    const since = (await get('/changes', '/changes?since=2020-01-01T00:00:00Z')).body.meta.next;
    await get('/changes', `/changes?since=${since}`);
    await get('/releases', '/releases');
    await get('/data-list', '/data-list');
    await get('/scorecards', '/scorecards?quarter=1');
  });

  it('the write API through a whole workflow, and the reads of its result', async () => {
    const post = (path: string, url: string, headers: Record<string, string>, body?: object) =>
      request(t.app).post(`/api/v1${url}`).set(headers).send(body ?? {}).then((r) => conforms('POST', path, r));
    const tok = await post('/tokens', '/tokens', {}, { email: t.w.producer.email, password: t.w.producer.password, name: 'openapi' });
    const producer = { Authorization: `Bearer ${tok.body.token}` };
    const walidata = await t.bearer(t.w.walidata);
    const spare = await post('/tokens', '/tokens', producer, { name: 'sekali pakai', scope: 'read', expires_in_days: 7 });
    const mine = await get('/tokens', '/tokens', producer);
    expect(mine.body.data.map((x: { id: number }) => x.id)).toContain(spare.body.data.id);
    conforms('DELETE', '/tokens/{id}', await request(t.app).delete(`/api/v1/tokens/${spare.body.data.id}`).set(producer));

    const created = await post('/datasets', '/datasets', producer, { organization: t.w.opd.slug, title: 'Penduduk uji OpenAPI', topic: 'kependudukan', tags: ['uji'], metadata: { nama_indikator: 'Jumlah penduduk', satuan: 'Jiwa' } });
    const slug = created.body.data.slug as string;
    conforms('PATCH', '/datasets/{slug}', await request(t.app).patch(`/api/v1/datasets/${slug}`).set(producer).send({ description: 'Penduduk menurut kabupaten/kota', title_en: 'Population (OpenAPI test)' }));
    const up = conforms('POST', '/datasets/{slug}/versions', await request(t.app).post(`/api/v1/datasets/${slug}/versions`).set(producer).attach('file', Buffer.from(SMALL_CSV), 'penduduk.csv'));
    expect(up.body.data.state).toBe('draft');
    await post('/datasets/{slug}/versions/{n}/reload', `/datasets/${slug}/versions/1/reload`, producer, { delimiter: ',' });
    await get('/datasets/{slug}/versions/{n}', `/datasets/${slug}/versions/1`, producer);
    await get('/datasets/{slug}/versions/{n}/rows', `/datasets/${slug}/versions/1/rows`, producer);
    await post('/datasets/{slug}/versions/{n}/submit', `/datasets/${slug}/versions/1/submit`, producer);
    await post('/datasets/{slug}/versions/{n}/withdraw', `/datasets/${slug}/versions/1/withdraw`, producer);
    await post('/datasets/{slug}/versions/{n}/submit', `/datasets/${slug}/versions/1/submit`, producer);
    const queue = await get('/review-queue', '/review-queue', walidata);
    expect(queue.body.data.map((i: { dataset: { slug: string } }) => i.dataset.slug)).toContain(slug);
    await post('/datasets/{slug}/versions/{n}/review', `/datasets/${slug}/versions/1/review`, walidata, { decision: 'comment', comment: 'Cek satuan' });
    const approved = await post('/datasets/{slug}/versions/{n}/review', `/datasets/${slug}/versions/1/review`, walidata, { decision: 'approve' });
    expect(approved.body.data.state).toBe('published');

    await get('/datasets/{slug}', `/datasets/${slug}`);
    await get('/datasets/{slug}/activity', `/datasets/${slug}/activity`, producer);
    // A second version with a changed figure: the diff has rows and cells to show.
    const v2 = await request(t.app).post(`/api/v1/datasets/${slug}/versions`).set(producer).attach('file', Buffer.from(SMALL_CSV.replace('313756', '313999')), 'penduduk.csv');
    conforms('POST', '/datasets/{slug}/versions', v2);
    const diff = await get('/datasets/{slug}/versions/{n}/diff', `/datasets/${slug}/versions/2/diff?cells_limit=10`, producer);
    expect(diff.body.data.rows.changed).toBe(1);

    // Data exchange: a pulled source (pointing at an address the SSRF guard refuses, so the run
    // fails at once without leaving the machine) and a webhook with its delivery log.
    conforms('PUT', '/datasets/{slug}/source', await request(t.app).put(`/api/v1/datasets/${slug}/source`).set(producer).send({ kind: 'url', url: 'http://127.0.0.1:9/sumber.csv', schedule: 'daily 06:00', headers: { 'X-Api-Key': 'k' } }));
    await get('/datasets/{slug}/source', `/datasets/${slug}/source`, producer);
    const run = await post('/datasets/{slug}/source/run', `/datasets/${slug}/source/run`, producer);
    expect(run.body.data.result).toBe('failed');
    await get('/datasets/{slug}/source/runs', `/datasets/${slug}/source/runs`, producer);
    const hook = await post('/webhooks', '/webhooks', producer, { url: 'http://127.0.0.1:9/hook', events: ['published'], organization: t.w.opd.slug });
    await get('/webhooks', '/webhooks', producer);
    await get('/webhooks/{id}/deliveries', `/webhooks/${hook.body.data.id}/deliveries`, producer);
    conforms('DELETE', '/webhooks/{id}', await request(t.app).delete(`/api/v1/webhooks/${hook.body.data.id}`).set(producer));
    // A harvest source (also refused by the SSRF guard at once) with its run log.
    const harvest = await post('/harvest-sources', '/harvest-sources', walidata, { kind: 'ckan', url: 'http://127.0.0.1:9/api/3/action', name: 'Kabupaten Uji OpenAPI', review: true });
    await get('/harvest-sources', '/harvest-sources', walidata);
    const harvested = await post('/harvest-sources/{id}/run', `/harvest-sources/${harvest.body.data.id}/run`, walidata);
    expect(harvested.body.data.result).toBe('failed');
    await get('/harvest-sources/{id}/runs', `/harvest-sources/${harvest.body.data.id}/runs`, walidata);

    const asked = await post('/requests', '/requests', {}, { title: 'Data curah hujan bulanan', name: 'Sari Dewi', email: 'sari@contoh.id', purpose: 'Penelitian' });
    expect(asked.body.data.requester).toEqual({ name: 'Sari' });
    await get('/requests', '/requests');
    await get('/releases', '/releases?from=2020-01-01');
  });

  it('every documented operation was called and checked', () => {
    const documented = OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(documented.filter((o) => !checked.has(o))).toEqual([]);
  });
});
