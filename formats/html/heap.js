// profkit HTML report: windows of a memray capture's memory chart. Loaded
// before report.js, which calls profkitHeapWindows(R) when the first view
// carries the heap's history (formats/html.c, heap_json; lib/heap_history.h):
// the peak, leaks and total views of whole epochs [i, j), as pconv --time
// gives them for their span.
// Names stay text here too: they reach the page only through report.js.
window.profkitHeapWindows = function (R) {
  'use strict';
  var base = R.data.views[0], H = base.heap, S = H.sites, nsites = S.parent.length;
  var MADE = 0, FREED = 1, PEAK = 2;
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
      name: name, total: total, window: [i, j], frames: R.siteFrames(S.parent, S.func, sw),
      table: R.siteTable(S.parent, S.func, sw, null, base.funcs.name.length), lines: R.siteLines(S.parent, sw, lineKey, lines)
    });
    delete v.heap;
    return v;
  }

  return {
    start_ms: H.start_ms, originMs: startMs, view: view,
    shows: 'every view shows it, peak, leaks and total as pconv --time gives them'
  };
};
