import { periodsFor } from '../../server/datalist/periods';
import { itemStatus, periodStatus, type VersionFacts } from '../../server/datalist/status';

const day = (iso: string) => iso.slice(0, 10);

describe('the periods of a data-list item', () => {
  it('asks a yearly item for the previous year by the end of its set month', () => {
    expect(periodsFor(2026, 'tahunan')).toEqual([{ key: '2025', start: '2025-01-01', end: '2025-12-31', due: '2026-06-30' }]);
    expect(periodsFor(2026, 'tahunan', 3)[0].due).toBe('2026-03-31');
    expect(periodsFor(2024, 'tahunan', 2)[0].due).toBe('2024-02-29');
  });

  it('asks a quarterly item for Q4 of last year and Q1–Q3, each 45 days after its quarter', () => {
    expect(periodsFor(2026, 'triwulanan').map((p) => [p.key, p.due])).toEqual([
      ['2025-Q4', '2026-02-14'],
      ['2026-Q1', '2026-05-15'],
      ['2026-Q2', '2026-08-14'],
      ['2026-Q3', '2026-11-14'],
    ]);
  });

  it('asks for semesters 60 days after them, months 30 days after, and ad-hoc data without a due date', () => {
    expect(periodsFor(2026, 'semesteran').map((p) => [p.key, p.start, p.end, p.due])).toEqual([
      ['2025-S2', '2025-07-01', '2025-12-31', '2026-03-01'],
      ['2026-S1', '2026-01-01', '2026-06-30', '2026-08-29'],
    ]);
    const months = periodsFor(2026, 'bulanan');
    expect(months).toHaveLength(12);
    expect(months[0]).toEqual({ key: '2025-12', start: '2025-12-01', end: '2025-12-31', due: '2026-01-30' });
    expect(months[11]).toEqual({ key: '2026-11', start: '2026-11-01', end: '2026-11-30', due: '2026-12-30' });
    expect(periodsFor(2026, 'ad_hoc')).toEqual([{ key: '2026', start: '2026-01-01', end: '2026-12-31', due: null }]);
  });
});

describe('the status of a delivery, on a fixed clock', () => {
  const year = periodsFor(2026, 'tahunan')[0]; // 2025 data, due 2026-06-30
  const v = (state: string, extra: Partial<VersionFacts> = {}): VersionFacts => ({ state, created_at: '2026-03-01T03:00:00Z', published_at: null, covered_until: '2025-12-31', ...extra });

  it('is belum_ada without anything, and terlambat once the due date has passed', () => {
    expect(periodStatus(year, [], '2026-06-30', day).status).toBe('belum_ada');
    expect(periodStatus(year, [], '2026-07-01', day).status).toBe('terlambat');
  });

  it('follows the versions: draf, dalam_pemeriksaan (also while scheduled), terbit', () => {
    expect(periodStatus(year, [v('draft')], '2026-04-01', day).status).toBe('draf');
    expect(periodStatus(year, [v('changes_requested')], '2026-04-01', day).status).toBe('draf');
    expect(periodStatus(year, [v('submitted')], '2026-04-01', day).status).toBe('dalam_pemeriksaan');
    expect(periodStatus(year, [v('scheduled')], '2026-04-01', day).status).toBe('dalam_pemeriksaan');
    expect(periodStatus(year, [v('published', { published_at: '2026-06-30T16:00:00Z' })], '2026-08-01', day)).toMatchObject({ status: 'terbit', delivered_on: '2026-06-30' });
  });

  it('is terbit_terlambat when the first publication covering it came after the due date, and terlambat while a late draft waits', () => {
    const late = v('published', { published_at: '2026-07-02T01:00:00Z' });
    expect(periodStatus(year, [late], '2026-08-01', day).status).toBe('terbit_terlambat');
    expect(periodStatus(year, [v('superseded', { published_at: '2026-05-02T01:00:00Z' }), late], '2026-08-01', day).status).toBe('terbit');
    expect(periodStatus(year, [v('submitted')], '2026-07-01', day).status).toBe('terlambat');
  });

  it('does not count a publication whose table ends before the period (older data), nor rejected work', () => {
    const old = v('published', { published_at: '2026-03-01T00:00:00Z', covered_until: '2024-12-31' });
    expect(periodStatus(year, [old], '2026-04-01', day).status).toBe('belum_ada');
    expect(periodStatus(year, [v('rejected')], '2026-04-01', day).status).toBe('belum_ada');
  });

  it('without a time column, takes what was made once the period had begun', () => {
    const q1 = periodsFor(2026, 'triwulanan')[1];
    expect(periodStatus(q1, [v('published', { covered_until: null, published_at: '2025-12-20T00:00:00Z' })], '2026-04-01', day).status).toBe('belum_ada');
    expect(periodStatus(q1, [v('published', { covered_until: null, published_at: '2026-02-20T00:00:00Z' })], '2026-04-01', day).status).toBe('terbit');
  });

  it('sums an item up: late if any delivery is, else where the first open one stands', () => {
    const p = (status: string) => ({ key: 'k', start: '', end: '', due: null, delivered_on: null, status }) as Parameters<typeof itemStatus>[0][number];
    expect(itemStatus([p('terbit'), p('terlambat'), p('belum_ada')])).toBe('terlambat');
    expect(itemStatus([p('terbit'), p('draf'), p('belum_ada')])).toBe('draf');
    expect(itemStatus([p('terbit'), p('terbit_terlambat')])).toBe('terbit_terlambat');
    expect(itemStatus([p('terbit'), p('terbit')])).toBe('terbit');
  });
});
