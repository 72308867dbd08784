// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function numberFormat(lang) {
    return new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'id-ID', { maximumFractionDigits: 2 });
  }

  // Charts: <canvas data-chart data-slug data-group data-measure data-fn data-order data-filter data-type>
  function drawChart(canvas) {
    if (!window.Chart) return;
    var d = canvas.dataset;
    var params = new URLSearchParams({ group: d.group, measure: d.measure, fn: d.fn, order: d.order || 'group' });
    var filter = {};
    try { filter = JSON.parse(d.filter || '{}') || {}; } catch (e) { filter = {}; }
    Object.keys(filter).forEach(function (k) { params.set('filter[' + k + ']', filter[k]); });
    fetch('/api/v1/datasets/' + encodeURIComponent(d.slug) + '/aggregate?' + params.toString(), { headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) {
        var rows = body.data || [];
        var fmt = numberFormat(d.lang);
        var color = window.getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() || '#0b6e4f';
        var horizontal = d.type !== 'line' && rows.length > 8;
        var valueAxis = { ticks: { callback: function (v) { return fmt.format(v); } }, beginAtZero: d.type !== 'line' };
        var categoryAxis = { ticks: { autoSkip: !horizontal } };
        new window.Chart(canvas, {
          type: d.type === 'line' ? 'line' : 'bar',
          data: {
            labels: rows.map(function (r) { return String(r[d.group]); }),
            datasets: [{ label: d.label, data: rows.map(function (r) { return r.value; }), backgroundColor: color, borderColor: color, tension: 0.2 }],
          },
          options: {
            responsive: true,
            maintainAspectRatio: false,
            indexAxis: horizontal ? 'y' : 'x',
            plugins: {
              legend: { display: false },
              tooltip: { callbacks: { label: function (c) { return d.label + ': ' + fmt.format(horizontal ? c.parsed.x : c.parsed.y); } } },
            },
            scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
          },
        });
      })
      .catch(function () { canvas.replaceWith(document.createTextNode('—')); });
  }

  // Progress of a loading version: poll its API until it leaves `processing`, then reload. The
  // words come from the page (data-* attributes, in the page's language); sizes in KB/MB/GB and
  // rows in the page's number format, as the server wrote them first; the time left is an
  // estimate from the pace so far, and says so.
  function pollProgress(box) {
    var url = box.getAttribute('data-progress-url');
    var text = document.querySelector('[data-progress-text]');
    var words = text ? text.dataset : {};
    var lang = document.documentElement.lang === 'en' ? 'en-GB' : 'id-ID';
    var whole = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    var oneDecimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    var start = null;
    function bytes(n) {
      var units = ['B', 'KB', 'MB', 'GB'];
      var i = 0;
      var x = Number(n) || 0;
      while (x >= 1024 && i < units.length - 1) { x /= 1024; i++; }
      return (i ? oneDecimal : whole).format(x) + ' ' + units[i];
    }
    function fill(template, key, value) { return String(template || '').split('{' + key + '}').join(value); }
    function phaseName(phase) {
      var key = 'phase' + String(phase || '').charAt(0).toUpperCase() + String(phase || '').slice(1);
      return words[key] || '';
    }
    function describe(p, pct) {
      var parts = [phaseName(p.phase)];
      if (p.bytes_total) parts.push(fill(fill(words.of, 'done', bytes(p.bytes_done)), 'total', bytes(p.bytes_total)) + ' (' + pct + '%)');
      if (p.rows) parts.push(fill(p.rows === 1 ? words.rowsOne : words.rowsOther, 'n', whole.format(p.rows)));
      var now = Date.now();
      if (p.phase === 'loading' && p.bytes_total) {
        if (!start || p.bytes_done < start.done) start = { at: now, done: p.bytes_done };
        var elapsed = (now - start.at) / 1000;
        var rate = elapsed > 0 ? (p.bytes_done - start.done) / elapsed : 0;
        if (elapsed >= 3 && rate > 0) {
          var left = (p.bytes_total - p.bytes_done) / rate;
          var time = left < 90 ? fill(words.seconds, 'n', whole.format(Math.max(1, Math.round(left)))) : fill(words.minutes, 'n', whole.format(Math.round(left / 60)));
          parts.push(fill(words.remaining, 'time', time));
        }
      }
      return parts.filter(Boolean).join(' · ');
    }
    function tick() {
      fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          var v = body.data;
          if (!v || v.state !== 'processing') { window.location.reload(); return; }
          var p = v.progress || {};
          var pct = p.bytes_total ? Math.min(100, Math.round((p.bytes_done / p.bytes_total) * 100)) : 0;
          box.value = pct;
          if (text) text.textContent = describe(p, pct);
          setTimeout(tick, 1000);
        })
        .catch(function () { setTimeout(tick, 3000); });
    }
    setTimeout(tick, 500);
  }

  // A menu that applies itself: the form is sent when the choice changes (its button is for readers without JavaScript).
  function autosubmit(select) {
    select.addEventListener('change', function () { if (!select.form) return; if (select.form.requestSubmit) select.form.requestSubmit(); else select.form.submit(); });
  }

  // "Swipe sideways" is said only where a table is wider than its box, and kept up to date on resize.
  function scrollCue(cue) {
    var box = cue.nextElementSibling;
    if (!box || !box.classList.contains('table-scroll')) return;
    function update() { cue.classList.toggle('shown', box.scrollWidth > box.clientWidth + 1); }
    update();
    window.addEventListener('resize', update);
  }

  // A "copy" button: copies the text of the element it names (data-copy="<id>") and says so in its section's status line.
  function copyButton(button) {
    button.addEventListener('click', function () {
      var el = document.getElementById(button.getAttribute('data-copy'));
      if (!el) return;
      var box = button.closest('section');
      var status = box ? box.querySelector('[data-copy-status]') : null;
      function done() { if (status) status.textContent = status.getAttribute('data-copied') || ''; }
      function bySelection() {
        var range = document.createRange();
        range.selectNodeContents(el);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        try { document.execCommand('copy'); } catch (e) { /* the text stays selected for the reader to copy */ }
        done();
      }
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(el.textContent).then(done, bySelection);
      else bySelection();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('button[data-copy]'), copyButton);
    Array.prototype.forEach.call(document.querySelectorAll('select[data-autosubmit]'), autosubmit);
    Array.prototype.forEach.call(document.querySelectorAll('canvas[data-chart]'), drawChart);
    Array.prototype.forEach.call(document.querySelectorAll('[data-progress-url]'), pollProgress);
    Array.prototype.forEach.call(document.querySelectorAll('[data-scroll-cue]'), scrollCue);
  });
})();
