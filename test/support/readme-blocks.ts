import fs from 'node:fs';
import path from 'node:path';

/** A fenced code block of the README with the `###` section it sits in. */
export interface ReadmeBlock {
  section: string;
  lang: string;
  code: string;
}

/** The fenced blocks of the README's `## heading` part, each with its `###` section. */
export function readmeBlocks(part: string, file = path.join(__dirname, '../../README.md')): ReadmeBlock[] {
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(`\n## ${part}\n`);
  if (start < 0) throw new Error(`README has no "## ${part}"`);
  const end = text.indexOf('\n## ', start + 1);
  const lines = text.slice(start, end < 0 ? undefined : end).split('\n');
  const out: ReadmeBlock[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^### (.*)$/.exec(lines[i]);
    if (h) section = h[1];
    const f = /^```(\w*)\s*$/.exec(lines[i]);
    if (!f) continue;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    out.push({ section, lang: f[1] || 'text', code: body.join('\n') });
  }
  return out;
}
