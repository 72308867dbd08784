// The chart builder of a dataset page and its embed: reads the view from the URL, draws it from
// the aggregate API (chart, choropleth map or table), keeps the URL in step (back button and
// reload restore the view), fills the filter menus, and offers PNG/CSV downloads and the embed code.
(function () {
  'use strict';

  var KEYS = ['view', 'measure', 'fn', 'group', 'series', 'type'];
  var PALETTE = ['#0b6e4f', '#c2410c', '#1d4ed8', '#a21caf', '#b45309', '#0f766e', '#be123c', '#4d7c0f', '#6d28d9', '#334155'];
  // Five map classes, light to dark (sequential greens; the darkest passes AA against white text).
  var CLASSES = ['#c6e8d4', '#a3d9bd', '#5fb891', '#2b8a63', '#0b5a3d'];
  var MISSING = '#f7f7f7';
  var geoCache = null;

  function fill(template, values) {
    return String(template || '').replace(/\{\{(\w+)\}\}/g, function (_m, k) { return values[k] == null ? '' : String(values[k]); });
  }

  function init(root) {
    var cfg;
    try { cfg = JSON.parse(root.getAttribute('data-config') || 'null'); } catch (e) { cfg = null; }
    if (!cfg || !window.Chart) return;
    var words = cfg.words || {};
    var lang = cfg.lang === 'en' ? 'en-GB' : 'id-ID';
    var fmt = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
    var form = root.querySelector('[data-builder-form]');
    var canvas = root.querySelector('[data-builder-canvas]');
    var canvasBox = canvas.parentNode;
    var caption = root.querySelector('[data-builder-caption]');
    var status = root.querySelector('[data-builder-status]');
    var tableBox = root.querySelector('[data-builder-table]');
    var details = root.querySelector('[data-builder-details]');
    var legend = root.querySelector('[data-builder-legend]');
    var figure = root.querySelector('[data-builder-figure]');
    // The boundaries under their fingerprinted name (cached for a year), from the page.
    var geoUrl = (figure && figure.getAttribute('data-geo-url')) || '/static/geo/lampung_kabupaten_kota.geojson';
    var credit = root.querySelector('[data-map-credit]');
    var columns = {};
    cfg.measures.concat(cfg.groups).forEach(function (c) { columns[c.name] = c; });
    var chart = null;
    var drawn = null; // { state, rows, labels } of the last drawing (for the downloads)
    var seq = 0;

    if (form) {
      var apply = form.querySelector('[data-builder-apply]');
      if (apply) apply.hidden = true;
    }

    // ---- state <-> URL ---------------------------------------------------------------------
    function isGroup(name) { return cfg.groups.some(function (g) { return g.name === name; }); }
    function isMeasure(name) { return cfg.measures.some(function (m) { return m.name === name; }); }

    function stateFromSearch(search) {
      var p = new URLSearchParams(search);
      var any = KEYS.some(function (k) { return p.has(k); });
      var where = {};
      p.forEach(function (v, k) {
        var m = /^where\[(.+)\]$/.exec(k);
        if (m && v !== '' && isGroup(m[1])) { where[m[1]] = v; any = true; }
      });
      if (!any) return clone(cfg.fallback);
      var f = cfg.fallback;
      var fn = ['sum', 'avg', 'min', 'max', 'count'].indexOf(p.get('fn')) >= 0 ? p.get('fn') : f.fn;
      var group = isGroup(p.get('group')) ? p.get('group') : f.group;
      var series = isGroup(p.get('series')) && p.get('series') !== group ? p.get('series') : null;
      var view = ['chart', 'map', 'table'].indexOf(p.get('view')) >= 0 ? p.get('view') : 'chart';
      var type = ['line', 'bar', 'stacked'].indexOf(p.get('type')) >= 0 ? p.get('type') : f.type;
      return { view: view, measure: isMeasure(p.get('measure')) ? p.get('measure') : f.measure, fn: fn, group: group, series: series, type: type, where: where };
    }

    function clone(s) { return JSON.parse(JSON.stringify(s)); }

    function viewQuery(s) {
      var p = new URLSearchParams();
      p.set('view', s.view);
      if (s.measure) p.set('measure', s.measure);
      p.set('fn', s.fn);
      p.set('group', s.group);
      if (s.series) p.set('series', s.series);
      p.set('type', s.type);
      Object.keys(s.where).forEach(function (k) { p.set('where[' + k + ']', s.where[k]); });
      return p.toString();
    }

    // The page's other parameters (the table's sort, words, filters, page) stay as they are.
    function pageUrl(s) {
      var p = new URLSearchParams(window.location.search);
      var drop = [];
      p.forEach(function (_v, k) { if (KEYS.indexOf(k) >= 0 || /^where\[/.test(k)) drop.push(k); });
      drop.forEach(function (k) { p.delete(k); });
      var own = viewQuery(s);
      var rest = p.toString();
      return window.location.pathname + '?' + own + (rest ? '&' + rest : '') + (cfg.embed ? '' : '#grafik');
    }

    function stateFromForm() {
      var fd = new window.FormData(form);
      var where = {};
      fd.forEach(function (v, k) {
        var m = /^where\[(.+)\]$/.exec(k);
        if (m && v !== '') where[m[1]] = String(v);
      });
      return {
        view: String(fd.get('view') || 'chart'),
        measure: fd.get('measure') ? String(fd.get('measure')) : null,
        fn: String(fd.get('fn') || 'sum'),
        group: String(fd.get('group')),
        series: fd.get('series') && fd.get('series') !== fd.get('group') ? String(fd.get('series')) : null,
        type: String(fd.get('type') || 'bar'),
        where: where,
      };
    }

    function stateToForm(s) {
      if (!form) return;
      KEYS.forEach(function (k) {
        var el = form.elements.namedItem(k);
        if (el) el.value = s[k] == null ? '' : s[k];
      });
      Array.prototype.forEach.call(form.querySelectorAll('[data-filter-column]'), function (sel) {
        var name = sel.getAttribute('data-filter-column');
        var v = s.where[name] || '';
        if (v && !Array.prototype.some.call(sel.options, function (o) { return o.value === v; })) sel.add(new window.Option(valueLabel(name, v), v));
        sel.value = v;
      });
      syncControls(s);
    }

    // Controls that do not apply are switched off, never hidden (their place stays put).
    function syncControls(s) {
      if (!form) return;
      var measure = form.elements.namedItem('measure');
      if (measure) measure.disabled = s.fn === 'count';
      var type = form.elements.namedItem('type');
      if (type) type.disabled = s.view !== 'chart';
      var series = form.elements.namedItem('series');
      if (series) series.disabled = s.view === 'map';
    }

    // ---- labels ------------------------------------------------------------------------------
    function valueLabel(col, v) {
      if (v === null || v === undefined || v === '') return words.noData || '—';
      var c = columns[col];
      if (c && c.role === 'region') {
        var table = (cfg.regions || {})[c.scheme] || {};
        var name = table[String(v).replace(/\./g, '')];
        if (name) return name;
      }
      return String(v);
    }
    function colLabel(name) { return columns[name] ? columns[name].label : name; }
    function unitOf(s) {
      if (s.fn === 'count') return words.rows;
      var m = columns[s.measure];
      return m && m.unit ? m.unit : '';
    }
    function valueTitle(s) {
      if (s.fn === 'count') { var c = words.fn.count || ''; return c.charAt(0).toUpperCase() + c.slice(1); }
      var u = unitOf(s);
      var label = colLabel(s.measure);
      // "Jumlah Penduduk (Jiwa)" already says its unit.
      return label + (u && label.toLowerCase().indexOf('(' + u.toLowerCase() + ')') < 0 ? ' (' + u + ')' : '');
    }
    function captionOf(s) {
      var head = s.fn === 'count'
        ? fill(words.captionCount, { group: colLabel(s.group) })
        : fill(words.caption, { fn: words.fn[s.fn], measure: colLabel(s.measure), group: colLabel(s.group) });
      if (s.series && s.view !== 'map') head += ' ' + fill(words.andBy, { series: colLabel(s.series) });
      var filters = Object.keys(s.where).map(function (k) { return colLabel(k) + ': ' + valueLabel(k, s.where[k]); });
      return head + (filters.length ? ' · ' + filters.join(' · ') : '');
    }
    function number(v) { return v === null || v === undefined ? (words.noData || '—') : fmt.format(v); }
    function withUnit(v, s) {
      if (v === null || v === undefined) return words.noData;
      var u = unitOf(s);
      return fmt.format(v) + (u ? ' ' + u : '');
    }

    // ---- data --------------------------------------------------------------------------------
    function aggregateUrl(s, groups, order) {
      var p = new URLSearchParams();
      p.set('group', groups.join(','));
      if (s.fn !== 'count' && s.measure) p.set('measure', s.measure);
      p.set('fn', s.fn);
      p.set('order', order);
      Object.keys(s.where).forEach(function (k) { p.set('filter[' + k + ']', s.where[k]); });
      return '/api/v1/datasets/' + encodeURIComponent(cfg.slug) + '/aggregate?' + p.toString();
    }
    function getJson(url) {
      return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      });
    }
    function isTime(name) { return columns[name] && columns[name].role === 'time'; }

    // Categories of a column in reading order: periods by their dates, regions and others as the API orders them.
    function orderedKeys(rows, col) {
      var seen = [];
      var index = {};
      rows.forEach(function (r) {
        var k = r[col] === null || r[col] === undefined ? '' : String(r[col]);
        if (!(k in index)) { index[k] = seen.length; seen.push(k); }
      });
      if (isTime(col) && window.SatuPeriods) {
        var dates = window.SatuPeriods.periodDates(seen.filter(Boolean));
        if (dates) {
          var at = {};
          seen.filter(Boolean).forEach(function (k, i) { at[k] = dates[i].t; });
          seen.sort(function (a, b) { return (at[a] === undefined ? Infinity : at[a]) - (at[b] === undefined ? Infinity : at[b]); });
        }
      }
      return seen;
    }

    // ---- drawing -----------------------------------------------------------------------------
    function setStatus(text) { if (status) status.textContent = text || ''; }

    function destroy() { if (chart) { chart.destroy(); chart = null; } }

    // A white page under the chart, so the PNG download is not transparent.
    var background = {
      id: 'satuBackground',
      beforeDraw: function (c) {
        var ctx = c.ctx;
        ctx.save();
        ctx.globalCompositeOperation = 'destination-over';
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(0, 0, c.width, c.height);
        ctx.restore();
      },
    };

    function renderTable(s, rows) {
      var table = document.createElement('table');
      table.className = 'builder-figures';
      var head = table.createTHead().insertRow();
      var cols = [s.group].concat(s.series && s.view !== 'map' ? [s.series] : []);
      cols.forEach(function (c) { var th = document.createElement('th'); th.scope = 'col'; th.textContent = colLabel(c); head.appendChild(th); });
      var th = document.createElement('th');
      th.scope = 'col';
      th.textContent = valueTitle(s);
      th.className = 'num';
      head.appendChild(th);
      var body = table.createTBody();
      rows.forEach(function (r) {
        var tr = body.insertRow();
        cols.forEach(function (c) { tr.insertCell().textContent = valueLabel(c, r[c]); });
        var td = tr.insertCell();
        td.className = 'num';
        td.textContent = number(r.value);
      });
      tableBox.replaceChildren(table);
    }

    function drawChart(s, rows) {
      var horizontalAllowed = !isTime(s.group);
      var xKeys = orderedKeys(rows, s.group);
      var seriesKeys = s.series ? orderedKeys(rows, s.series) : [''];
      var lookup = {};
      rows.forEach(function (r) {
        var k = (r[s.group] == null ? '' : String(r[s.group])) + '\u0000' + (s.series ? (r[s.series] == null ? '' : String(r[s.series])) : '');
        lookup[k] = r.value;
      });
      var dates = s.type === 'line' && isTime(s.group) && window.SatuPeriods ? window.SatuPeriods.periodDates(xKeys) : null;
      var labels = xKeys.map(function (k) { return valueLabel(s.group, k); });
      var byDate = {};
      if (dates) xKeys.forEach(function (k, i) { byDate[dates[i].t] = labels[i]; });
      var datasets = seriesKeys.map(function (sk, i) {
        var color = PALETTE[i % PALETTE.length];
        var data = xKeys.map(function (xk, j) {
          var v = lookup[xk + '\u0000' + sk];
          v = v === undefined ? null : v;
          return dates ? { x: dates[j].t, y: v } : v;
        });
        return { label: s.series ? valueLabel(s.series, sk) : valueTitle(s), data: data, backgroundColor: color, borderColor: color, tension: 0.15, spanGaps: true, pointRadius: 3 };
      });
      var horizontal = s.type !== 'line' && horizontalAllowed && xKeys.length > 8;
      var valueAxis = {
        beginAtZero: s.type !== 'line',
        stacked: s.type === 'stacked',
        title: { display: true, text: valueTitle(s) },
        ticks: { callback: function (v) { return fmt.format(v); } },
      };
      var categoryAxis = { stacked: s.type === 'stacked', title: { display: true, text: colLabel(s.group) }, ticks: { autoSkip: !horizontal } };
      if (dates) {
        // A linear time axis: each period at its date; ticks at the periods when few, else at whole years.
        var ts = dates.map(function (d) { return d.t; });
        var few = ts.length <= 8;
        categoryAxis = {
          type: 'linear',
          title: { display: true, text: colLabel(s.group) },
          min: Math.min.apply(null, ts) - (few ? 0.25 : 0),
          max: Math.max.apply(null, ts) + (few ? 0.25 : 0),
          afterBuildTicks: function (axis) {
            if (few) { axis.ticks = ts.map(function (t) { return { value: t }; }); return; }
            var out = [];
            for (var y = Math.ceil(axis.min); y <= Math.floor(axis.max); y++) out.push({ value: y });
            axis.ticks = out;
          },
          ticks: {
            autoSkip: true,
            maxRotation: 45,
            callback: function (v) { return byDate[v] !== undefined ? byDate[v] : Number.isInteger(v) ? String(v) : ''; },
          },
        };
      }
      destroy();
      chart = new window.Chart(canvas, {
        type: s.type === 'line' ? 'line' : 'bar',
        data: { labels: dates ? undefined : labels, datasets: datasets },
        plugins: [background],
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          indexAxis: horizontal ? 'y' : 'x',
          parsing: dates ? { xAxisKey: 'x', yAxisKey: 'y' } : undefined,
          plugins: {
            legend: { display: Boolean(s.series) },
            tooltip: {
              callbacks: {
                title: function (items) {
                  if (!items.length) return '';
                  return dates ? byDate[items[0].parsed.x] : items[0].label;
                },
                label: function (c) {
                  var v = horizontal ? c.parsed.x : c.parsed.y;
                  return (s.series ? c.dataset.label + ': ' : '') + withUnit(v, s);
                },
              },
            },
          },
          scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        },
      });
    }

    // GeoJSON winds outer rings anticlockwise (RFC 7946); d3-geo, under the map plugin, takes
    // them clockwise (else a ring means the whole globe but the region): turn them round once.
    function clockwise(ring) {
      var sum = 0;
      for (var i = 0; i < ring.length - 1; i++) sum += (ring[i + 1][0] - ring[i][0]) * (ring[i + 1][1] + ring[i][1]);
      return sum > 0;
    }
    function rewind(geo) {
      geo.features.forEach(function (f) {
        var g = f.geometry;
        var polygons = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
        polygons.forEach(function (rings) {
          if (rings.length && !clockwise(rings[0])) rings.forEach(function (r) { r.reverse(); });
        });
      });
      return geo;
    }
    function loadGeo() {
      if (!geoCache) geoCache = getJson(geoUrl).then(rewind);
      return geoCache;
    }

    function drawMap(s, rows) {
      var col = columns[s.group];
      var key = col && col.scheme === 'kemendagri' ? 'kode_kemendagri' : 'kode_bps';
      var values = {};
      rows.forEach(function (r) { if (r[s.group] != null) values[String(r[s.group]).replace(/\./g, '')] = r.value; });
      return loadGeo().then(function (geo) {
        var G = window.ChartGeo;
        if (!G) throw new Error('map plugin missing');
        window.Chart.register(G.ChoroplethController, G.GeoFeature, G.ColorScale, G.ProjectionScale);
        var features = geo.features;
        var shown = features.map(function (f) {
          var v = values[String(f.properties[key]).replace(/\./g, '')];
          return { feature: f, value: v === undefined ? null : v };
        });
        var nums = shown.map(function (d) { return d.value; }).filter(function (v) { return v !== null && isFinite(v); });
        var min = nums.length ? Math.min.apply(null, nums) : 0;
        var max = nums.length ? Math.max.apply(null, nums) : 1;
        var k = max > min ? CLASSES.length : 1;
        var step = (max - min) / k;
        var classOf = function (v) { return k === 1 ? CLASSES[CLASSES.length - 1] : CLASSES[Math.min(k - 1, Math.floor(v * k))]; };
        var nameOf = function (f) { return valueLabel(s.group, f.properties[key]) || f.properties.nama; };
        destroy();
        chart = new window.Chart(canvas, {
          type: 'choropleth',
          plugins: [background],
          data: {
            labels: features.map(nameOf),
            datasets: [{ label: valueTitle(s), outline: features, data: shown, borderColor: '#8797a8', borderWidth: 0.6 }],
          },
          options: {
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            showOutline: false,
            showGraticule: false,
            plugins: {
              legend: { display: false },
              tooltip: { callbacks: { label: function (c) { return nameOf(c.raw.feature) + ': ' + withUnit(c.raw.value, s); } } },
            },
            scales: {
              projection: { axis: 'x', projection: 'mercator' },
              color: { axis: 'x', display: false, min: min, max: max === min ? min + 1 : max, interpolate: classOf, missing: MISSING },
            },
          },
        });
        // The legend in words: each class's range with the unit, and the regions without data.
        var list = document.createElement('ul');
        list.setAttribute('aria-label', words.legend || '');
        // Class bounds to a precision that suits their width (no "467.532,8" for counts of people).
        var bound = new Intl.NumberFormat(lang, { maximumFractionDigits: step >= 10 ? 0 : step >= 1 ? 1 : 2 });
        var unit = unitOf(s);
        for (var i = 0; i < k; i++) {
          var lo = min + i * step;
          var hi = k === 1 ? max : min + (i + 1) * step;
          var text = k === 1 ? bound.format(lo) : bound.format(lo) + ' – ' + bound.format(hi);
          list.appendChild(swatch(CLASSES[k === 1 ? CLASSES.length - 1 : i], text + (unit ? ' ' + unit : '')));
        }
        if (shown.some(function (d) { return d.value === null; })) list.appendChild(swatch(MISSING, words.noData));
        legend.replaceChildren(list);
        legend.hidden = false;
      });
    }

    function swatch(color, text) {
      var li = document.createElement('li');
      var box = document.createElement('span');
      box.className = 'swatch';
      box.style.backgroundColor = color;
      li.appendChild(box);
      li.appendChild(document.createTextNode(text));
      return li;
    }

    function draw(s) {
      var mine = ++seq;
      syncControls(s);
      var mapView = s.view === 'map' && columns[s.group] && columns[s.group].role === 'region';
      var groups = [s.group].concat(s.series && !mapView ? [s.series] : []);
      var order = isTime(s.group) ? 'first' : columns[s.group] && columns[s.group].role === 'region' && !s.series ? '-value' : 'group';
      caption.textContent = captionOf(s);
      canvas.setAttribute('aria-label', captionOf(s));
      legend.hidden = true;
      if (credit) credit.hidden = !mapView;
      canvasBox.hidden = s.view === 'table';
      if (details && s.view === 'table') details.open = true;
      setStatus(s.view === 'map' && !mapView ? words.mapNeedsRegion : words.loading);
      updateShare(s);
      return getJson(aggregateUrl(s, groups, order))
        .then(function (body) {
          if (mine !== seq) return null;
          var rows = body.data || [];
          drawn = { state: s, rows: rows };
          renderTable(s, rows);
          if (!rows.length) { destroy(); setStatus(words.empty); return null; }
          setStatus(rows.length >= 1000 ? words.tooMany : '');
          if (s.view === 'table') { destroy(); return null; }
          if (mapView) return drawMap(s, rows);
          if (s.view === 'map') setStatus(words.mapNeedsRegion);
          drawChart(s, rows);
          return null;
        })
        .then(function () { if (mine === seq) root.setAttribute('data-drawn', viewQuery(s)); })
        .catch(function () { if (mine === seq) { destroy(); setStatus(words.error); } });
    }

    // ---- sharing and downloads ----------------------------------------------------------------
    function updateShare(s) {
      var url = cfg.embedBase + '?' + viewQuery(s);
      var code = root.querySelector('[data-embed-code]');
      if (code) code.value = '<iframe src="' + attr(url) + '" width="100%" height="480" style="border:0" loading="lazy" title="' + attr(cfg.title || cfg.slug) + '"></iframe>';
      var link = root.querySelector('[data-embed-link]');
      if (link) { link.href = url; link.textContent = url; }
    }

    function attr(t) { return String(t).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }

    function fileName(ext) { return cfg.slug + '-' + (drawn ? drawn.state.view + '-' + drawn.state.group : 'grafik') + '.' + ext; }

    function save(href, name) {
      var a = document.createElement('a');
      a.href = href;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
    }

    // Text cells that a spreadsheet would run as a formula are neutralised, as in the table downloads.
    function csvCell(v) {
      if (v === null || v === undefined) return '';
      if (typeof v === 'number') return String(v);
      var t = String(v);
      if (/^[=+\-@\t\r]/.test(t)) t = "'" + t;
      return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
    }

    function downloadCsv() {
      if (!drawn) return;
      var s = drawn.state;
      var cols = [s.group].concat(s.series && s.view !== 'map' ? [s.series] : []);
      var lines = [cols.map(colLabel).concat([valueTitle(s)]).map(csvCell).join(',')];
      drawn.rows.forEach(function (r) {
        lines.push(cols.map(function (c) { return csvCell(valueLabel(c, r[c])); }).concat([csvCell(r.value)]).join(','));
      });
      var url = window.URL.createObjectURL(new window.Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' }));
      save(url, fileName('csv'));
      setTimeout(function () { window.URL.revokeObjectURL(url); }, 10000);
    }

    function downloadPng() {
      if (!chart) return;
      save(chart.toBase64Image('image/png'), fileName('png'));
    }

    var png = root.querySelector('[data-download-png]');
    if (png) png.addEventListener('click', downloadPng);
    var csv = root.querySelector('[data-download-csv]');
    if (csv) csv.addEventListener('click', downloadCsv);
    var copy = root.querySelector('[data-copy-embed]');
    if (copy) {
      copy.addEventListener('click', function () {
        var code = root.querySelector('[data-embed-code]');
        var done = function () { var st = root.querySelector('[data-copy-status]'); if (st) st.textContent = words.copied; };
        code.select();
        if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(code.value).then(done, function () { document.execCommand('copy'); done(); });
        else { document.execCommand('copy'); done(); }
      });
    }

    // ---- filter menus: every value, from the API (the page drew only the most common ones) ----
    function fillFilters() {
      if (!form) return Promise.resolve();
      var selects = Array.prototype.slice.call(form.querySelectorAll('[data-filter-column]'));
      return selects.reduce(function (chain, sel) {
        return chain.then(function () {
          var name = sel.getAttribute('data-filter-column');
          var order = isTime(name) ? 'first' : 'group';
          return getJson('/api/v1/datasets/' + encodeURIComponent(cfg.slug) + '/aggregate?group=' + encodeURIComponent(name) + '&fn=count&order=' + order)
            .then(function (body) {
              var current = sel.value;
              var keys = orderedKeys(body.data || [], name).filter(function (k) { return k !== ''; });
              var opts = [sel.options[0]];
              keys.forEach(function (k) { opts.push(new window.Option(valueLabel(name, k), k)); });
              if (current && keys.indexOf(current) < 0) opts.push(new window.Option(valueLabel(name, current), current));
              sel.replaceChildren.apply(sel, opts);
              sel.value = current;
            })
            .catch(function () { /* the page's own values stay */ });
        });
      }, Promise.resolve());
    }

    // ---- wiring --------------------------------------------------------------------------------
    var state = stateFromSearch(window.location.search);
    if (form) {
      form.addEventListener('change', function (e) {
        state = stateFromForm();
        // A new grouping gets the chart that suits it, unless the reader picks the type too.
        if (e.target && e.target.name === 'group') {
          state.type = isTime(state.group) ? 'line' : 'bar';
          form.elements.namedItem('type').value = state.type;
          if (state.series === state.group) { state.series = null; form.elements.namedItem('series').value = ''; }
        }
        window.history.pushState({ chart: true }, '', pageUrl(state));
        draw(state);
      });
      form.addEventListener('submit', function (e) { e.preventDefault(); });
    }
    window.addEventListener('popstate', function () {
      state = stateFromSearch(window.location.search);
      stateToForm(state);
      draw(state);
    });
    stateToForm(state);
    // Every value of every filter costs a grouping of the whole table: asked only once the reader opens the filters.
    var filterBox = root.querySelector('[data-builder-filters]');
    var filled = null;
    var fillOnce = function () {
      // data-filled marks the menus complete (every value from the API), for readers' tools and tests.
      if (!filled) filled = fillFilters().then(function () { if (filterBox) filterBox.setAttribute('data-filled', 'yes'); });
      return filled;
    };
    var drawing = draw(state);
    if (filterBox) {
      if (filterBox.open) drawing.then(fillOnce);
      filterBox.addEventListener('toggle', function () { if (filterBox.open) fillOnce(); });
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('[data-chart-builder]'), init);
  });
})();
