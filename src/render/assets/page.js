/*
 * The page script of compare.html and history.html. It reads the page's data from the JSON block
 * (#guardbench-page) and builds the DOM with textContent only, so no string from a run is parsed as
 * HTML; charts are drawn by chart.js with the report's chart runtime, both inlined before this.
 * Plain ES2017, no imports: page.ts inlines it as text.
 */
(function () {
  'use strict';
  var page = JSON.parse(document.getElementById('guardbench-page').textContent);
  var runtime = guardbenchChartRuntime();
  Chart.register.apply(Chart, runtime.plugins);
  var root = document.getElementById('page');

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  root.appendChild(el('h1', page.title));
  page.lead.forEach(function (line) { root.appendChild(el('p', line, 'lead')); });
  page.warnings.forEach(function (line) { root.appendChild(el('div', line, 'banner warn')); });

  function table(t) {
    var wrap = el('div', null, 'table-wrap');
    var tbl = el('table');
    var head = el('thead');
    var hr = el('tr');
    t.header.forEach(function (h) { hr.appendChild(el('th', h)); });
    head.appendChild(hr);
    tbl.appendChild(head);
    var body = el('tbody');
    t.rows.forEach(function (r, i) {
      var tr = el('tr');
      if (t.rowClass && t.rowClass[i]) tr.className = t.rowClass[i];
      if (t.rowTitle && t.rowTitle[i]) tr.title = t.rowTitle[i];
      r.forEach(function (c, j) { tr.appendChild(el('td', c, t.numeric && t.numeric[j] ? 'num' : undefined)); });
      body.appendChild(tr);
    });
    tbl.appendChild(body);
    wrap.appendChild(tbl);
    return wrap;
  }

  page.tables.forEach(function (t) {
    if (t.open) {
      root.appendChild(el('h2', t.title));
      root.appendChild(table(t));
    } else {
      var details = el('details');
      details.appendChild(el('summary', t.title));
      details.appendChild(table(t));
      root.appendChild(details);
    }
  });

  if (page.charts.length > 0) root.appendChild(el('h2', page.chartsTitle));
  page.charts.forEach(function (spec) {
    var figure = el('figure');
    var box = el('div', null, 'chart');
    var canvas = el('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', spec.alt);
    box.appendChild(canvas);
    figure.appendChild(box);
    figure.appendChild(el('figcaption', spec.alt));
    root.appendChild(figure);
    new Chart(canvas, runtime.hydrate(JSON.parse(JSON.stringify(spec.config))));
  });

  page.notes.forEach(function (line) { root.appendChild(el('p', line, 'note')); });
})();
