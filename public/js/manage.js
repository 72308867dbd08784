// Charts of the management pages (scorecards, usage): drawn from the numbers in the canvas's data
// attributes; the table beside each chart holds the same figures for readers without it.
(function () {
  'use strict';
  function parse(s) {
    try { return JSON.parse(s || '[]'); } catch (e) { return []; }
  }
  // Readers who ask for less motion get the charts without their animation.
  var still = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  function draw(canvas) {
    if (!window.Chart) return;
    var d = canvas.dataset;
    var labels = parse(d.labels);
    var style = window.getComputedStyle(document.documentElement);
    var accent = style.getPropertyValue('--accent').trim() || '#0b6e4f';
    var err = style.getPropertyValue('--err').trim() || '#a4161a';
    var horizontal = labels.length > 6;
    new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: labels,
        datasets: [
          { label: d.labelOnTime, data: parse(d.onTime), backgroundColor: accent },
          { label: d.labelLate, data: parse(d.late), backgroundColor: err },
        ],
      },
      options: {
        animation: still ? false : undefined,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? 'y' : 'x',
        scales: horizontal ? { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } : { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
  // Views and downloads over time (the usage page): days (YYYY-MM-DD) or months (YYYY-MM) on the x axis.
  function drawUsage(canvas) {
    if (!window.Chart) return;
    var d = canvas.dataset;
    var lang = document.documentElement.lang || 'id';
    var labels = parse(d.labels).map(function (k) {
      var monthly = k.length === 7;
      var at = new Date(monthly ? k + '-15T00:00:00Z' : k + 'T12:00:00Z');
      try {
        return new Intl.DateTimeFormat(lang, monthly ? { month: 'short', year: 'numeric', timeZone: 'UTC' } : { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(at);
      } catch (e) { return k; }
    });
    var style = window.getComputedStyle(document.documentElement);
    var accent = style.getPropertyValue('--accent').trim() || '#0b6e4f';
    var second = '#1f5fa8';
    new window.Chart(canvas, {
      type: 'line',
      data: {
        labels: labels,
        datasets: [
          { label: d.labelViews, data: parse(d.views), borderColor: accent, backgroundColor: accent, tension: 0.2, pointRadius: labels.length > 40 ? 0 : 2 },
          { label: d.labelDownloads, data: parse(d.downloads), borderColor: second, backgroundColor: second, tension: 0.2, pointRadius: labels.length > 40 ? 0 : 2 },
        ],
      },
      options: {
        animation: still ? false : undefined,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: { x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('canvas[data-scorecard]'), draw);
    Array.prototype.forEach.call(document.querySelectorAll('canvas[data-usage]'), drawUsage);
  });
})();
