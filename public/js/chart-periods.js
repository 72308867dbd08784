// Periods as dates: "Maret 2020", "Semester II 2021", "Triwulan 3 2022", "2023Q1", "2024-09", 2025.
// A time axis places each at its real date (a fractional year), so that Maret 2020 → Maret 2022
// → September 2022 are not drawn as equal steps. Shared by the browser and the tests.
(function (root) {
  'use strict';

  var MONTHS = {
    januari: 1, jan: 1, january: 1,
    februari: 2, feb: 2, pebruari: 2, february: 2,
    maret: 3, mar: 3, march: 3,
    april: 4, apr: 4,
    mei: 5, may: 5,
    juni: 6, jun: 6, june: 6,
    juli: 7, jul: 7, july: 7,
    agustus: 8, agu: 8, agt: 8, ags: 8, aug: 8, august: 8,
    september: 9, sep: 9, sept: 9,
    oktober: 10, okt: 10, oct: 10, october: 10,
    november: 11, nov: 11, nop: 11, nopember: 11,
    desember: 12, des: 12, dec: 12, december: 12,
  };
  var ROMAN = { i: 1, ii: 2, iii: 3, iv: 4 };

  function ordinal(s) {
    var n = ROMAN[s.toLowerCase()];
    return n || (/^\d$/.test(s) ? Number(s) : null);
  }

  // The middle of a period, as a fractional year: a month, a quarter or a half year is placed at
  // its start month (what "Maret 2020" means), a year at its start.
  function at(year, month) { return year + (month - 1) / 12; }
  // Statistics of this portal are dated from 1900 on; a four-digit code (1801) is not a year.
  function isYear(y) { return y >= 1900 && y <= 2100; }

  /**
   * The date of a period label as a fractional year (2020.1667 for March 2020), with its kind
   * (`year`, `semester`, `quarter`, `month`, `day`); null when the label is not a period.
   */
  function periodDate(value) {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') return Number.isInteger(value) && isYear(value) ? { t: value, kind: 'year' } : null;
    var s = String(value).trim().toLowerCase().replace(/\s+/g, ' ');
    var m;
    if ((m = /^(\d{4})$/.exec(s))) return isYear(Number(m[1])) ? { t: Number(m[1]), kind: 'year' } : null;
    if ((m = /^(\d{4})-(\d{2})-(\d{2})(?:[t ].*)?$/.exec(s))) {
      var y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
      if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
      return { t: at(y, mo) + (d - 1) / 365, kind: 'day' };
    }
    if ((m = /^(\d{4})[-/](\d{1,2})$/.exec(s)) && Number(m[2]) >= 1 && Number(m[2]) <= 12) return { t: at(Number(m[1]), Number(m[2])), kind: 'month' };
    if ((m = /^([a-z]+)\.? (\d{4})$/.exec(s)) && MONTHS[m[1]]) return { t: at(Number(m[2]), MONTHS[m[1]]), kind: 'month' };
    // Half years: "Semester I 2020", "Semester 2 2021", "S1 2020", "2020 S2", "2020-S1".
    if ((m = /^(?:semester|smt|sem|s) ?(i{1,2}|[12]) (?:tahun )?(\d{4})$/.exec(s))) return { t: at(Number(m[2]), ordinal(m[1]) === 2 ? 7 : 1), kind: 'semester' };
    if ((m = /^(\d{4})[ -]?(?:semester |smt |s)(i{1,2}|[12])$/.exec(s))) return { t: at(Number(m[1]), ordinal(m[2]) === 2 ? 7 : 1), kind: 'semester' };
    // Quarters: "Triwulan III 2022", "TW 3 2022", "Kuartal 1 2023", "Q1 2023", "2023Q1", "2023-Q1", "2023 TW1".
    if ((m = /^(?:triwulan|tw|kuartal|quarter|q) ?(i{1,3}|iv|[1-4]) (?:tahun )?(\d{4})$/.exec(s))) return { t: at(Number(m[2]), 3 * (ordinal(m[1]) - 1) + 1), kind: 'quarter' };
    if ((m = /^(\d{4})[ -]?(?:triwulan |tw ?|kuartal |q)(i{1,3}|iv|[1-4])$/.exec(s))) return { t: at(Number(m[1]), 3 * (ordinal(m[2]) - 1) + 1), kind: 'quarter' };
    return null;
  }

  /** Dates of every label, or null when any of them is not a period (then the axis keeps categories). */
  function periodDates(labels) {
    var out = [];
    for (var i = 0; i < labels.length; i++) {
      var p = periodDate(labels[i]);
      if (!p) return null;
      out.push(p);
    }
    return out;
  }

  var api = { periodDate: periodDate, periodDates: periodDates };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.SatuPeriods = api;
})(typeof window !== 'undefined' ? window : this);
