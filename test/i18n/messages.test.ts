import { messages } from '../../server/i18n';

/** Flattened keys with i18next's plural suffixes folded, so `x_one`/`x_other` count as `x`. */
function keys(obj: Record<string, unknown>, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(obj)) {
    const name = `${prefix}${k.replace(/_(zero|one|two|few|many|other)$/, '')}`;
    if (v && typeof v === 'object') for (const sub of keys(v as Record<string, unknown>, `${name}.`)) out.add(sub);
    else out.add(name);
  }
  return out;
}

describe('interface messages', () => {
  it('has every Indonesian message in English and no English message without an Indonesian one', () => {
    const id = keys(messages('id'));
    const en = keys(messages('en'));
    expect([...id].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !id.has(k))).toEqual([]);
  });
});
