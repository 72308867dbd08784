// Validates an OpenAPI document (stdin, JSON) with @apidevtools/swagger-parser, whose resolver is
// ESM-only, hence this separate Node process. Prints {valid, error}.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import SwaggerParser from '@apidevtools/swagger-parser';

const doc = JSON.parse(readFileSync(0, 'utf8'));
try {
  const api = await SwaggerParser.validate(doc);
  process.stdout.write(JSON.stringify({ valid: true, version: api.openapi, paths: Object.keys(api.paths ?? {}).length }));
} catch (e) {
  process.stdout.write(JSON.stringify({ valid: false, error: String(e?.message ?? e) }));
}
