/** OpenAPI 3.1 description of `/api/v1`. */
export function openApiDocument(base: string) {
  const slug = { name: 'slug', in: 'path', required: true, schema: { type: 'string' } };
  const n = { name: 'n', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
  const q = (name: string, schema: object, description?: string) => ({ name, in: 'query', schema, ...(description ? { description } : {}) });
  const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
  const errors = {
    400: { description: 'Bad input', ...json('Error') },
    401: { description: 'Not signed in', ...json('Error') },
    403: { description: 'Not allowed', ...json('Error') },
    404: { description: 'Unknown or not visible', ...json('Error') },
    409: { description: 'Conflicting state', ...json('Error') },
  };
  const secured = [{ bearer: [] }];
  const rowParams = [
    q('limit', { type: 'integer', minimum: 0, maximum: 10000, default: 100 }),
    q('offset', { type: 'integer', minimum: 0, default: 0 }),
    q('sort', { type: 'string' }, 'Comma-separated columns; prefix with - for descending'),
    q('q', { type: 'string' }, 'Text search over text columns'),
    { name: 'filter', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object', additionalProperties: { type: 'string' } }, description: 'filter[column]=value' },
  ];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Satu Data Portal API',
      version: '1.0.0',
      description:
        'Read open datasets without signing in; write with a bearer token from POST /tokens. Errors: {"error":{"code","message","details"}}.',
    },
    servers: [{ url: `${base}/api/v1` }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} }, required: ['code', 'message'] } },
        },
        Facet: { type: 'object', properties: { key: { type: 'string' }, label: { type: 'string' }, count: { type: 'integer' } } },
        Dataset: {
          type: 'object',
          properties: {
            slug: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' },
            organization: { type: 'object' }, topic: { type: ['object', 'null'] }, tags: { type: 'array', items: { type: 'string' } },
            frequency: { type: 'string' }, license: { type: 'string' }, access_level: { type: 'string', enum: ['terbuka', 'terbatas', 'tertutup'] },
            prioritas: { type: 'boolean' }, metadata: { type: 'object' }, current_version: { type: ['object', 'null'] },
            url: { type: 'string' }, download_url: { type: ['string', 'null'] },
          },
        },
        Column: {
          type: 'object',
          properties: {
            name: { type: 'string' }, label: { type: 'string' },
            type: { type: 'string', enum: ['integer', 'number', 'text', 'date', 'year', 'boolean'] },
            role: { type: 'string', enum: ['dimension', 'measure', 'time', 'region'] },
            unit: { type: ['string', 'null'] }, ref_scheme: { type: ['string', 'null'] }, stats: { type: ['object', 'null'] },
          },
        },
        Problem: {
          type: 'object',
          properties: { line: { type: 'integer' }, column: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' }, message_en: { type: 'string' }, value: { type: 'string' } },
        },
        Diff: {
          type: 'object',
          properties: {
            data: {
              type: 'object',
              properties: {
                against: { type: ['integer', 'null'], description: 'The version compared against; null = none (all rows added)' },
                columns: {
                  type: 'object',
                  properties: {
                    added: { type: 'array', items: { type: 'string' } },
                    removed: { type: 'array', items: { type: 'string' } },
                    retyped: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } } },
                  },
                },
                rows: {
                  type: 'object',
                  properties: {
                    key: { type: 'array', items: { type: 'string' }, description: 'Columns rows are matched on; [] = whole rows compared' },
                    key_unique: { type: 'boolean' },
                    key_source: { type: 'string', enum: ['declared', 'region_time', 'dimensions', 'none'] },
                    added: { type: 'integer' }, removed: { type: 'integer' }, changed: { type: 'integer' },
                    examples: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          kind: { type: 'string', enum: ['changed', 'added', 'removed'] },
                          key: { type: 'object' },
                          changes: { type: 'array', items: { type: 'object', properties: { column: { type: 'string' }, before: {}, after: {} } } },
                          row: { type: 'object' },
                        },
                      },
                    },
                  },
                },
                cells: { type: 'array', items: { type: 'object', properties: { key: { type: 'object' }, column: { type: 'string' }, before: {}, after: {} } } },
                cells_total: { type: 'integer' },
              },
            },
          },
        },
        Version: {
          type: 'object',
          properties: {
            number: { type: 'integer' },
            state: { type: 'string', enum: ['processing', 'failed', 'draft', 'submitted', 'changes_requested', 'verified', 'scheduled', 'published', 'superseded', 'rejected'] },
            row_count: { type: ['integer', 'null'] },
            columns: { type: 'array', items: { $ref: '#/components/schemas/Column' } },
            report: { type: 'object', properties: { errors: { type: 'array', items: { $ref: '#/components/schemas/Problem' } }, warnings: { type: 'array', items: { $ref: '#/components/schemas/Problem' } }, counts: { type: 'object' } } },
            progress: { type: ['object', 'null'], properties: { phase: { type: 'string' }, bytes_done: { type: 'integer' }, bytes_total: { type: 'integer' }, rows: { type: 'integer' } } },
            file: { type: 'object' },
          },
        },
      },
    },
    paths: {
      '/datasets': {
        get: {
          summary: 'Search datasets', tags: ['read'],
          parameters: [q('q', { type: 'string' }), q('organization', { type: 'string' }), q('topic', { type: 'string' }), q('tag', { type: 'string' }), q('frequency', { type: 'string' }), q('sort', { type: 'string', enum: ['relevance', 'newest', 'title', 'downloads'] }), q('page', { type: 'integer', minimum: 1 }), q('per_page', { type: 'integer', minimum: 1, maximum: 100 })],
          responses: { 200: { description: '{"data":[Dataset],"meta":{"total","page","per_page"},"facets":{organization,topic,tag}}' }, 400: errors[400] },
        },
        post: {
          summary: 'Create a dataset', tags: ['write'], security: secured,
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['organization', 'title', 'topic'], properties: { organization: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, topic: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, frequency: { type: 'string' }, license: { type: 'string' }, access_level: { type: 'string' }, prioritas: { type: 'boolean' }, metadata: { type: 'object' } } } } } },
          responses: { 201: { description: '{"data": Dataset}' }, ...errors },
        },
      },
      '/datasets/{slug}': {
        get: { summary: 'A dataset with columns and versions', tags: ['read'], parameters: [slug], responses: { 200: { description: '{"data": Dataset}' }, 404: errors[404] } },
        patch: { summary: 'Change metadata', tags: ['write'], security: secured, parameters: [slug], responses: { 200: { description: '{"data": Dataset}' }, ...errors } },
      },
      '/datasets/{slug}/rows': { get: { summary: 'Rows of the current published version', tags: ['read'], parameters: [slug, ...rowParams], responses: { 200: { description: '{"data":[row],"meta":{"total","limit","offset"},"columns":[Column]}' }, 400: errors[400], 404: errors[404] } } },
      '/datasets/{slug}/aggregate': {
        get: {
          summary: 'Grouped figures', tags: ['read'],
          parameters: [slug, q('group', { type: 'string' }, 'Comma-separated columns'), q('measure', { type: 'string' }), q('fn', { type: 'string', enum: ['sum', 'avg', 'min', 'max', 'count'] }), q('order', { type: 'string', enum: ['group', 'value', '-value', 'first'] })],
          responses: { 200: { description: '{"data":[{group…, value}],"meta":{…}}' }, 400: errors[400], 404: errors[404] },
        },
      },
      '/datasets/{slug}/activity': { get: { summary: 'Audit events of the dataset visible to the caller', tags: ['read'], parameters: [slug], responses: { 200: { description: '{"data":[event]}' } } } },
      '/datasets/{slug}/versions': {
        post: {
          summary: 'Upload a new version (CSV or XLSX)', tags: ['write'], security: secured, parameters: [slug],
          requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' }, encoding: { type: 'string' }, delimiter: { type: 'string' }, decimal: { type: 'string' }, columns: { type: 'string', description: 'JSON: {name: {type, role, unit}}' }, sheet: { type: 'string' }, reshape: { type: 'string', description: 'JSON: {var_name, value_name}' } } } } } },
          responses: { 201: { description: 'Loaded: {"data": Version}' }, 202: { description: 'Loading in the background: {"data": Version}' }, 413: { description: 'Too large', ...json('Error') }, ...errors },
        },
      },
      '/datasets/{slug}/versions/{n}': { get: { summary: 'A version with its report and progress', tags: ['read'], parameters: [slug, n], responses: { 200: { description: '{"data": Version}' }, 404: errors[404] } } },
      '/datasets/{slug}/versions/{n}/rows': { get: { summary: 'Rows of a version the caller may see', tags: ['read'], parameters: [slug, n, ...rowParams], responses: { 200: { description: 'as /rows' }, 404: errors[404] } } },
      '/datasets/{slug}/versions/{n}/diff': {
        get: {
          summary: 'Diff of a version against the current published version (or, for the current one, the version it superseded)', tags: ['read'],
          parameters: [
            slug, n,
            q('key', { type: 'string' }, 'Comma-separated key columns; default: region+time columns, else the shared dimension columns that are unique'),
            q('cells_limit', { type: 'integer', minimum: 0, maximum: 1000 }, 'Include this many changed cells as data.cells (with data.cells_total)'),
            q('cells_offset', { type: 'integer', minimum: 0, default: 0 }),
          ],
          responses: { 200: { description: '{"data": Diff}', ...json('Diff') }, 400: errors[400], 404: errors[404], 409: errors[409] },
        },
      },
      '/datasets/{slug}/versions/{n}/submit': { post: { summary: 'Submit for review', tags: ['write'], security: secured, parameters: [slug, n], responses: { 200: { description: '{"data": Version}' }, ...errors } } },
      '/datasets/{slug}/versions/{n}/withdraw': { post: { summary: 'Withdraw a submission', tags: ['write'], security: secured, parameters: [slug, n], responses: { 200: { description: '{"data": Version}' }, ...errors } } },
      '/datasets/{slug}/versions/{n}/reload': { post: { summary: 'Read the file again with other options', tags: ['write'], security: secured, parameters: [slug, n], responses: { 202: { description: '{"data": Version}' }, ...errors } } },
      '/datasets/{slug}/versions/{n}/review': {
        post: {
          summary: 'Review decision or comment', tags: ['write'], security: secured, parameters: [slug, n],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['decision'], properties: { decision: { type: 'string', enum: ['approve', 'request_changes', 'reject', 'comment'] }, comment: { type: 'string' } } } } } },
          responses: { 200: { description: '{"data":{"decision","state"}}' }, ...errors },
        },
      },
      '/review-queue': { get: { summary: 'What waits for the caller’s review', tags: ['write'], security: secured, responses: { 200: { description: '{"data":[item]}' }, 401: errors[401] } } },
      '/tokens': {
        get: {
          summary: 'The caller’s own API tokens (never the tokens themselves)', tags: ['auth'], security: secured,
          responses: { 200: { description: '{"data":[{"id","name","prefix","scope","status","created_at","expires_at","last_used_at","revoked_at"}]}' }, 401: errors[401] },
        },
        post: {
          summary: 'Issue an API token (shown once): with email and password, or for the caller of a write token', tags: ['auth'],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' },
                    scope: { type: 'string', enum: ['read', 'write'], default: 'write' },
                    expires_at: { type: 'string', format: 'date-time' }, expires_in_days: { type: 'integer', minimum: 1 },
                  },
                },
              },
            },
          },
          responses: { 201: { description: '{"token": "…", "data": {"id","name","prefix","scope","expires_at","created_at"}}' }, 401: errors[401] },
        },
      },
      '/tokens/{id}': {
        delete: {
          summary: 'Revoke one of the caller’s tokens (the admin: anyone’s)', tags: ['auth'], security: secured,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: { 200: { description: '{"data":{"id","revoked":true}}' }, 401: errors[401], 404: errors[404] },
        },
      },
      '/organizations': { get: { summary: 'Organizations', tags: ['read'], responses: { 200: { description: '{"data":[organization]}' } } } },
      '/topics': { get: { summary: 'Topics', tags: ['read'], responses: { 200: { description: '{"data":[topic]}' } } } },
    },
  };
}
