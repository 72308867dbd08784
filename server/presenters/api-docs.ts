// The readable API page (/api/docs), built from the generated OpenAPI document: every operation
// with its parameters, body and answers, and every named schema with its fields, each described
// in the reader's language (`description` is English, `x-description-id` Bahasa Indonesia).

type Json = Record<string, unknown>;

const TAG_ORDER = ['read', 'harvest', 'manage', 'auth', 'write'];

/** The text of a described thing in the reader's language. */
function text(o: Json | undefined, lang: string, key: 'description' | 'summary' = 'description'): string {
  if (!o) return '';
  const id = o[`x-${key}-id`];
  const en = o[key];
  return String((lang === 'en' ? en : (id ?? en)) ?? '');
}

/** A short, readable type: `string`, `integer ≥ 1`, `Dataset[]`, `"a" | "b"`, `… | null`. */
export function typeLabel(s: Json | undefined): { label: string; ref: string | null } {
  if (!s) return { label: 'any', ref: null };
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    return { label: name, ref: name };
  }
  if (Array.isArray(s.enum)) return { label: s.enum.map((v) => JSON.stringify(v)).join(' | '), ref: null };
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
    const parts = ((s.anyOf ?? s.oneOf) as Json[]).map(typeLabel);
    return { label: parts.map((p) => p.label).join(' | '), ref: parts.find((p) => p.ref)?.ref ?? null };
  }
  const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [s.type as string] : [];
  const labels = types.map((t) => {
    if (t === 'array') {
      const item = typeLabel(s.items as Json | undefined);
      return `${item.label.includes(' ') ? `(${item.label})` : item.label}[]`;
    }
    if (t === 'string' && s.format) return `string (${s.format})`;
    if ((t === 'integer' || t === 'number') && (s.minimum !== undefined || s.maximum !== undefined)) {
      return `${t} ${[s.minimum !== undefined ? `≥ ${s.minimum}` : '', s.maximum !== undefined ? `≤ ${s.maximum}` : ''].filter(Boolean).join(', ')}`;
    }
    return t;
  });
  const ref = types.includes('array') ? typeLabel(s.items as Json | undefined).ref : null;
  return { label: labels.join(' | ') || 'any', ref };
}

interface FieldRow {
  name: string;
  type: string;
  ref: string | null;
  required: boolean;
  description: string;
  default: string | null;
}

function fields(s: Json | undefined, lang: string): FieldRow[] {
  if (!s || s.type !== 'object' || !s.properties) return [];
  const required = new Set((s.required as string[] | undefined) ?? []);
  return Object.entries(s.properties as Record<string, Json>).map(([name, p]) => {
    const t = typeLabel(p);
    return { name, type: t.label, ref: t.ref, required: required.has(name), description: text(p, lang), default: p.default === undefined ? null : JSON.stringify(p.default) };
  });
}

/** The view of /api/docs in `lang`. */
export function presentApiDocs(doc: Json, lang: string) {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const tags = (doc.tags as Json[]).map((tg) => ({ name: tg.name as string, title: text(tg, lang) }));
  const ops = Object.entries(paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({
      id: op.operationId as string,
      tag: (op.tags as string[])[0],
      method: method.toUpperCase(),
      path: `/api/v1${path}`,
      summary: text(op, lang, 'summary'),
      secured: Boolean(op.security),
      parameters: ((op.parameters ?? []) as Json[]).map((p) => {
        const schema = p.schema as Json;
        const t = typeLabel(schema);
        return { name: p.in === 'query' && schema.type === 'object' ? `${p.name}[…]` : (p.name as string), in: p.in as string, type: t.label, required: Boolean(p.required), description: text(p, lang), default: schema.default === undefined ? null : JSON.stringify(schema.default) };
      }),
      body: (() => {
        const content = (op.requestBody as Json | undefined)?.content as Record<string, { schema: Json }> | undefined;
        if (!content) return null;
        const [type, { schema }] = Object.entries(content)[0];
        return { type, fields: fields(schema, lang) };
      })(),
      responses: Object.entries(op.responses as Record<string, Json>).map(([status, r]) => {
        const schema = ((r.content as Record<string, { schema: Json }> | undefined)?.['application/json'])?.schema;
        return { status, ok: status.startsWith('2'), description: text(r, lang), fields: status.startsWith('2') ? fields(schema, lang) : [], type: schema ? typeLabel(schema) : null };
      }),
    })),
  );
  const schemas = Object.entries((doc.components as Json).schemas as Record<string, Json>)
    .map(([name, s]) => ({ name, description: text(s, lang), fields: fields(s, lang) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    info: text(doc.info as Json, lang),
    groups: tags
      .sort((a, b) => TAG_ORDER.indexOf(a.name) - TAG_ORDER.indexOf(b.name))
      .map((tg) => ({ ...tg, operations: ops.filter((o) => o.tag === tg.name) }))
      .filter((g) => g.operations.length),
    schemas,
  };
}
export type ApiDocsView = ReturnType<typeof presentApiDocs>;
