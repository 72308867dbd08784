import { dueUpdate } from '../../server/review/due';

const d = (s: string) => new Date(`${s}T00:00:00Z`);

describe('due updates from the frequency and the period covered', () => {
  it('expects yearly data for the next year within six months of its end', () => {
    expect(dueUpdate('tahunan', d('2025-12-31'), d('2026-11-22'))).toEqual({
      covered_until: '2025-12-31', next_period_end: '2026-12-31', due: '2027-06-30', status: 'ok',
    });
  });
  it('marks half-yearly poverty data late when the next semester is past its publication time', () => {
    // Susenas September 2025 → March 2026 figures expected by end of June 2026.
    expect(dueUpdate('semesteran', d('2025-09-30'), d('2026-11-22'))).toMatchObject({ next_period_end: '2026-03-31', due: '2026-06-30', status: 'overdue' });
  });
  it('says "soon" within 30 days of the due date', () => {
    expect(dueUpdate('bulanan', d('2026-09-30'), d('2026-11-20'))).toMatchObject({ next_period_end: '2026-10-31', due: '2026-11-30', status: 'soon' });
  });
  it('handles daily and weekly data in days', () => {
    expect(dueUpdate('harian', d('2026-11-20'), d('2026-11-22'))).toMatchObject({ next_period_end: '2026-11-21', due: '2026-11-23', status: 'soon' });
    expect(dueUpdate('mingguan', d('2026-11-01'), d('2026-11-22'))).toMatchObject({ due: '2026-11-15', status: 'overdue' });
  });
  it('has no schedule for ad hoc data', () => {
    expect(dueUpdate('ad_hoc', d('2020-01-01'))).toBeNull();
  });
});
