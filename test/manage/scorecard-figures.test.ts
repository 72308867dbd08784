import { rangeOf, scorecard, type ScorecardFacts } from '../../server/scorecards/figures';

const period = (due: string | null, status: ScorecardFacts['items'][number]['periods'][number]['status'], delivered_on: string | null = null) => ({ due, status, delivered_on });

/** An OPD's crafted 2026: three items, four publications, three decisions. */
const history: ScorecardFacts = {
  items: [
    { periods: [period('2026-06-30', 'terbit', '2026-06-01')] },
    { periods: [period('2026-02-14', 'terbit_terlambat', '2026-03-01'), period('2026-05-15', 'terlambat'), period('2026-08-14', 'terbit', '2026-08-01'), period('2026-11-14', 'belum_ada')] },
    { periods: [period(null, 'terbit', '2026-10-10')] },
  ],
  publications: [
    { dataset_id: 1, day: '2026-03-01' },
    { dataset_id: 1, day: '2026-08-01' },
    { dataset_id: 2, day: '2026-06-01' },
    { dataset_id: 3, day: '2025-12-20' },
  ],
  quality: [80, 65, 71],
  decisions: [
    { submitted_at: '2026-02-20T01:00:00Z', decided_at: '2026-02-23T01:00:00Z', decided_day: '2026-02-23', decision: 'request_changes' },
    { submitted_at: '2026-02-25T01:00:00Z', decided_at: '2026-02-26T13:00:00Z', decided_day: '2026-02-26', decision: 'approve' },
    { submitted_at: '2026-07-30T00:00:00Z', decided_at: '2026-08-01T00:00:00Z', decided_day: '2026-08-01', decision: 'approve' },
  ],
};

describe('an OPD scorecard', () => {
  it('counts the year: deliveries due, delivered, on time, late, datasets published, averages', () => {
    expect(scorecard(history, rangeOf(2026))).toEqual({
      items: 3,
      deliveries: 6,
      delivered: 4,
      on_time: 3,
      late: 2,
      overdue: 1,
      published: 2,
      avg_quality: 72,
      avg_review_days: 2.2,
      changes_requested_rate: 33.3,
      on_time_rate: 60,
    });
  });

  it('counts a quarter by what fell due, was published and was decided in it', () => {
    const q1 = scorecard(history, rangeOf(2026, 1));
    expect(q1).toMatchObject({ items: 1, deliveries: 1, delivered: 1, on_time: 0, late: 1, published: 1, avg_review_days: 2.3, changes_requested_rate: 50 });
    const q3 = scorecard(history, rangeOf(2026, 3));
    expect(q3).toMatchObject({ items: 1, deliveries: 1, on_time: 1, late: 0, published: 1, avg_review_days: 2, changes_requested_rate: 0 });
    const q4 = scorecard(history, rangeOf(2026, 4));
    expect(q4).toMatchObject({ items: 2, deliveries: 2, delivered: 1, on_time: 1, late: 0, overdue: 0, published: 0, avg_review_days: null, changes_requested_rate: null });
  });

  it('has nulls, not zeros, where there is nothing to average', () => {
    expect(scorecard({ items: [], publications: [], quality: [], decisions: [] }, rangeOf(2026))).toMatchObject({ items: 0, avg_quality: null, avg_review_days: null, on_time_rate: null });
  });

  it('knows the quarters of a year', () => {
    expect(rangeOf(2026, 1)).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(rangeOf(2024, 4)).toEqual({ from: '2024-10-01', to: '2024-12-31' });
  });
});
