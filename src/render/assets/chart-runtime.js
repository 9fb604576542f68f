/*
 * guardbench chart runtime: the chart.js plugins and option hooks that charts.ts's plain-JSON
 * configurations switch on. One source for both renderers: png.ts evaluates this file in Node and
 * html.ts inlines it into report.html, so a PNG and its interactive twin draw the same way.
 *
 * The file is a single function expression (no imports, exports or globals) that returns
 * { plugins, hydrate, fmt }. It touches only what chart.js hands it: the chart, its scales and the
 * canvas 2D context. Keep it plain ES2017 so any browser that runs chart.js 4 runs it.
 */
(function guardbenchChartRuntime() {
  'use strict';

  /* A number for a label: about 3 significant digits, thousands separated (as summary.ts does). */
  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return '';
    var abs = Math.abs(v);
    var digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
    return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  /* Paint the whole canvas white first: a PNG would otherwise be transparent (black in some viewers). */
  var background = {
    id: 'guardbenchBackground',
    beforeDraw: function (chart, _args, opts) {
      if (!opts || !opts.color) return;
      var ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = opts.color;
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };

  /*
   * p99 whiskers: dataset.whiskers[i] = [median, p99] draws a capped line from the median to the p99.
   * On a bar the whisker is dark; on line charts, where several series share an x, each whisker takes
   * its series' colour and is nudged sideways so they do not hide one another.
   */
  var whiskers = {
    id: 'guardbenchWhiskers',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      var lines = [];
      chart.data.datasets.forEach(function (ds, i) {
        if (ds.whiskers && chart.isDatasetVisible(i) && chart.getDatasetMeta(i).type === 'line') lines.push(i);
      });
      chart.data.datasets.forEach(function (ds, i) {
        if (!ds.whiskers || !chart.isDatasetVisible(i)) return;
        var meta = chart.getDatasetMeta(i);
        var scale = chart.scales[meta.yAxisID];
        if (!scale) return;
        var isLine = meta.type === 'line';
        var nudge = isLine ? (lines.indexOf(i) - (lines.length - 1) / 2) * 7 : 0;
        meta.data.forEach(function (el, j) {
          var w = ds.whiskers[j];
          if (!w || !el || el.skip) return;
          var lo = scale.getPixelForValue(w[0]);
          var hi = scale.getPixelForValue(w[1]);
          if (!isFinite(lo) || !isFinite(hi)) return;
          var x = el.x + nudge;
          var cap = isLine ? 4 : Math.max(4, Math.min(10, (el.width || 16) * 0.3));
          ctx.save();
          ctx.strokeStyle = isLine && typeof ds.borderColor === 'string' ? ds.borderColor : '#222222';
          ctx.lineWidth = isLine ? 2 : 1.5;
          ctx.beginPath();
          ctx.moveTo(x, lo);
          ctx.lineTo(x, hi);
          ctx.moveTo(x - cap, hi);
          ctx.lineTo(x + cap, hi);
          ctx.stroke();
          ctx.restore();
        });
      });
    },
  };

  /*
   * Value labels on bars, so a zero (no VMAs added) reads as "0" rather than as a missing bar, and
   * on line points that carry dataset.pointLabels.
   */
  var labels = {
    id: 'guardbenchLabels',
    afterDatasetsDraw: function (chart, _args, opts) {
      if (!opts || !opts.display) return;
      var ctx = chart.ctx;
      var family = chart.options.font && chart.options.font.family ? chart.options.font.family : 'sans-serif';
      ctx.save();
      ctx.fillStyle = '#111111';
      ctx.textAlign = 'center';
      ctx.font = 'bold 12px ' + family;
      chart.data.datasets.forEach(function (ds, i) {
        if (!chart.isDatasetVisible(i)) return;
        var meta = chart.getDatasetMeta(i);
        meta.data.forEach(function (el, j) {
          if (!el || el.skip) return;
          if (meta.type === 'bar') {
            var v = ds.data[j];
            if (v === null || v === undefined) return;
            // Above a bar that rises from the axis; inside the end of one that hangs under zero (below
            // it would collide with the axis labels). Where bars are too narrow for the text, a
            // smaller font, else no label: the tables carry every figure.
            var label = fmt(v);
            var room = (el.width || 0) + 6;
            ctx.font = 'bold 12px ' + family;
            if (ctx.measureText(label).width > room) ctx.font = 'bold 10px ' + family;
            if (ctx.measureText(label).width > room) return;
            var top = Math.min(el.y, el.base);
            var bottom = Math.max(el.y, el.base);
            if (v < 0 && bottom - top > 18) {
              ctx.fillStyle = '#ffffff';
              ctx.textBaseline = 'bottom';
              ctx.fillText(label, el.x, bottom - 3);
              ctx.fillStyle = '#111111';
            } else {
              ctx.textBaseline = v < 0 ? 'top' : 'bottom';
              ctx.fillText(label, el.x, v < 0 ? bottom + 3 : Math.max(top - 3, chart.chartArea.top + 12));
            }
          } else if (ds.pointLabels && ds.pointLabels[j]) {
            // Line points carry their own text (value and ratio): beside the point, clear of its
            // whisker, on the side facing the middle of the chart so it never runs off the edge.
            ctx.font = 'bold 12px ' + family;
            var right = el.x < (chart.chartArea.left + chart.chartArea.right) / 2;
            ctx.textAlign = right ? 'left' : 'right';
            ctx.textBaseline = 'bottom';
            ctx.fillText(ds.pointLabels[j], el.x + (right ? 8 : -8), el.y - 6);
            ctx.textAlign = 'center';
          }
        });
      });
      ctx.restore();
    },
  };

  /* On a log axis show only 1, 2 and 5 times a power of ten; the default crowds the axis. */
  function logTick(value) {
    var m = value / Math.pow(10, Math.floor(Math.log10(value) + 1e-9));
    var r = Math.round(m * 100) / 100;
    return r === 1 || r === 2 || r === 5 ? fmt(value) : '';
  }

  function tooltipLabel(item) {
    var ds = item.dataset;
    var y = item.parsed && item.parsed.y;
    var text = (ds.label || '') + ': ' + fmt(y) + (ds.unit ? ' ' + ds.unit : '');
    var w = ds.whiskers && ds.whiskers[item.dataIndex];
    if (w) text += ', p99 ' + fmt(w[1]);
    var r = ds.rme && ds.rme[item.dataIndex];
    if (r !== null && r !== undefined) text += ', ±' + r.toFixed(1) + '%';
    return text;
  }

  /* Turn the JSON markers charts.ts leaves in a configuration into chart.js callbacks. */
  function hydrate(config) {
    var options = config.options || (config.options = {});
    var scales = options.scales || {};
    Object.keys(scales).forEach(function (id) {
      var scale = scales[id];
      scale.ticks = scale.ticks || {};
      if (scale.guardbenchTicks) {
        var values = scale.guardbenchTicks.slice();
        scale.afterBuildTicks = function (axis) {
          axis.ticks = values.map(function (v) { return { value: v }; });
        };
        scale.ticks.callback = function (v) { return fmt(v); };
        scale.ticks.autoSkip = false;
      } else if (scale.type === 'logarithmic') {
        scale.ticks.callback = logTick;
      } else if (scale.type === 'linear') {
        scale.ticks.callback = function (v) { return fmt(v); };
      }
    });
    var plugins = options.plugins || (options.plugins = {});
    var tooltip = plugins.tooltip || (plugins.tooltip = {});
    tooltip.callbacks = tooltip.callbacks || {};
    tooltip.callbacks.label = tooltipLabel;
    return config;
  }

  return { plugins: [background, whiskers, labels], hydrate: hydrate, fmt: fmt };
})
