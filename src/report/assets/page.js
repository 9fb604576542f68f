/*
 * report.html's page: builds the report from the JSON data block with createElement and textContent
 * only (never innerHTML), so no string from a run is ever parsed as HTML. The headline table comes
 * first; every section after it folds (a <details>), each with a summary worth reading folded, and
 * only the claims start open. Charts are the same chart.js configurations as the PNGs, made
 * interactive (tooltips, legend toggles), drawn when their section first opens (a folded canvas has
 * no size to draw at). The raw rows table sorts by any column on a click of its header.
 *
 * Inlined by html.ts after chart.js and the chart runtime (`guardbenchChartRuntime`). Plain ES2017.
 */
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('guardbench-data').textContent);
  var model = data.model;
  var runtime = guardbenchChartRuntime();
  Chart.register.apply(Chart, runtime.plugins);

  /* el('p', { class: 'x' }, ['text', child]): text children become text nodes. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'class') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  var NOISE = '\u26a0';

  /* A figure cell's parts ("5,881 ±15.3%", "p99 17,818") each stay on one line; a narrow column breaks between them. */
  function cellNode(tag, c) {
    var parts = c.text.split(' \u00b7 ');
    var kids = [];
    parts.forEach(function (p, i) {
      if (i > 0) kids.push(' \u00b7 ');
      // The noise mark stays on the line of the part it ends.
      var last = i === parts.length - 1 && c.warn ? el('span', { class: 'mark', 'aria-label': 'noisy' }, [' ' + NOISE]) : null;
      kids.push(el('span', { class: 'part' }, [p, last]));
    });
    var attrs = {};
    var classes = [c.warn ? 'noisy' : '', c.tone || '', c.note ? 'has-note' : ''].filter(Boolean);
    if (classes.length) attrs['class'] = classes.join(' ');
    // A closer look: the noise, what was measured under a counter's resolution, the question a headline answers.
    var title = [c.note || '', c.warn ? 'noisy: ' + c.warn : ''].filter(Boolean).join('; ');
    if (title) attrs.title = title;
    return el(tag, attrs, kids);
  }

  /*
   * The headline table names each workload in its first column; on a phone that column gives way to
   * a row of its own above the workload's figures (CSS picks which shows), so the figure column and
   * prot-none's fit beside each other on the first screen.
   */
  function groupRow(t, label) {
    return el('tr', { class: 'group' }, [el('th', { colspan: String(t.header.length - 1), scope: 'rowgroup' }, [el('span', {}, [label])])]);
  }

  function tableNode(t, cls) {
    var head = el('tr', {}, t.header.map(function (h) { return el('th', { scope: 'col' }, [h]); }));
    var body = [];
    t.rows.forEach(function (r) {
      if (cls === 'headline' && r[0].text) body.push(groupRow(t, r[0].text));
      body.push(el('tr', {}, r.map(function (c, i) {
        return cellNode(i < t.labelColumns ? 'th' : 'td', c);
      })));
    });
    var table = el('table', { class: 'figures' + (cls ? ' ' + cls : '') }, [el('caption', {}, [t.caption]), el('thead', {}, [head]), el('tbody', {}, body)]);
    var notes = [];
    var labels = [];
    t.rows.forEach(function (r) {
      // A blank label cell (the headline table names a workload once) stands for the row's above.
      labels = r.slice(0, t.labelColumns).map(function (x, i) { return x.text || labels[i] || ''; });
      r.forEach(function (c, i) {
        if (c.warn) notes.push(labels.filter(Boolean).concat([t.header[i]]).join(', ') + ': ' + c.warn);
      });
    });
    var wrap = el('div', { class: 'table-wrap' }, [table]);
    // A few reasons read in a line; more fold away (each cell also shows its own on hover).
    if (notes.length > 0 && notes.length <= 2) wrap.appendChild(el('p', { class: 'noise-notes' }, [NOISE + ' ' + notes.join(' \u00b7 ')]));
    if (notes.length > 2) {
      wrap.appendChild(el('details', { class: 'noise-notes' }, [el('summary', {}, [NOISE + ' ' + notes.length + ' noisy figures: why']),
        el('ul', {}, notes.map(function (n) { return el('li', {}, [n]); }))]));
    }
    if (!t.bulky) return wrap;
    return el('details', {}, [el('summary', {}, [t.caption + ' (' + t.rows.length + ' rows)']), wrap]);
  }

  var charts = {};
  data.charts.forEach(function (c) { charts[c.id] = c; });

  function chartNode(ref) {
    var spec = charts[ref.id];
    var canvas = el('canvas', { id: 'chart-' + ref.id, role: 'img', 'aria-label': ref.alt });
    var box = el('div', { class: 'chart' }, [canvas]);
    var config = runtime.hydrate(JSON.parse(JSON.stringify(spec.config)));
    return { node: el('figure', {}, [box, el('figcaption', {}, [ref.alt + ' (PNG: ' + ref.file + ')'])]), draw: function () { new Chart(canvas, config); } };
  }

  /*
   * A section after the headline: a <details> whose summary holds the heading and a few words that
   * are worth reading folded. `draws` run the first time it opens.
   */
  function foldedSection(id, heading, gist, kids, open, draws) {
    var summary = el('summary', {}, [el('h2', {}, [heading]), gist ? el('span', { class: 'gist' }, [gist]) : null]);
    var details = el('details', { class: 'section', id: id }, [summary].concat(kids));
    var drawn = false;
    function drawOnce() {
      if (drawn || !details.open) return;
      drawn = true;
      (draws || []).forEach(function (draw) { draw(); });
    }
    details.addEventListener('toggle', drawOnce);
    if (open) {
      details.open = true;
      pending.push(drawOnce);
    }
    return details;
  }
  var pending = [];

  // Symbols from ordinary text fonts: a browser without an emoji font would draw emoji as boxes.
  var VERDICT = { confirms: '\u2713 confirms', weakens: '\u25d0 weakens', contradicts: '\u2717 contradicts', inconclusive: '? inconclusive', 'not measured': '\u2014 not measured' };

  function claimsSection() {
    var rows = model.claims.map(function (c) {
      return el('tr', {}, [
        el('td', {}, [c.claim]),
        el('td', {}, c.measured.map(function (m) { return el('div', {}, [m]); })),
        el('td', { class: 'num' }, [c.ratio]),
        el('td', {}, [el('span', { class: 'verdict ' + c.verdict.replace(/ /g, '-') }, [VERDICT[c.verdict] || c.verdict])]),
      ]);
    });
    var table = el('table', { class: 'claims' }, [
      el('thead', {}, [el('tr', {}, ['claim (guard pages cover letter, Oct 2024)', 'measured here', 'ratio', 'verdict'].map(function (h) { return el('th', { scope: 'col' }, [h]); }))]),
      el('tbody', {}, rows),
    ]);
    var why = el('ol', { class: 'why' }, model.claims.map(function (c) {
      return el('li', {}, [el('strong', {}, [(VERDICT[c.verdict] || c.verdict) + '. ']), c.why]);
    }));
    var notes = el('blockquote', {}, model.callPrice.map(function (n) { return el('p', {}, [n]); }));
    var gist = model.claims.map(function (c) { return VERDICT[c.verdict] || c.verdict; }).join(' \u00b7 ');
    return foldedSection('claims', "The series' claims, on this machine", gist, [el('div', { class: 'table-wrap' }, [table]), why, notes], true);
  }

  function verifySection() {
    var kids = [];
    var failed = model.verify.filter(function (v) { return !v.ok; }).length;
    var gist = !model.verify.length ? 'no checks in this run'
      : failed ? failed + ' of ' + model.verify.length + ' checks failed' : 'all ' + model.verify.length + ' checks passed';
    if (model.verifyScope) kids.push(el('p', { class: 'hint' }, ['Checked ' + model.verifyScope + '.']));
    if (!model.verify.length) kids.push(el('p', {}, ['This run has no verify results (guardbench verify runs the checks).']));
    else {
      kids.push(el('div', { class: 'table-wrap' }, [el('table', { class: 'verify' }, [
        el('thead', {}, [el('tr', {}, ['check', 'result', 'detail'].map(function (h) { return el('th', { scope: 'col' }, [h]); }))]),
        el('tbody', {}, model.verify.map(function (v) {
          return el('tr', {}, [el('td', { class: 'check' }, [v.check]), el('td', { class: v.ok ? 'ok' : 'bad' }, [v.ok ? '\u2713 ok' : '\u2717 failed']), el('td', {}, [v.detail])]);
        })),
      ])]));
    }
    return foldedSection('verify', 'Guard semantics (verify)', gist, kids, failed > 0);
  }

  function workloadSection(w) {
    var kids = [];
    var draws = [];
    if (w.constants) kids.push(el('p', { class: 'constants' }, [w.constants]));
    w.sentences.forEach(function (c) { kids.push(el('p', { class: 'remark' }, [c.text])); });
    w.charts.forEach(function (c) {
      var chart = chartNode(c);
      kids.push(chart.node);
      draws.push(chart.draw);
    });
    w.tables.forEach(function (t) { kids.push(tableNode(t)); });
    if (w.notes.length) {
      kids.push(el('details', {}, [el('summary', {}, ['Notes the run recorded (' + w.notes.length + ')']),
        el('ul', {}, w.notes.map(function (n) { return el('li', {}, [n]); }))]));
    }
    var gist = w.description || (w.charts.length + (w.charts.length === 1 ? ' chart, ' : ' charts, ') + w.tables.length + (w.tables.length === 1 ? ' table' : ' tables'));
    return foldedSection('workload-' + w.name.replace(/[^A-Za-z0-9-]/g, '-'), w.name, gist, kids, false, draws);
  }

  function envSection() {
    var dl = el('dl', { class: 'env' }, []);
    model.env.forEach(function (f) {
      dl.appendChild(el('dt', {}, [f.label]));
      // A long value (the kernel command line) folds: its first words in the summary, all of it on a click.
      dl.appendChild(el('dd', {}, [f.folded ? el('details', { class: 'fact' }, [el('summary', {}, [f.value.slice(0, 60) + (f.value.length > 60 ? '\u2026' : '')]),
        el('p', {}, [f.value])]) : f.value]));
    });
    var features = el('ul', { class: 'features' }, model.features.map(function (f) {
      return el('li', { class: f.value === 'yes' ? 'yes' : 'no' }, [(f.value === 'yes' ? '\u2713 ' : '\u2717 ') + f.label + (f.value === 'yes' ? '' : ': ' + f.value)]);
    }));
    var missing = model.features.filter(function (f) { return f.value !== 'yes'; }).length;
    var gist = missing ? missing + ' kernel features missing' : 'every kernel feature present';
    return foldedSection('environment', 'Environment', gist, [dl, el('h3', {}, ['Kernel features']), features]);
  }

  function censusSection() {
    var c = model.census;
    if (!c) return null;
    return foldedSection('census', 'Census of this system', c.headline || '', [el('pre', { class: 'census' }, [c.markdown])]);
  }

  /* The raw rows, one per measured quantity, sortable by any column. */
  function rowsSection() {
    var columns = [
      { name: 'workload', get: function (r) { return r.workload; } },
      { name: 'strategy', get: function (r) { return r.strategy; } },
      { name: 'params', wrap: true, get: function (r) { return Object.keys(r.params).map(function (k) { return k + '=' + r.params[k]; }).join(' '); } },
      { name: 'metric', get: function (r) { return r.metric; } },
      { name: 'unit', get: function (r) { return r.unit; } },
      { name: 'value', get: function (r) { return r.value; } },
      { name: 'p99', get: function (r) { return r.stats ? r.stats.p99 : null; } },
      { name: 'rme %', get: function (r) { return r.stats ? r.stats.rme : null; } },
      { name: 'samples', get: function (r) { return r.stats ? r.stats.samples : null; } },
      { name: 'status', get: function (r) { return r.status; } },
      { name: 'reason', wrap: true, get: function (r) { return r.reason || ''; } },
    ];
    var tbody = el('tbody', {}, []);
    var entries = data.rows.map(function (r, i) {
      var values = columns.map(function (c) { return c.get(r); });
      var tr = el('tr', {}, values.map(function (v, j) {
        var num = typeof v === 'number';
        var cls = num ? 'num' : columns[j].wrap ? 'wrap' : '';
        return el('td', cls ? { class: cls } : {}, [v === null ? '' : num ? runtime.fmt(v) : String(v)]);
      }));
      return { values: values, tr: tr, index: i };
    });
    var state = { column: -1, dir: 1 };
    var headers = columns.map(function (c, i) {
      var button = el('button', { type: 'button' }, [c.name]);
      var th = el('th', { scope: 'col', 'aria-sort': 'none' }, [button]);
      button.addEventListener('click', function () { sortBy(i); });
      return th;
    });
    function compare(a, b) {
      if (a === b) return 0;
      if (a === null || a === '') return 1;
      if (b === null || b === '') return -1;
      if (typeof a === 'number' && typeof b === 'number') return a - b;
      return String(a).localeCompare(String(b), undefined, { numeric: true });
    }
    function sortBy(i) {
      state.dir = state.column === i ? -state.dir : 1;
      state.column = i;
      entries.sort(function (x, y) { return state.dir * compare(x.values[i], y.values[i]) || x.index - y.index; });
      headers.forEach(function (h, j) { h.setAttribute('aria-sort', j === i ? (state.dir > 0 ? 'ascending' : 'descending') : 'none'); });
      render();
    }
    function render() {
      while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
      entries.forEach(function (e) { tbody.appendChild(e.tr); });
    }
    render();
    var table = el('table', { class: 'rows', id: 'raw-rows' }, [el('thead', {}, [el('tr', {}, headers)]), tbody]);
    return foldedSection('rows', 'All rows (' + data.rows.length + ')', 'sortable: click a column header',
      [el('p', { class: 'hint' }, ['Click a column header to sort; click again to reverse.']), el('div', { class: 'table-wrap' }, [table])]);
  }

  var main = document.getElementById('report');
  document.title = model.title;
  main.appendChild(el('header', {}, [el('h1', {}, [model.title]), el('p', { class: 'about' }, [model.about]), el('p', { class: 'envline' }, [model.envLine])]));
  if (model.incomplete) main.appendChild(el('p', { class: 'banner warn' }, [NOISE + ' ' + model.incomplete]));
  if (model.problems.length) {
    main.appendChild(el('div', { class: 'banner bad' }, [el('strong', {}, [model.problems.length + (model.problems.length === 1 ? ' measurement' : ' measurements') + ' failed']),
      el('ul', {}, model.problems.map(function (p) { return el('li', {}, [p]); }))]));
  }
  if (model.headline) main.appendChild(el('section', { id: 'headline' }, [el('h2', {}, ['At a glance']), tableNode(model.headline, 'headline')]));
  main.appendChild(claimsSection());
  main.appendChild(verifySection());
  model.workloads.forEach(function (w) { main.appendChild(workloadSection(w)); });
  var census = censusSection();
  if (census) main.appendChild(census);
  main.appendChild(envSection());
  main.appendChild(rowsSection());
  main.appendChild(el('footer', {}, [el('p', {}, [NOISE + ' ' + model.noiseRule + '. Rendered by guardbench from run.json alone.'])]));
  pending.forEach(function (draw) { draw(); });
})();
