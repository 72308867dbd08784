// The time axis's reading of period labels (public/js/chart-periods.js, shared with the browser).
import { inDateOrder } from '../../server/presenters/periods';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { periodDate, periodDates } = require('../../public/js/chart-periods.js') as {
  periodDate: (v: unknown) => { t: number; kind: string } | null;
  periodDates: (v: unknown[]) => Array<{ t: number; kind: string }> | null;
};

describe('periods on a time axis', () => {
  it('places Maret 2020 → Maret 2022 → September 2022 at their real dates, not equal steps', () => {
    const [a, b, c] = periodDates(['Maret 2020', 'Maret 2022', 'September 2022'])!.map((p) => p.t);
    expect(b - a).toBeCloseTo(2, 5);
    expect(c - b).toBeCloseTo(0.5, 5);
  });

  it('reads years, semesters, quarters, months and dates in Indonesian and English', () => {
    expect(periodDate(2021)).toEqual({ t: 2021, kind: 'year' });
    expect(periodDate('2021')).toEqual({ t: 2021, kind: 'year' });
    expect(periodDate('Semester I 2021')).toEqual({ t: 2021, kind: 'semester' });
    expect(periodDate('Semester II 2021')!.t).toBeCloseTo(2021.5, 5);
    expect(periodDate('2021 S2')!.t).toBeCloseTo(2021.5, 5);
    expect(periodDate('Triwulan III 2022')).toEqual({ t: 2022.5, kind: 'quarter' });
    expect(periodDate('TW4 2022')!.t).toBeCloseTo(2022.75, 5);
    expect(periodDate('2023Q2')!.t).toBeCloseTo(2023.25, 5);
    expect(periodDate('Q1 2023')!.t).toBe(2023);
    expect(periodDate('Agustus 2024')!.t).toBeCloseTo(2024 + 7 / 12, 5);
    expect(periodDate('Des 2024')!.t).toBeCloseTo(2024 + 11 / 12, 5);
    expect(periodDate('March 2020')!.t).toBeCloseTo(2020 + 2 / 12, 5);
    expect(periodDate('2024-09')).toEqual({ t: 2024 + 8 / 12, kind: 'month' });
    expect(periodDate('2024-03-01')!.kind).toBe('day');
  });

  it('refuses what is not a period, so the axis keeps categories', () => {
    for (const v of ['Lampung Barat', '1801', '2024-13', 'Semester III 2020', 'Triwulan V 2020', '', null, 12.5]) expect(periodDate(v)).toBeNull();
    expect(periodDates(['Maret 2020', 'Lainnya'])).toBeNull();
  });

  it('orders period labels by date on the server, as the filter menus list them', () => {
    expect(inDateOrder(['Maret 2020', 'Maret 2022', 'Maret 2023', 'September 2022'])).toEqual(['Maret 2020', 'Maret 2022', 'September 2022', 'Maret 2023']);
    expect(inDateOrder(['2024', '2021', '2023'])).toEqual(['2021', '2023', '2024']);
    // Not every label a period: the order given stays.
    expect(inDateOrder(['Maret 2023', 'Lainnya', 'Maret 2020'])).toEqual(['Maret 2023', 'Lainnya', 'Maret 2020']);
  });
});
