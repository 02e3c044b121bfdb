// profkit HTML report: windows of a memray capture's memory chart. Loaded
// before report.js, which calls profkitHeapView(R) when the first view
// carries the heap's history (formats/html.c, heap_json; lib/heap_history.h):
// a range dragged over the chart keeps whole epochs, and the peak, leaks
// and total views are made again for them, as pconv --time gives them.
// Names stay text here too: they reach the page only through report.js.
window.profkitHeapView = function (R) {
  'use strict';
  var base = R.data.views[0], H = base.heap, S = H.sites, nsites = S.parent.length;
  var nepochs = H.high.length, MADE = 0, FREED = 1, PEAK = 2;
  var startMs = +(R.data.meta['memray.start_time_ms'] || 0);

  // the changes: what, node, epoch made, epoch at, bytes
  var C = { what: new Uint8Array(H.n), node: new Int32Array(H.n), made: new Int32Array(H.n), at: new Int32Array(H.n), bytes: new Float64Array(H.n) };
  var V = R.varints(H.changes);
  for (var c = 0; c < H.n; c++) {
    C.what[c] = V.u(); C.node[c] = V.u(); C.made[c] = V.u(); C.at[c] = V.u(); C.bytes[c] = V.s();
  }

  // What each site holds in the view over epochs [i, j). The peak: what it
  // held when the epoch of the window's mark began (the changes before it),
  // and its changes from there to the mark.
  function siteValues(view, i, j) {
    var sw = new Float64Array(nsites), peakAt = i;
    for (var e = i; e < j; e++) if (H.high[e] >= H.high[peakAt]) peakAt = e; // the last highest
    for (var k = 0; k < H.n; k++) {
      var w = C.what[k], at = C.at[k], keep;
      if (view === 'peak') keep = w === PEAK ? at === peakAt : at < peakAt;
      else if (view === 'leaks') keep = at < j && (w === MADE ? at >= i : w === FREED && C.made[k] >= i);
      else keep = w === MADE && at >= i && at < j;
      if (keep) sw[C.node[k]] += C.bytes[k];
    }
    return sw;
  }

  // Frames merged by (parent frame, function), narrow ones as the whole
  // run's are: under minwidth % of the total, a site and what is below it
  // go to one "[narrow frames]" frame.
  function frames(sw, total) {
    var incl = Float64Array.from(sw), frameOf = new Int32Array(nsites), narrow = new Uint8Array(nsites);
    for (var s = nsites - 1; s > 0; s--) if (S.parent[s] >= 0) incl[S.parent[s]] += incl[s];
    var b = new R.TreeBuilder(), cut = total * base.minwidth / 100;
    for (s = 1; s < nsites; s++) {
      var up = S.parent[s] > 0 ? frameOf[S.parent[s]] : 0;
      if (!incl[s]) { frameOf[s] = -1; continue; }
      if (narrow[S.parent[s]]) { narrow[s] = 1; frameOf[s] = up; }
      else if (Math.abs(incl[s]) < cut) { narrow[s] = 1; frameOf[s] = b.child(up, -1, 1); }
      else frameOf[s] = b.child(up, S.func[s]);
      b.self[frameOf[s]] += sw[s];
    }
    b.self[0] += sw[0];
    for (var k = b.parent.length - 1; k >= 0; k--) {
      b.value[k] += b.self[k];
      if (k) b.value[b.parent[k]] += b.value[k];
    }
    return b.finish(base.funcs, false);
  }

  // Lines: each (function, line) of the sites, counted once a stack.
  var lineKey = new Int32Array(nsites).fill(-1), lines = { func: [], line: [] }, keys = Object.create(null);
  for (var s = 1; s < nsites; s++) {
    if (S.line[s] <= 0 || S.func[s] < 0) continue;
    var key = S.func[s] + ':' + S.line[s];
    if (keys[key] === undefined) { keys[key] = lines.func.length; lines.func.push(S.func[s]); lines.line.push(S.line[s]); }
    lineKey[s] = keys[key];
  }

  // The view `name` (peak, leaks, total) of epochs [i, j).
  function view(name, i, j) {
    var sw = siteValues(name, i, j), total = 0;
    for (var s = 0; s < nsites; s++) total += sw[s];
    var v = Object.assign({}, base, {
      name: name, total: total, window: [i, j], frames: frames(sw, total),
      table: R.siteTable(S.parent, S.func, sw, null, base.funcs.name.length), lines: R.siteLines(S.parent, sw, lineKey, lines)
    });
    delete v.heap;
    return v;
  }

  // ---- the window: dragged over the memory chart, kept as whole epochs ----

  var win = null, drag = null, box = R.$('memory-chart');
  function msAt(e) { return R.memoryTimeAt(e.clientX) / 1e6 - startMs; }
  function epochFrom(ms) { var e = 0; while (e + 1 < nepochs && H.start_ms[e + 1] <= ms) e++; return e; }
  function epochTo(ms) { var e = nepochs; while (e - 1 > 0 && H.start_ms[e - 1] >= ms) e--; return e; }
  function setWindow(i, j) {
    win = i === null || (i <= 0 && j >= nepochs) ? null : [i, j];
    R.windowChanged();
    renderInfo();
  }
  // The same window on the command line: seconds from the capture's start.
  function timeArg() {
    var sec = function (e) { return (H.start_ms[e] / 1000).toFixed(3); };
    return sec(win[0]) + ':' + (win[1] < nepochs ? sec(win[1]) : '');
  }
  function renderInfo() {
    R.$('memory-clear').disabled = !win;
    R.$('memory-window').textContent = win
      ? 'Window --time ' + timeArg() + ' (' + (win[1] - win[0]) + ' of ' + nepochs + ' epochs): every view shows it, peak, leaks and total as pconv --time gives them'
      : 'Whole run. Drag over the chart to keep a window: it snaps to epochs of ' + (H.start_ms[nepochs] / nepochs).toFixed(1) + ' ms.';
  }
  box.addEventListener('mousedown', function (e) {
    drag = { a: msAt(e), b: msAt(e), x: e.clientX };
    e.preventDefault();
  });
  window.addEventListener('mousemove', function (e) {
    if (!drag) return;
    drag.b = msAt(e); R.redrawMemory();
  });
  window.addEventListener('mouseup', function (e) {
    if (!drag) return;
    var d = drag, moved = Math.abs(e.clientX - d.x) > 3;
    drag = null;
    if (!moved) { R.redrawMemory(); return; }
    var i = epochFrom(Math.min(d.a, d.b)), j = Math.max(i + 1, epochTo(Math.max(d.a, d.b)));
    setWindow(i, j);
  });
  R.$('memory-clear').addEventListener('click', function () { setWindow(null); });
  renderInfo();

  return {
    // The window's view of DATA.views[k], or null without a window.
    view: function (k) { return win ? view(R.data.views[k].name || base.name, win[0], win[1]) : null; },
    window: function () { return win; },
    setWindow: setWindow,
    epochs: nepochs,
    timeArg: function () { return win ? timeArg() : null; },
    // What the chart shades, in ns since the epoch: the window, or the drag.
    shade: function () {
      var ms = drag ? [Math.min(drag.a, drag.b), Math.max(drag.a, drag.b)]
        : win ? [H.start_ms[win[0]], H.start_ms[win[1]]] : null;
      return ms && [(startMs + ms[0]) * 1e6, (startMs + ms[1]) * 1e6];
    }
  };
};
