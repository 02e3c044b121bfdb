// profkit HTML report: windows of an mprof file's memory chart. Loaded
// before report.js, which calls profkitCallsWindows(R) when the first view
// carries the call graph's history (formats/html.c, calls_json;
// lib/call_history.h): the graph of whole epochs [i, j) is the one
// `pconv --time` reads for their span, and its flame graph is estimated from
// it as lib/derive.c (pk_derive_tree) estimates the window's.
// Names stay text here too: they reach the page only through report.js.
window.profkitCallsWindows = function (R) {
  'use strict';
  var base = R.data.views[0], G = base.calls, nm = G.maximum.length, shown = G.metric;
  var nfuncs = G.funcs.length;
  var edgeCaller = G.edges.caller, edgeCallee = G.edges.callee, nedges = edgeCaller.length;

  // the calls: function, edge (-1: a root), first and last epoch, how many
  var C = { func: new Int32Array(G.ncalls), edge: new Int32Array(G.ncalls), first: new Int32Array(G.ncalls), last: new Int32Array(G.ncalls), count: new Float64Array(G.ncalls) };
  var V = R.varints(G.calls);
  for (var c = 0; c < G.ncalls; c++) {
    C.func[c] = V.u(); C.edge[c] = V.u() - 1; C.first[c] = V.u(); C.last[c] = V.u(); C.count[c] = V.u();
  }
  // the pieces: edge or function, late, id, epoch, incl and (functions) self
  // of every metric
  var P = { edge: new Uint8Array(G.npieces), late: new Uint8Array(G.npieces), id: new Int32Array(G.npieces), epoch: new Int32Array(G.npieces), v: new Float64Array(G.npieces * 2 * nm) };
  V = R.varints(G.pieces);
  for (var k = 0; k < G.npieces; k++) {
    var flags = V.u();
    P.edge[k] = flags & 1; P.late[k] = flags >> 1; P.id[k] = V.u(); P.epoch[k] = V.u();
    for (var q = 0; q < (P.edge[k] ? nm : 2 * nm); q++) P.v[k * 2 * nm + q] = V.s();
  }

  // The graph of epochs [i, j): functions and edges in the order a read of
  // the window makes them (that of their first calls there), the calls it
  // keeps, and its values (peaks the largest, the rest summed).
  function graph(i, j) {
    var g = { funcs: [], edges: [], calls: new Float64Array(nfuncs), incl: new Float64Array(nfuncs * nm), self: new Float64Array(nfuncs * nm), eincl: new Float64Array(nedges * nm) };
    var seenF = new Uint8Array(nfuncs), seenE = new Uint8Array(nedges);
    for (var c = 0; c < G.ncalls; c++) {
      if (C.first[c] >= j || C.last[c] < i) continue;
      var f = C.func[c], e = C.edge[c];
      if (!seenF[f]) { seenF[f] = 1; g.funcs.push(f); }
      if (e >= 0 && !seenE[e]) { seenE[e] = 1; g.edges.push(e); }
      g.calls[f] += C.count[c];
    }
    var lateToo = i > G.late_after; // a window no memory sample reaches
    for (var k = 0; k < G.npieces; k++) {
      if (P.epoch[k] < i || P.epoch[k] >= j || (P.late[k] && !lateToo)) continue;
      for (var m = 0; m < nm; m++) {
        var at = P.id[k] * nm + m, vi = P.v[k * 2 * nm + m], vs = P.v[k * 2 * nm + nm + m];
        if (P.edge[k]) g.eincl[at] = G.maximum[m] ? Math.max(g.eincl[at], vi) : g.eincl[at] + vi;
        else if (G.maximum[m]) { g.incl[at] = Math.max(g.incl[at], vi); g.self[at] = Math.max(g.self[at], vs); }
        else { g.incl[at] += vi; g.self[at] += vs; }
      }
    }
    return g;
  }

  // The tree estimated from graph g, as pk_derive_tree makes it: each node a
  // site (parent, function), with its own values of every metric.
  function estimate(g) {
    var S = { parent: [-1], func: [-1], self: [new Float64Array(nm)], kids: [Object.create(null)] };
    var callees = Object.create(null), onPath = new Uint8Array(nfuncs);
    g.edges.forEach(function (e) { (callees[edgeCaller[e]] = callees[edgeCaller[e]] || []).push(e); });
    var incl = function (f, m) { return g.incl[f * nm + m]; }, eincl = function (e, m) { return g.eincl[e * nm + m]; };
    function child(node, f) {
      var k = S.kids[node][f];
      if (k !== undefined) return k;
      k = S.parent.length;
      S.parent.push(node); S.func.push(f); S.self.push(new Float64Array(nm)); S.kids.push(Object.create(null));
      return (S.kids[node][f] = k);
    }
    var total0 = 0;
    g.funcs.forEach(function (f) { total0 += g.self[f * nm]; });
    var cutoff = total0 * 1e-5;
    function expand(node, f, target, depth) {
      var rest = target.slice(), out = (depth <= 4096 && callees[f]) || [], scale = [];
      for (var m = 0; m < nm; m++) {
        var want = 0;
        out.forEach(function (e) { if (!onPath[edgeCallee[e]] && eincl(e, m) > 0) want += eincl(e, m); });
        var have = incl(f, m) > 0 ? target[m] / incl(f, m) : 0;
        scale[m] = want * have > target[m] && want > 0 ? target[m] / want : have;
      }
      onPath[f] = 1;
      out.forEach(function (e) {
        var to = edgeCallee[e], share = [], any = false;
        if (onPath[to]) return; // recursion: stays in this frame
        for (var m = 0; m < nm; m++) {
          var v = eincl(e, m) > 0 ? Math.floor(eincl(e, m) * scale[m]) : 0;
          if (!(v > -9.2e18 && v < 9.2e18)) v = v > 0 ? 9.2e18 : -9.2e18;
          share[m] = Math.max(0, Math.min(v, rest[m]));
          any = any || share[m] !== 0;
        }
        if (!any) return;
        for (m = 0; m < nm; m++) rest[m] -= share[m];
        var k = child(node, to);
        if (share[0] < cutoff) for (m = 0; m < nm; m++) S.self[k][m] += share[m];
        else expand(k, to, share, depth + 1);
      });
      onPath[f] = 0;
      for (var n = 0; n < nm; n++) S.self[node][n] += rest[n];
    }
    var targets = rootTargets(g);
    g.funcs.forEach(function (f, r) {
      var t = targets.slice(r * nm, r * nm + nm);
      if (t.some(function (x) { return x !== 0; })) expand(child(0, f), f, t, 0);
    });
    return S;
  }

  // The roots' targets (lib/derive.c, root_targets): what callers do not
  // explain of each function, scaled to add up to the total.
  function rootTargets(g) {
    var n = g.funcs.length, fromCallers = new Float64Array(nfuncs * nm), targets = new Array(n * nm).fill(0);
    g.edges.forEach(function (e) {
      if (edgeCaller[e] === edgeCallee[e]) return;
      for (var m = 0; m < nm; m++) fromCallers[edgeCallee[e] * nm + m] += g.eincl[e * nm + m];
    });
    for (var m = 0; m < nm; m++) {
      var total = 0, sum = 0, largest = 0, given = 0, r, f;
      for (r = 0; r < n; r++) {
        f = g.funcs[r];
        total += g.self[f * nm + m];
        var left = g.incl[f * nm + m] - fromCallers[f * nm + m];
        fromCallers[f * nm + m] = left > 0 ? left : 0;
        sum += fromCallers[f * nm + m];
        if (g.incl[f * nm + m] > g.incl[g.funcs[largest] * nm + m]) largest = r;
      }
      for (r = 0; r < n; r++) {
        f = g.funcs[r];
        targets[r * nm + m] = sum > 0 ? Math.floor(fromCallers[f * nm + m] * total / sum) : 0;
        given += targets[r * nm + m];
      }
      if (n) targets[largest * nm + m] += total - given;
    }
    return targets;
  }

  // The table: the window's functions with a value or a call, heaviest first.
  function table(g) {
    var name = function (f) { return base.funcs.name[G.funcs[f]]; };
    var rows = g.funcs.filter(function (f) { return g.incl[f * nm + shown] || g.self[f * nm + shown] || g.calls[f]; });
    rows.sort(function (a, b) {
      var x = g.incl[a * nm + shown], y = g.incl[b * nm + shown];
      return x !== y ? y - x : name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0;
    });
    return {
      func: rows.map(function (f) { return G.funcs[f]; }), self: rows.map(function (f) { return g.self[f * nm + shown]; }),
      incl: rows.map(function (f) { return g.incl[f * nm + shown]; }), calls: rows.map(function (f) { return g.calls[f]; }), omitted: 0
    };
  }

  // The view of epochs [i, j).
  function view(name, i, j) {
    var g = graph(i, j), S = estimate(g), sw = S.self.map(function (v) { return v[shown]; });
    var funcRef = S.func.map(function (f) { return f >= 0 ? G.funcs[f] : -1; }), frames = R.siteFrames(S.parent, funcRef, sw);
    // the total drawn, as the whole run's view has it
    var v = Object.assign({}, base, { total: frames.value[0], window: [i, j], frames: frames, table: table(g) });
    delete v.calls;
    return v;
  }

  return {
    start_ms: G.start_ms, originMs: R.data.series.t[0] / 1e6, view: view,
    shows: 'every view shows it as pconv --time gives it'
  };
};
