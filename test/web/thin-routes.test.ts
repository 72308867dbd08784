// Routes only parse → load → present → render: SQL lives in server/queries/ (STYLE.md, habit 1).
import fs from 'node:fs';
import path from 'node:path';

const ROUTES = ['public.ts', 'dashboard.ts', 'embed.ts', 'downloads.ts'].map((f) => path.join(__dirname, '..', '..', 'server', 'routes', 'web', f));

describe('thin web routes', () => {
  it.each(ROUTES)('%s asks the database only through server/queries', (file) => {
    const src = fs.readFileSync(file, 'utf8');
    // A table read (`db('…')`), raw SQL or a counter written in place.
    expect(src).not.toMatch(/\bdb\(\s*['"`]/);
    expect(src).not.toMatch(/\.raw\(/);
    expect(src).not.toMatch(/\b(?:insert|update|increment)\(/);
  });
});
