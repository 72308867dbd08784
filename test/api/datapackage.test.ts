import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { publishedDataset } from '../support/factories';
import { testWorld } from '../support/world';

const t = testWorld({ env: { PUBLIC_URL: 'https://data.lampungprov.test' } });
const SCHEMAS = path.join(__dirname, '../fixtures/frictionless-2.0');

function schema(name: string): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMAS, name), 'utf8')));
}
const validators = {
  package: schema('datapackage.json'),
  resource: schema('dataresource.json'),
  dialect: schema('tabledialect.json'),
  table: schema('tableschema.json'),
};
function check(v: ValidateFunction, data: unknown) {
  v(data);
  return v.errors ?? [];
}

const local = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

let slug: string;
beforeAll(async () => {
  ({ ds: { slug } } = await publishedDataset(t.svc, t.w, undefined, { source: 'Disdukcapil Provinsi Lampung' }));
});

describe('the Frictionless Data Package', () => {
  it('validates against the Data Package 2.0 schemas, and so do its resources, dialects and table schemas', async () => {
    const res = await request(t.app).get(`/dataset/${slug}/datapackage.json`).expect(200).expect('Content-Type', /json/);
    const pkg = res.body;
    expect(check(validators.package, pkg)).toEqual([]);
    expect(pkg.$schema).toBe('https://datapackage.org/profiles/2.0/datapackage.json');
    for (const r of pkg.resources) {
      expect(check(validators.resource, r)).toEqual([]);
      expect(check(validators.dialect, r.dialect)).toEqual([]);
      expect(check(validators.table, r.schema)).toEqual([]);
    }
  });

  it('has a full dialect, real sources, missing values, a primary key, constraints and foreign keys to the included region codes', async () => {
    const pkg = (await request(t.app).get(`/dataset/${slug}/datapackage.json`)).body;
    expect(pkg.sources).toEqual([{ title: 'Disdukcapil Provinsi Lampung' }]);
    const [data, ref] = pkg.resources;
    expect(data.dialect).toMatchObject({ header: true, delimiter: ',', lineTerminator: '\n', quoteChar: '"', doubleQuote: true, skipInitialSpace: false });
    expect(data.schema.missingValues).toEqual(['']);
    expect(data.schema.primaryKey).toEqual(['kode_kabupaten_kota', 'tahun']);
    const code = data.schema.fields.find((f: { name: string }) => f.name === 'kode_kabupaten_kota');
    expect(code).toMatchObject({ type: 'string', constraints: { required: true, unique: true } });
    expect(data.schema.foreignKeys).toEqual([{ fields: ['kode_kabupaten_kota'], reference: { resource: 'wilayah', fields: ['kode_bps'] } }]);
    expect(ref.name).toBe('wilayah');
    expect(ref.schema.fields.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['kode_bps', 'kode_kemendagri']));
    // bytes and hash are those of the files the paths name; every foreign key resolves.
    const csv = await request(t.app).get(local(data.path)).buffer(true).expect(200);
    expect(data.bytes).toBe(Buffer.byteLength(csv.text));
    expect(data.hash).toBe(`sha256:${createHash('sha256').update(csv.text).digest('hex')}`);
    const refCsv = await request(t.app).get(local(ref.path)).buffer(true).expect(200);
    expect(ref.hash).toBe(`sha256:${createHash('sha256').update(refCsv.text).digest('hex')}`);
    expect(ref.bytes).toBe(Buffer.byteLength(refCsv.text));
    const codes = new Set((parse(refCsv.text, { columns: true }) as Array<{ kode_bps: string }>).map((r) => r.kode_bps));
    const rows = parse(csv.text, { columns: true }) as Array<{ kode_kabupaten_kota: string }>;
    expect(rows.every((r) => codes.has(r.kode_kabupaten_kota))).toBe(true);
    const byBps = (parse(refCsv.text, { columns: true }) as Array<{ kode_bps: string; kode_kemendagri: string }>).find((r) => r.kode_bps === '1801');
    expect(byBps?.kode_kemendagri).toBe('18.04');
  });

  it('declares an enum for a small code set, none for open values, and required only where nothing is missing', async () => {
    const grades = ['BAIK', 'CUKUP', 'KURANG'];
    const lines = Array.from({ length: 30 }, (_, i) => `${1000 + i},${grades[i % 3]},${(i * 1.37).toFixed(2)},${i === 7 ? '' : `catatan ${i}`}`);
    const { ds } = await publishedDataset(t.svc, t.w, `kode,predikat,nilai,catatan\n${lines.join('\n')}\n`);
    const pkg = (await request(t.app).get(`/dataset/${ds.slug}/datapackage.json`).expect(200)).body;
    expect(check(validators.package, pkg)).toEqual([]);
    const fields = Object.fromEntries(pkg.resources[0].schema.fields.map((f: { name: string; constraints?: Record<string, unknown> }) => [f.name, f.constraints ?? {}]));
    expect(fields.predikat).toEqual({ required: true, enum: grades });
    expect(fields.nilai.enum).toBeUndefined();
    expect(fields.catatan.required).toBeUndefined();
    expect(fields.kode).toMatchObject({ required: true, unique: true });
  });

  it('answers 304 to a matching If-None-Match and sends CORS headers', async () => {
    const first = await request(t.app).get(`/dataset/${slug}/datapackage.json`).set('Origin', 'https://app.example.org').expect(200);
    expect(first.headers['access-control-allow-origin']).toBe('*');
    await request(t.app).get(`/dataset/${slug}/datapackage.json`).set('If-None-Match', first.headers.etag).expect(304);
  });
});
