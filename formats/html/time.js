// profkit HTML report: the time view. Loaded before report.js, which calls
// profkitTimeView(R) with its helpers when the main view carries samples or
// events with times (formats/html.c, time_json): a strip over the whole run
// on which a dragged range filters every view to that window, and a flame
// chart per thread.
// Names stay text here too: canvas fillText and textContent only.
window.profkitTimeView = function (R) {
  'use strict';
  var base = R.data.views[0], T = base.time, $ = R.$, el = R.el;
  var sites = T.sites, nsites = sites.parent.length, ROW = 16;

  // ---- samples: per thread, (site, time in µs from the start, value) ----

  function decode(text, n) {
    var V = R.varints(text), site = new Int32Array(n), t = new Float64Array(n), w = new Float64Array(n);
    for (var i = 0, at = 0; i < n; i++) {
      site[i] = V.u(); at += V.s(); t[i] = at; w[i] = V.s();
    }
    return { site: site, t: t, w: w };
  }
  // in time order (a source may interleave), equal times kept in file order
  function sortByTime(s, n) {
    for (var i = 1; i < n; i++) if (s.t[i] < s.t[i - 1]) break;
    if (i >= n) return s;
    var order = Array.from({ length: n }, function (_, k) { return k; });
    order.sort(function (x, y) { return s.t[x] - s.t[y] || x - y; });
    return {
      site: Int32Array.from(order, function (k) { return s.site[k]; }),
      t: Float64Array.from(order, function (k) { return s.t[k]; }),
      w: Float64Array.from(order, function (k) { return s.w[k]; })
    };
  }
  // Spans: site, start and end in ns from the start (exact integers).
  function decodeSpans(text, n) {
    var v = decode(text, n), end = new Float64Array(n);
    for (var i = 0; i < n; i++) end[i] = v.t[i] + v.w[i]; // w: the duration
    return { site: v.site, start: v.t, end: end, n: n };
  }
  var threads = T.threads.map(function (th) {
    var s = sortByTime(decode(th.data, th.n), th.n);
    s.name = th.name || ('thread ' + th.tid); s.n = th.n;
    s.spans = decodeSpans(th.spans, th.nspans);
    return s;
  });
  // Sites some span is at: a span's clipped time leaves its parent's self
  // when the parent is a span too (lib/timeline.c, pk_timeline_window).
  var spanSite = new Uint8Array(nsites);
  threads.forEach(function (th) { for (var i = 0; i < th.spans.n; i++) spanSite[th.spans.site[i]] = 1; });
  var names = { func: base.frames.func, merged: base.frames.merged, funcs: base.funcs }; // for frameName
  var duration = Math.max(1, T.duration_us);

  function fmtTime(us) {
    var a = Math.abs(us);
    if (!us) return '0 s';
    if (a >= 1e6) return (us / 1e6).toFixed(a >= 1e8 ? 1 : 3) + ' s';
    if (a >= 1e3) return (us / 1e3).toFixed(a >= 1e5 ? 1 : 2) + ' ms';
    return us.toFixed(0) + ' \u00b5s';
  }

  // ---- a window's view: the main view's frames, table and lines summed
  // from the samples in [a, b) (µs from the start) ----

  // Each site's value in the window, and its calls: the spans the window
  // overlaps (one of no duration where it happened), as pconv --time counts.
  function siteValues(a, b) {
    var sw = new Float64Array(nsites), calls = new Float64Array(nsites), aNs = a * 1000, bNs = b * 1000;
    threads.forEach(function (th) {
      for (var i = 0; i < th.n; i++) {
        var t = th.t[i];
        if (t >= a && t < b) sw[th.site[i]] += th.w[i];
      }
      var S = th.spans;
      for (var k = 0; k < S.n; k++) {
        var d = Math.min(S.end[k], bNs) - Math.max(S.start[k], aNs), s = S.site[k], up = sites.parent[s];
        if (S.start[k] === S.end[k] && S.start[k] >= aNs && S.start[k] < bNs) calls[s]++;
        if (d <= 0) continue;
        calls[s]++;
        sw[s] += d;
        if (up >= 0 && spanSite[up]) sw[up] -= d;
      }
    });
    return { w: sw, calls: calls };
  }
  function windowFrames(sw) {
    var F = base.frames, n = F.parent.length, self = new Float64Array(n);
    for (var s = 0; s < nsites; s++) if (sw[s] && sites.frame[s] >= 0) self[sites.frame[s]] += sw[s];
    var value = Float64Array.from(self);
    for (var i = n - 1; i > 0; i--) value[F.parent[i]] += value[i]; // parents come first
    return { parent: F.parent, func: F.func, value: value, self: self, merged: F.merged };
  }
  function windowView(a, b) {
    var sv = siteValues(a, b), sw = sv.w, frames = windowFrames(sw), v = Object.assign({}, base);
    v.frames = frames; v.table = R.siteTable(sites.parent, sites.func, sw, sv.calls, base.funcs.name.length);
    v.lines = R.siteLines(sites.parent, sw, sites.line, base.lines);
    v.total = frames.value[0]; v.window = [a, b];
    return v;
  }

  var win = null; // [a, b) µs, or null for the whole run
  function setWindow(a, b) {
    if (a === null || (a <= 0 && b >= duration + 1)) { win = null; R.showView(base); }
    else { win = [Math.max(0, a), Math.min(duration + 1, b)]; R.showView(windowView(win[0], win[1])); }
    if (win) chart.show(win[0], win[1]);
    renderStrip();
    renderWindowInfo();
  }

  // ---- the strip: value per pixel over the whole run; drag for a window ----

  var strip = $('time-strip'), stripCanvas = strip.appendChild(el('canvas'));
  var STRIP_H = 54, drag = null;
  function stripX(t) { return t / duration * (strip.clientWidth || 1000); }
  function stripT(x) { return Math.max(0, Math.min(duration, x / (strip.clientWidth || 1000) * duration)); }
  function renderStrip() {
    var W = Math.max(300, strip.clientWidth || 1000), dpr = window.devicePixelRatio || 1, c = stripCanvas;
    c.width = Math.round(W * dpr); c.height = Math.round(STRIP_H * dpr);
    c.style.width = W + 'px'; c.style.height = STRIP_H + 'px';
    var ctx = c.getContext('2d'), bins = new Float64Array(W), max = 0;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0); ctx.clearRect(0, 0, W, STRIP_H);
    threads.forEach(function (th) {
      for (var i = 0; i < th.n; i++) bins[Math.min(W - 1, Math.floor(th.t[i] / duration * W))] += th.w[i];
      var S = th.spans; // the outermost spans' time, spread over their pixels
      for (var k = 0; k < S.n; k++) {
        var up = sites.parent[S.site[k]];
        if (up >= 0 && spanSite[up]) continue;
        var x0 = S.start[k] / 1000 / duration * W, x1 = S.end[k] / 1000 / duration * W;
        for (var x = Math.floor(x0); x < x1 && x < W; x++) bins[x] += Math.min(x + 1, x1) - Math.max(x, x0);
      }
    });
    for (var x = 0; x < W; x++) max = Math.max(max, bins[x]);
    ctx.fillStyle = '#ee9a55';
    for (x = 0; x < W; x++) if (bins[x]) {
      var h = Math.max(1, bins[x] / (max || 1) * (STRIP_H - 14));
      ctx.fillRect(x, STRIP_H - 12 - h, 1, h);
    }
    ctx.fillStyle = '#6a717b'; ctx.font = '10px system-ui, "DejaVu Sans", sans-serif'; ctx.textBaseline = 'bottom';
    for (var k = 0; k <= 4; k++) {
      ctx.textAlign = k === 0 ? 'left' : k === 4 ? 'right' : 'center';
      ctx.fillText(fmtTime(duration * k / 4), W * k / 4, STRIP_H);
    }
    var sel = drag ? [Math.min(drag.a, drag.b), Math.max(drag.a, drag.b)] : win;
    if (sel) {
      ctx.fillStyle = 'rgba(29,78,216,0.16)';
      ctx.fillRect(stripX(sel[0]), 0, Math.max(1, stripX(sel[1]) - stripX(sel[0])), STRIP_H - 12);
      ctx.fillStyle = 'rgba(29,78,216,0.8)';
      ctx.fillRect(stripX(sel[0]), 0, 1, STRIP_H - 12);
      ctx.fillRect(stripX(sel[1]) - 1, 0, 1, STRIP_H - 12);
    }
    strip.setAttribute('data-drawn', '1');
  }
  function stripPos(e) { return e.clientX - stripCanvas.getBoundingClientRect().left; }
  stripCanvas.addEventListener('mousedown', function (e) {
    drag = { a: stripT(stripPos(e)), b: stripT(stripPos(e)), x: stripPos(e) };
    e.preventDefault();
  });
  window.addEventListener('mousemove', function (e) {
    if (!drag) return;
    drag.b = stripT(stripPos(e)); renderStrip();
  });
  window.addEventListener('mouseup', function (e) {
    if (!drag) return;
    var d = drag, moved = Math.abs(stripPos(e) - d.x) > 3;
    drag = null;
    if (moved) setWindow(Math.floor(Math.min(d.a, d.b)), Math.ceil(Math.max(d.a, d.b)));
    else renderStrip();
  });
  stripCanvas.addEventListener('mousemove', function (e) {
    if (drag) return;
    var t = stripT(stripPos(e)), d = el('div');
    d.appendChild(el('div', 'name', fmtTime(t) + ' from the start'));
    d.appendChild(el('div', 'file', 'drag to keep a time window in every view'));
    R.showTip(e, d);
  });
  stripCanvas.addEventListener('mouseleave', R.hideTip);
  $('time-clear').addEventListener('click', function () { setWindow(null); });
  function renderWindowInfo() {
    var info = $('time-info'), total = win ? R.state.view.total : base.total;
    $('time-clear').disabled = !win;
    info.textContent = win
      ? 'Window ' + fmtTime(win[0]) + ' \u2013 ' + fmtTime(win[1]) + ' (' + fmtTime(win[1] - win[0]) + '): ' +
        R.fmt(total) + ', ' + R.pctText(total, base.total) + ' of the run; every view shows this window'
      : 'Whole run: ' + fmtTime(duration) + ', ' + what() + ' in ' + threads.length + ' thread' + (threads.length > 1 ? 's' : '') + '. Drag over the strip to keep a window.';
  }

  function what() {
    var n = 0, m = 0;
    threads.forEach(function (th) { n += th.n; m += th.spans.n; });
    return [n ? n + ' samples' : '', m ? m + ' events' : ''].filter(Boolean).join(' and ');
  }

  // ---- the flame chart: per thread, time across, stacks down ----

  // Bars per thread and depth: a frame stays open while the next sample of
  // the thread still has it (the same frame of the flame graph, so the same
  // function under the same callers).
  function sampleEnd(th, i, gap) {
    var next = i + 1 < th.n ? th.t[i + 1] : Infinity;
    var own = base.unit === 'ns' ? th.w[i] / 1000 : gap;
    return th.t[i] + Math.max(1, Math.min(own, next - th.t[i] > 0 ? next - th.t[i] : own));
  }
  function typicalGap(th) {
    var gaps = [];
    for (var i = 1; i < th.n && gaps.length < 2000; i += Math.max(1, Math.floor(th.n / 2000)))
      if (th.t[i] > th.t[i - 1]) gaps.push(th.t[i] - th.t[i - 1]);
    gaps.sort(function (a, b) { return a - b; });
    return gaps.length ? gaps[gaps.length >> 1] : 1;
  }
  function buildBars(th) {
    var F = base.frames, depth = new Int32Array(F.parent.length);
    for (var f = 1; f < F.parent.length; f++) depth[f] = depth[F.parent[f]] + 1;
    var rows = [], open = [], gap = typicalGap(th);
    function closeFrom(d, end) {
      for (var k = d; k < open.length; k++) {
        var o = open[k];
        rows[k].start.push(o.start); rows[k].end.push(end); rows[k].frame.push(o.frame);
      }
      open.length = Math.min(open.length, d);
    }
    var path = [], lastEnd = 0;
    for (var i = 0; i < th.n; i++) {
      var leaf = sites.frame[th.site[i]], t = th.t[i];
      if (leaf < 0) continue;
      path.length = depth[leaf];
      for (var g = leaf; g > 0; g = F.parent[g]) path[depth[g] - 1] = g;
      var keep = 0; // frames still open go on when this sample follows closely
      if (t <= lastEnd + gap) while (keep < open.length && keep < path.length && open[keep].frame === path[keep]) keep++;
      closeFrom(keep, lastEnd);
      for (var d = keep; d < path.length; d++) {
        if (!rows[d]) rows[d] = { start: [], end: [], frame: [] };
        open.push({ frame: path[d], start: t });
      }
      lastEnd = sampleEnd(th, i, gap);
    }
    closeFrom(0, lastEnd);
    addSpanBars(th, rows, depth);
    return rows;
  }
  // A span is a bar of its own, at its frame's depth, in time order.
  function addSpanBars(th, rows, depth) {
    var S = th.spans;
    if (!S.n) return;
    for (var k = 0; k < S.n; k++) {
      var fr = sites.frame[S.site[k]];
      if (fr <= 0) continue;
      var d = depth[fr] - 1;
      for (var r = rows.length; r <= d; r++) rows[r] = { start: [], end: [], frame: [] };
      rows[d].start.push(S.start[k] / 1000); rows[d].end.push(S.end[k] / 1000); rows[d].frame.push(fr);
    }
    rows.forEach(function (row) {
      var order = row.start.map(function (_, i) { return i; }).sort(function (x, y) { return row.start[x] - row.start[y]; });
      row.start = order.map(function (i) { return row.start[i]; });
      row.end = order.map(function (i) { return row.end[i]; });
      row.frame = order.map(function (i) { return row.frame[i]; });
    });
  }

  // The rows down to the deepest with a bar in [v0, v1): a shallow range
  // does not keep the empty rows of a deeper stack elsewhere in the run.
  function rowShows(row, v0, v1) {
    if (!row.maxEnd) { // the latest end of the bars up to each (bars come in order of start)
      row.maxEnd = new Float64Array(row.end.length);
      for (var j = 0, m = -Infinity; j < row.end.length; j++) row.maxEnd[j] = m = Math.max(m, row.end[j]);
    }
    var lo = 0, hi = row.start.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (row.start[mid] < v1) lo = mid + 1; else hi = mid; }
    return lo > 0 && row.maxEnd[lo - 1] > v0;
  }
  function visibleRows(rows, v0, v1) {
    var n = rows.length;
    while (n > 0 && !rowShows(rows[n - 1], v0, v1)) n--;
    return rows.slice(0, n);
  }

  function TimeChart(box) {
    this.box = box; this.canvas = box.appendChild(el('canvas')); this.v0 = 0; this.v1 = duration;
    this.bars = null; this.hits = null; this.layout = [];
    var self = this, panning = null;
    this.canvas.addEventListener('wheel', function (e) {
      e.preventDefault();
      var x = self.timeAt(e), k = Math.pow(1.0015, e.deltaY);
      self.show(x - (x - self.v0) * k, x + (self.v1 - x) * k);
    }, { passive: false });
    this.canvas.addEventListener('mousedown', function (e) { panning = { x: e.clientX, v0: self.v0, v1: self.v1, moved: false }; });
    window.addEventListener('mousemove', function (e) {
      if (!panning) return;
      var dx = e.clientX - panning.x, dt = dx / self.scale;
      if (Math.abs(dx) > 3) panning.moved = true;
      if (panning.moved) self.show(panning.v0 - dt, panning.v1 - dt);
    });
    window.addEventListener('mouseup', function () { setTimeout(function () { panning = null; }, 0); });
    this.canvas.addEventListener('click', function (e) {
      if (panning && panning.moved) return;
      var hit = self.barAt(e);
      if (!hit) return;
      self.show(hit.start, hit.end);
      var f = base.frames.func[hit.frame];
      if (f >= 0) R.select(f, 'time');
    });
    this.canvas.addEventListener('dblclick', function () { self.show(win ? win[0] : 0, win ? win[1] : duration); });
    this.canvas.addEventListener('mousemove', function (e) {
      var hit = self.barAt(e);
      self.canvas.style.cursor = hit ? 'pointer' : 'default';
      if (!hit) { R.hideTip(); return; }
      var d = el('div'), f = base.frames.func[hit.frame], tb = el('table');
      d.appendChild(el('div', 'name', R.frameName(names, hit.frame)));
      var place = R.funcPlace(base.funcs, f);
      if (place) d.appendChild(el('div', 'file', place));
      R.tipRow(tb, 'from', fmtTime(hit.start));
      R.tipRow(tb, 'for', fmtTime(hit.end - hit.start));
      R.tipRow(tb, 'thread', hit.thread);
      d.appendChild(tb);
      R.showTip(e, d);
    });
    this.canvas.addEventListener('mouseleave', R.hideTip);
  }
  TimeChart.prototype.show = function (a, b) {
    var span = Math.max(10, Math.min(duration, b - a));
    a = Math.max(0, Math.min(duration - span, a));
    this.v0 = a; this.v1 = a + span;
    if (R.currentTab() === 'time') this.render();
  };
  TimeChart.prototype.timeAt = function (e) {
    return this.v0 + (e.clientX - this.canvas.getBoundingClientRect().left) / this.scale;
  };
  TimeChart.prototype.barAt = function (e) {
    var r = this.canvas.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
    for (var k = 0; k < this.layout.length; k++) {
      var L = this.layout[k], d = Math.floor((y - L.top) / ROW);
      if (d < 0 || d >= L.rows.length) continue;
      var row = L.rows[d], t = this.v0 + x / this.scale;
      for (var j = 0; j < row.start.length; j++)
        if (row.start[j] <= t && t < row.end[j]) return { frame: row.frame[j], start: row.start[j], end: row.end[j], thread: L.name };
    }
    return null;
  };
  TimeChart.prototype.render = function () {
    if (!this.bars) this.bars = threads.map(buildBars);
    var W = Math.max(300, this.box.clientWidth || 1000), dpr = window.devicePixelRatio || 1;
    var H = 0, self = this;
    this.layout = this.bars.map(function (rows, k) {
      var L = { top: H + 20, rows: visibleRows(rows, self.v0, self.v1), name: threads[k].name };
      H += 20 + L.rows.length * ROW + 6;
      return L;
    });
    H = Math.min(H, Math.floor(30000 / dpr));
    var c = this.canvas, ctx = c.getContext('2d');
    c.width = Math.round(W * dpr); c.height = Math.round(H * dpr);
    c.style.width = W + 'px'; c.style.height = H + 'px';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0); ctx.clearRect(0, 0, W, H);
    ctx.font = '11px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif'; ctx.textBaseline = 'middle';
    this.scale = W / (this.v1 - this.v0);
    var re = R.searchRegex(), funcs = base.funcs, drawn = 0, hits = 0;
    this.layout.forEach(function (L) {
      ctx.fillStyle = '#1f2328'; ctx.textAlign = 'left';
      ctx.fillText(L.name, 4, L.top - 9);
      L.rows.forEach(function (row, d) {
        var y = L.top + d * ROW, lastPx = -1;
        for (var j = 0; j < row.start.length; j++) {
          if (row.end[j] <= self.v0 || row.start[j] >= self.v1) continue;
          var px = (row.start[j] - self.v0) * self.scale, pw = (row.end[j] - row.start[j]) * self.scale;
          if (pw < 0.3 && Math.floor(px) === lastPx) continue; // one thin bar per pixel is enough
          lastPx = Math.floor(px);
          var fr = row.frame[j], f = base.frames.func[fr];
          var hit = re && f >= 0 && R.patternMatches(re, funcs.name[f], funcs.file[f], funcs.line[f]);
          ctx.fillStyle = hit ? '#d21fd2' : f < 0 ? '#dedbd3' : R.kindColor(funcs.kind[f], funcs.name[f]);
          ctx.fillRect(px, y, Math.max(pw - 0.5, 0.5), ROW - 1);
          drawn++;
          if (hit) hits++;
          if (pw > 28) {
            var label = R.frameName(names, fr), fits = Math.floor((pw - 8) / 6.2);
            if (fits >= 3) {
              if (label.length > fits) label = label.slice(0, fits - 1) + '\u2026';
              ctx.fillStyle = hit ? '#fff' : '#1b1b1b';
              ctx.fillText(label, Math.max(px, 0) + 4, y + ROW / 2);
            }
          }
        }
      });
    });
    this.box.setAttribute('data-drawn', String(drawn));
    this.box.setAttribute('data-hits', String(hits));
    this.box.setAttribute('data-range', this.v0.toFixed(0) + ':' + this.v1.toFixed(0));
    $('time-range').textContent = 'Showing ' + fmtTime(this.v0) + ' \u2013 ' + fmtTime(this.v1) +
      '. Wheel to zoom, drag to pan, click a frame to zoom to it, double-click for the whole window.';
  };
  var chart = new TimeChart($('time-chart'));

  renderStrip();
  renderWindowInfo();
  return {
    setWindow: setWindow,
    window: function () { return win; },
    duration: duration,
    renderChart: function () { chart.render(); },
    redraw: function () { renderStrip(); if (R.currentTab() === 'time') chart.render(); },
    chart: chart
  };
};
