import { PROBLEMS, problem, problemLabels, type ProblemCode } from '../../server/ingest/problems';
import { translator } from '../../server/i18n';

const codes = Object.keys(PROBLEMS) as ProblemCode[];

describe('the problem catalogue', () => {
  it('gives every code a short name in Bahasa Indonesia and in English, as the interface shows it', () => {
    const id = problemLabels('id');
    const en = problemLabels('en');
    for (const code of codes) {
      expect([code, id[code].length > 0, en[code].length > 0]).toEqual([code, true, true]);
      expect(translator('id')(`problem.${code}`)).toBe(id[code]);
      expect(translator('en')(`problem.${code}`)).toBe(en[code]);
    }
  });

  it('builds every message in both languages, with the facts given and the place kept apart', () => {
    const p = problem('type_mismatch', { value: 'x40', label: 'Jumlah', type: 'integer' }, { line: 42, column: 'jumlah', value: 'x40' });
    expect(p).toEqual({
      code: 'type_mismatch',
      line: 42,
      column: 'jumlah',
      value: 'x40',
      message: 'Nilai "x40" pada kolom Jumlah bukan bilangan bulat.',
      message_en: 'Value "x40" in column Jumlah is not a whole number.',
    });
    expect(problem('ragged_row', { fields: 4, expected: 3 }).message).toBe('Baris berisi 4 kolom, seharusnya 3.');
    expect(problem('load_interrupted', { times: 2 }).message_en).toContain('2 times');
  });
});
