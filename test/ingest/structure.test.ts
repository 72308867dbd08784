import fs from 'node:fs';
import path from 'node:path';

const INGEST = path.join(__dirname, '..', '..', 'server', 'ingest');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

const STAGES = ['prepare', 'sniff', 'plan', 'run', 'finish'];

describe('the loader’s shape', () => {
  it('reads as five stages, each a file whose first comment says what goes in and what comes out', () => {
    STAGES.forEach((stage, i) => {
      const text = fs.readFileSync(path.join(INGEST, `${stage}.ts`), 'utf8');
      const head = text.split('\n').filter((l) => l.startsWith('//')).join(' ');
      expect(text.startsWith(`// Stage ${i + 1}, ${stage}. In: `)).toBe(true);
      expect(head).toMatch(/ Out: /);
    });
    // The pipeline runs them in that order, one way through.
    const index = fs.readFileSync(path.join(INGEST, 'index.ts'), 'utf8');
    const calls = STAGES.map((s) => index.indexOf(`await ${s}(`) >= 0 ? index.indexOf(`await ${s}(`) : index.indexOf(`${s}(source`));
    expect(calls.every((c) => c > 0)).toBe(true);
    expect([...calls].sort((a, b) => a - b)).toEqual(calls);
  });

  it('keeps every file under about 300 lines', () => {
    const long = files(INGEST).map((f) => [path.relative(INGEST, f), fs.readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 300);
    expect(long).toEqual([]);
  });

  it('imports nothing from the actions, the audit log or the services (the job around a load lives with the jobs)', () => {
    const bad: string[] = [];
    for (const f of files(INGEST)) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/from '([^']+)'/g)) {
        const target = path.resolve(path.dirname(f), m[1]);
        const rel = path.relative(path.join(INGEST, '..'), target);
        if (/^(actions|audit|services|policies|routes)(\/|$)/.test(rel)) bad.push(`${path.relative(INGEST, f)} → ${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('writes no user-facing text outside the problem catalogue', () => {
    const literal = files(INGEST).filter((f) => !f.endsWith('problems.ts')).filter((f) => /message_en\s*:|messageEn/.test(fs.readFileSync(f, 'utf8')));
    expect(literal.map((f) => path.relative(INGEST, f))).toEqual([]);
  });
});
