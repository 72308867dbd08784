import { z } from 'zod';
import { errorSchema } from '../../presenters/schemas';
import { ERROR_TEXT, OPERATIONS, type ApiOperation } from './contract';

// The OpenAPI 3.1 document of `/api/v1`, generated from the zod schemas of contract.ts with
// zod's own JSON Schema output (draft 2020-12, the dialect of OpenAPI 3.1). Named schemas (those
// with a `.meta({ id })`) become `components.schemas`.

type Json = Record<string, unknown>;

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (!v || typeof v !== 'object') return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '$schema') continue;
    // zod's bounds of a safe integer say nothing a reader needs.
    if ((k === 'minimum' || k === 'maximum') && Math.abs(Number(x)) === Number.MAX_SAFE_INTEGER) continue;
    out[k] = k === '$ref' && typeof x === 'string' ? x.replace(/^#\/\$defs\//, '#/components/schemas/') : rewriteRefs(x);
  }
  return out;
}

/** Converts a set of schemas at once, so shared named schemas are emitted once, as components. */
function convert(schemas: Record<string, z.ZodType>, io: 'input' | 'output') {
  const all = z.toJSONSchema(z.object(schemas), { io, target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' }) as Json;
  const props = rewriteRefs(all.properties) as Record<string, Json>;
  const defs = rewriteRefs(all.$defs ?? {}) as Record<string, Json>;
  return { props, defs };
}

const bilingual = (key: 'summary' | 'description', b: { id: string; en: string }) => ({ [key]: b.en, [`x-${key}-id`]: b.id });
const key = (i: number, part: string) => `op${i}_${part}`;

function parameters(where: 'path' | 'query', s: Json | undefined) {
  if (!s) return [];
  const required = new Set((s.required as string[] | undefined) ?? []);
  return Object.entries((s.properties ?? {}) as Record<string, Json>).map(([name, schema]) => {
    const { description, 'x-description-id': descriptionId, ...rest } = schema;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description, 'x-description-id': descriptionId } : {}),
      ...(rest.type === 'object' ? { style: 'deepObject', explode: true } : {}),
      schema: rest,
    };
  });
}

let generated: { paths: Json; schemas: Json } | null = null;

function generate() {
  const outputs: Record<string, z.ZodType> = { error: errorSchema };
  const inputs: Record<string, z.ZodType> = {};
  OPERATIONS.forEach((op, i) => {
    for (const [status, r] of Object.entries(op.responses)) outputs[key(i, status)] = r.schema;
    if (op.params) inputs[key(i, 'params')] = op.params;
    if (op.query) inputs[key(i, 'query')] = op.query;
    if (op.body) inputs[key(i, 'body')] = op.body.schema;
  });
  const out = convert(outputs, 'output');
  const inp = convert(inputs, 'input');
  for (const name of Object.keys(inp.defs)) {
    if (out.defs[name] && JSON.stringify(out.defs[name]) !== JSON.stringify(inp.defs[name])) throw new Error(`schema ${name} differs as input and as output`);
  }
  const errorRef = { $ref: '#/components/schemas/Error' };
  const paths: Record<string, Json> = {};
  OPERATIONS.forEach((op: ApiOperation, i) => {
    const responses: Json = {};
    for (const [status, r] of Object.entries(op.responses)) {
      responses[status] = { ...bilingual('description', r.description), content: { 'application/json': { schema: out.props[key(i, status)] } } };
    }
    for (const status of op.errors) responses[status] = { ...bilingual('description', ERROR_TEXT[status]), content: { 'application/json': { schema: errorRef } } };
    (paths[op.path] ??= {})[op.method] = {
      operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      ...bilingual('summary', op.summary),
      tags: [op.tag],
      ...(op.auth ? { security: [{ bearer: [] }] } : {}),
      parameters: [...parameters('path', inp.props[key(i, 'params')]), ...parameters('query', inp.props[key(i, 'query')])],
      ...(op.body ? { requestBody: { required: true, content: { [op.body.type]: { schema: inp.props[key(i, 'body')] } } } } : {}),
      responses,
    };
  });
  return { paths, schemas: { ...inp.defs, ...out.defs } };
}

/** OpenAPI 3.1 description of `/api/v1`. */
export function openApiDocument(base: string) {
  generated ??= generate();
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Satu Data Portal API',
      version: '1.0.0',
      description:
        'Read open datasets without signing in; write with a bearer token from POST /tokens. Errors: {"error":{"code","message","details"}}. Every description is in English here and in Bahasa Indonesia under x-description-id / x-summary-id.',
      'x-description-id':
        'Baca dataset terbuka tanpa masuk; tulis dengan token bearer dari POST /tokens. Galat: {"error":{"code","message","details"}}. Setiap deskripsi ada dalam bahasa Inggris di sini dan dalam Bahasa Indonesia di x-description-id / x-summary-id.',
    },
    servers: [{ url: `${base}/api/v1` }],
    tags: [
      { name: 'read', description: 'Open data, no sign-in', 'x-description-id': 'Data terbuka, tanpa masuk' },
      { name: 'write', description: 'Producers and reviewers, with a token', 'x-description-id': 'Produsen dan peninjau, dengan token' },
      { name: 'auth', description: 'Tokens', 'x-description-id': 'Token' },
      { name: 'manage', description: 'Releases, data list, scorecards, requests', 'x-description-id': 'Rilis, daftar data, rapor, permintaan' },
      { name: 'harvest', description: 'For harvesters', 'x-description-id': 'Untuk pemanen' },
    ],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: generated.schemas,
    },
    paths: generated.paths,
  };
}
