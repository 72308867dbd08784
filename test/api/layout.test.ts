import fs from 'node:fs';
import path from 'node:path';

// The machine interfaces live in server/routes/api, one folder or file each, and their routes are
// thin: they call the same queries, actions and presenters as the pages, never the database
// (STYLE "Routes are thin"; issue 9). A query written inside a route fails here with its line.

const API = path.join(__dirname, '../../server/routes/api');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('server/routes/api', () => {
  it('has one folder or file per interface', () => {
    const entries = fs.readdirSync(API).sort();
    expect(entries).toEqual(expect.arrayContaining(['ckan', 'dcat', 'frictionless', 'feeds', 'v1.ts', 'contract.ts', 'openapi.ts']));
    for (const dir of ['ckan', 'dcat', 'frictionless', 'feeds']) expect(fs.existsSync(path.join(API, dir, 'index.ts'))).toBe(true);
  });

  it('no route queries the database itself', () => {
    // A knex call on the database handle (`db('table')`, `db.raw`, `trx(…)`), or knex imported as a value.
    const query = /\b(db|knex|trx|tx)\s*(\(|\.(raw|select|from|transaction|schema)\b)|^import\s+(?!type\b)[^;]*from\s+'knex'/;
    const found: string[] = [];
    for (const f of files(API)) {
      fs.readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (query.test(line.trim())) found.push(`${path.relative(API, f)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});
