// Charts of the management pages (scorecards): drawn from the numbers in the canvas's data
// attributes; the table beside each chart holds the same figures for readers without it.
(function () {
  'use strict';
  function parse(s) {
    try { return JSON.parse(s || '[]'); } catch (e) { return []; }
  }
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
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? 'y' : 'x',
        scales: horizontal ? { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } : { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('canvas[data-scorecard]'), draw);
  });
})();
