// profkit HTML report. Plain script, no libraries, nothing fetched.
// Names from the profile are untrusted: they are only ever set as text
// (textContent, canvas fillText), never parsed as markup.
(function () {
  'use strict';

  var DATA = JSON.parse(document.getElementById('profile-data').textContent);
  var ROW = 18;
  var KIND_NAMES = ['python', 'native', 'builtin', 'kernel', 'gc', 'idle', 'process', 'thread', 'other'];

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

  // ---- patterns (begin): Python's re syntax on JavaScript's RegExp ----
  // The search boxes take the patterns every command takes (lib/pattern.h):
  // Python's syntax, found in a function's name, its file or its
  // "file:line(name)". What JavaScript spells otherwise is translated; what
  // it lacks (possessive, atomic groups, scoped flags) is not a pattern here.
  // tests/commands/cli/test_patterns.py runs this part in node.
  var PY_WORD = '\\p{L}\\p{N}_';
  function pyRegex(src) {
    var flags = { i: false, m: false, s: false, x: false }, i = 0, out = '', inSet = false, m;
    while ((m = /^\(\?([imsxu]+)\)/.exec(src.slice(i)))) {
      for (var k = 0; k < m[1].length; k++) if (m[1][k] !== 'u') flags[m[1][k]] = true;
      i += m[0].length;
    }
    while (i < src.length) {
      var c = src[i];
      if (flags.x && !inSet && /\s/.test(c)) { i++; continue; }
      if (flags.x && !inSet && c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
      if (c === '\\' && i + 1 < src.length) {
        var cp = src.codePointAt(i + 1), e = String.fromCodePoint(cp);
        i += 1 + e.length;
        if (e === 'd') out += '\\p{Nd}';
        else if (e === 'D') out += '\\P{Nd}';
        else if (e === 'w') out += inSet ? PY_WORD : '[' + PY_WORD + ']';
        else if (e === 'W' && !inSet) out += '[^' + PY_WORD + ']';
        else if (e === 'b' && !inSet)
          out += '(?:(?<=[' + PY_WORD + '])(?![' + PY_WORD + '])|(?<![' + PY_WORD + '])(?=[' + PY_WORD + ']))';
        else if (e === 'B' && !inSet)
          out += '(?:(?<=[' + PY_WORD + '])(?=[' + PY_WORD + '])|(?<![' + PY_WORD + '])(?![' + PY_WORD + ']))';
        else if (e === 'A' && !inSet) out += '(?<![\\s\\S])';
        else if (e === 'Z' && !inSet) out += '(?![\\s\\S])';
        else if (e === 'U' && /^[0-9a-fA-F]{8}$/.test(src.substr(i, 8))) { out += '\\u{' + src.substr(i, 8) + '}'; i += 8; }
        else if (/[0-9A-Za-z]/.test(e) || '^$\\.*+?()[]{}|/'.indexOf(e) >= 0) out += '\\' + e;
        else out += '\\u{' + cp.toString(16) + '}'; /* an escaped character is itself */
        continue;
      }
      if (inSet) {
        if (c === ']') inSet = false;
        out += c === '[' ? '\\[' : c;
        i++;
        continue;
      }
      if (c === '[') {
        out += '[';
        i++;
        if (src[i] === '^') { out += '^'; i++; }
        if (src[i] === ']') { out += '\\]'; i++; }
        inSet = true;
        continue;
      }
      if (c === '(' && src.substr(i, 3) === '(?#') { var end = src.indexOf(')', i); i = end < 0 ? src.length : end + 1; continue; }
      if (c === '(' && src.substr(i, 4) === '(?P<') { out += '(?<'; i += 4; continue; }
      if (c === '(' && (m = /^\(\?P=(\w+)\)/.exec(src.slice(i)))) { out += '\\k<' + m[1] + '>'; i += m[0].length; continue; }
      if (c === '{') {
        m = /^\{(\d*)(,(\d*))?\}/.exec(src.slice(i));
        if (m && (m[1] || m[2])) { out += '{' + (m[1] || '0') + (m[2] ? ',' + m[3] : '') + '}'; i += m[0].length; continue; }
        out += '\\{'; i++; continue;
      }
      if (c === '}' || c === ']') { out += '\\' + c; i++; continue; }
      if (c === '.' && !flags.s) { out += '[^\\n]'; i++; continue; }
      if (c === '$' && !flags.m) { out += '(?=\\n?(?![\\s\\S]))'; i++; continue; }
      out += c;
      i++;
    }
    return new RegExp(out, 'u' + (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : ''));
  }
  // pstats' "file:line(name)"; a builtin ("~", line 0) by its name, <> as {}.
  function pyStdName(name, file, line) {
    if (!file) return name;
    if (file === '~' && !line) return /^<.*>$/.test(name) ? '{' + name.slice(1, -1) + '}' : name;
    return file + ':' + (line || 0) + '(' + name + ')';
  }
  function patternMatches(re, name, file, line) {
    return re.test(name) || (!!file && (re.test(file) || re.test(pyStdName(name, file, line))));
  }
  // ---- patterns (end) ----

  // ---- values for people ----

  function groupDigits(v) {
    var s = String(Math.round(Math.abs(v))), out = '';
    while (s.length > 3) { out = ',' + s.slice(-3) + out; s = s.slice(0, -3); }
    return (v < 0 ? '-' : '') + s + out;
  }
  function scaled(v, steps) {
    var a = Math.abs(v);
    for (var i = steps.length - 1; i > 0; i--)
      if (a >= steps[i][0]) return (v / steps[i][0]).toFixed(a / steps[i][0] >= 100 ? 1 : 2) + ' ' + steps[i][1];
    return groupDigits(v) + ' ' + steps[0][1];
  }
  function fmt(v, unit) {
    unit = unit || state.view.unit;
    if (unit === 'ns') return scaled(v, [[1, 'ns'], [1e3, '\u00b5s'], [1e6, 'ms'], [1e9, 's']]);
    if (unit === 'bytes') return scaled(v, [[1, 'B'], [1024, 'KiB'], [1048576, 'MiB'], [1073741824, 'GiB']]);
    var name = DATA.countname || unit;
    return groupDigits(v) + ' ' + name;
  }
  function fmtDelta(d, unit) { return (d > 0 ? '+' : d < 0 ? '\u2212' : '\u00b1') + fmt(Math.abs(d), unit); }
  function pct(a, b) { return b ? (100 * a / b) : 0; }
  function pctText(a, b) { return b ? pct(a, b).toFixed(2) + ' %' : '\u2013'; }
  function changePct(before, after) {
    if (!before) return after ? 'new' : '';
    var p = 100 * (after - before) / Math.abs(before);
    return (p > 0 ? '+' : '') + p.toFixed(1) + ' %';
  }

  // ---- colours ----

  function hash(s) {
    var h = 2166136261;
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return (h >>> 0) / 4294967296;
  }
  var KIND_HUES = [[18, 48], [170, 195], [38, 58], [0, 14], [270, 290], [0, 0], [210, 220], [210, 220], [24, 52]];
  function kindColor(kind, name) {
    var r = hash(name), hues = KIND_HUES[kind] || KIND_HUES[8];
    if (kind === 5) return 'hsl(0,0%,' + (72 + r * 10).toFixed(0) + '%)';
    var h = hues[0] + r * (hues[1] - hues[0]);
    var s = kind === 6 || kind === 7 ? 18 : 70 + r * 20;
    var l = kind === 6 || kind === 7 ? 78 : 58 + hash(name + '.') * 10;
    return 'hsl(' + h.toFixed(0) + ',' + s.toFixed(0) + '%,' + l.toFixed(0) + '%)';
  }
  function diffColor(delta, maxDelta) {
    if (!delta || !maxDelta) return 'rgb(236,234,228)';
    var t = Math.min(1, Math.abs(delta) / maxDelta), c = Math.round(225 - 170 * Math.sqrt(t));
    return delta > 0 ? 'rgb(250,' + c + ',' + c + ')' : 'rgb(' + c + ',' + c + ',250)';
  }

  // ---- trees of frames (preorder arrays) ----

  // frames: {parent, func, value, self, merged, value2?}, parents before children.
  function makeTree(frames, funcs) {
    var n = frames.parent.length, x = new Float64Array(n), depth = new Int32Array(n);
    var next = new Float64Array(n), maxDepth = 0, maxDelta = 0;
    var childStart = new Int32Array(n).fill(-1), sibling = new Int32Array(n).fill(-1), lastChild = new Int32Array(n).fill(-1);
    for (var i = 0; i < n; i++) {
      var p = frames.parent[i];
      if (p < 0) { x[i] = 0; depth[i] = 0; }
      else {
        x[i] = next[p]; next[p] += frames.value[i]; depth[i] = depth[p] + 1;
        if (lastChild[p] < 0) childStart[p] = i; else sibling[lastChild[p]] = i;
        lastChild[p] = i;
      }
      next[i] = x[i];
      if (depth[i] > maxDepth) maxDepth = depth[i];
      if (frames.value2) maxDelta = Math.max(maxDelta, Math.abs(frames.value[i] - frames.value2[i]));
    }
    var total = 0;
    for (var r = 0; r < n; r++) if (frames.parent[r] < 0) total += frames.value[r];
    return {
      n: n, parent: frames.parent, func: frames.func, value: frames.value, self: frames.self,
      merged: frames.merged, value2: frames.value2 || null, x: x, depth: depth, maxDepth: maxDepth,
      firstChild: childStart, nextSibling: sibling, total: total, maxDelta: maxDelta, funcs: funcs
    };
  }
  function frameName(t, i) {
    var f = t.func[i];
    if (f >= 0) return t.funcs.name[f];
    if (t.merged[i] > 0) return '[' + t.merged[i] + ' narrow frame' + (t.merged[i] > 1 ? 's' : '') + ']';
    return 'all';
  }
  function funcPlace(funcs, f) {
    if (f < 0) return '';
    var file = funcs.file[f], line = funcs.line[f];
    if (file === '~') file = ''; // pstats' mark of built-in functions
    return file ? file + (line > 0 ? ':' + line : '') : '';
  }

  // A tree builder merging paths by (parent, func).
  function TreeBuilder() {
    this.parent = [-1]; this.func = [-1]; this.value = [0]; this.self = [0]; this.merged = [0];
    this.value2 = [0]; this.kids = [Object.create(null)]; this.children = [[]];
  }
  TreeBuilder.prototype.child = function (p, func, merged) {
    var key = func >= 0 ? func : 'm', k = this.kids[p][key];
    if (k !== undefined) { if (merged) this.merged[k] += merged; return k; }
    k = this.parent.length;
    this.parent.push(p); this.func.push(func); this.value.push(0); this.self.push(0);
    this.merged.push(merged || 0); this.value2.push(0); this.kids.push(Object.create(null)); this.children.push([]);
    this.kids[p][key] = k; this.children[p].push(k);
    return k;
  };
  // Preorder arrays, children by name as the flame layout does.
  TreeBuilder.prototype.finish = function (funcs, withValue2) {
    var out = { parent: [], func: [], value: [], self: [], merged: [], value2: withValue2 ? [] : null };
    var self = this, stack = [[0, -1]];
    var name = function (k) { return self.func[k] >= 0 ? funcs.name[self.func[k]] : '\uffff'; };
    while (stack.length) {
      var top = stack.pop(), k = top[0], idx = out.parent.length;
      out.parent.push(top[1]); out.func.push(this.func[k]); out.value.push(this.value[k]);
      out.self.push(this.self[k]); out.merged.push(this.merged[k]);
      if (withValue2) out.value2.push(this.value2[k]);
      var kids = this.children[k].slice().sort(function (a, b) { var x = name(a), y = name(b); return x < y ? 1 : x > y ? -1 : 0; });
      for (var j = 0; j < kids.length; j++) stack.push([kids[j], idx]);
    }
    return out;
  };

  // ---- a window's values by site (time.js, heap.js) ----
  // A reader of base64 varints (formats/html.c, put_uvarint and put_svarint).
  function varints(text) {
    var bin = atob(text), pos = 0;
    function u() {
      var v = 0, mul = 1, c;
      do { c = bin.charCodeAt(pos++); v += (c & 127) * mul; mul *= 128; } while (c & 128);
      return v;
    }
    return { u: u, s: function () { var x = u(); return x % 2 ? -(x + 1) / 2 : x / 2; } };
  }
  // Sites are the stacks line by line, parents first: parent[s], and a key
  // of each (its function, its line). A key's value counts each stack once,
  // as the whole run's does: what the sites below its outermost site held.
  function perStack(parent, sw, keyOf, n) {
    var value = new Float64Array(n), stamp = new Int32Array(n).fill(-1);
    for (var s = 0; s < parent.length; s++) {
      if (!sw[s]) continue;
      for (var q = s; q >= 0; q = parent[q]) {
        var k = keyOf[q];
        if (k >= 0 && stamp[k] !== s) { stamp[k] = s; value[k] += sw[s]; }
      }
    }
    return value;
  }
  function heaviest(value, n) {
    var keep = [];
    for (var i = 0; i < n; i++) if (value[i]) keep.push(i);
    return keep.sort(function (x, y) { return value[y] - value[x]; });
  }
  // The lines of a window: the 500 heaviest entries of list ({func, line}),
  // site s counting to entry keyOf[s].
  function siteLines(parent, sw, keyOf, list) {
    var n = list.func.length, value = perStack(parent, sw, keyOf, n), keep = heaviest(value, n).slice(0, 500);
    return {
      func: keep.map(function (i) { return list.func[i]; }), line: keep.map(function (i) { return list.line[i]; }),
      value: keep.map(function (i) { return value[i]; })
    };
  }
  // The flame graph of a window: sites (parent[s], func[s]: an index of the
  // first view's functions, parents first) with their own values sw[s],
  // merged by (parent frame, function) as lib/flame.c lays out the whole
  // run's: a negative value draws nothing, and under minwidth % of the
  // total a site and what is below it go to one "[narrow frames]" frame.
  function siteFrames(parent, func, sw) {
    var n = parent.length, incl = sw.map(function (v) { return v > 0 ? v : 0; }), frameOf = new Int32Array(n), narrow = new Uint8Array(n);
    for (var s = n - 1; s > 0; s--) if (parent[s] >= 0) incl[parent[s]] += incl[s];
    var b = new TreeBuilder(), cut = incl[0] * DATA.views[0].minwidth / 100;
    for (s = 1; s < n; s++) {
      var up = parent[s] > 0 ? frameOf[parent[s]] : 0;
      if (!incl[s]) { frameOf[s] = -1; continue; }
      if (narrow[parent[s]]) { narrow[s] = 1; frameOf[s] = up; }
      else if (incl[s] < cut) { narrow[s] = 1; frameOf[s] = b.child(up, -1, 1); }
      else frameOf[s] = b.child(up, func[s]);
      b.self[frameOf[s]] += sw[s] > 0 ? sw[s] : 0;
    }
    b.self[0] += sw[0] > 0 ? sw[0] : 0;
    for (var k = b.parent.length - 1; k >= 0; k--) {
      b.value[k] += b.self[k];
      if (k) b.value[b.parent[k]] += b.value[k];
    }
    return b.finish(DATA.views[0].funcs, false);
  }
  // The table of a window: each function's self, total and calls.
  function siteTable(parent, funcOf, sw, siteCalls, nfuncs) {
    var self = new Float64Array(nfuncs), calls = new Float64Array(nfuncs), incl = perStack(parent, sw, funcOf, nfuncs);
    for (var s = 0; s < parent.length; s++) {
      var f = funcOf[s];
      if (f < 0) continue;
      self[f] += sw[s];
      if (siteCalls) calls[f] += siteCalls[s];
    }
    var rows = heaviest(incl, nfuncs);
    return {
      func: rows, self: rows.map(function (g) { return self[g]; }), incl: rows.map(function (g) { return incl[g]; }),
      calls: rows.map(function (g) { return calls[g]; }), omitted: 0
    };
  }

  // Frames of func f with no frame of f above them: each counted once.
  function outermost(t, f) {
    var inside = new Uint8Array(t.n), out = [];
    for (var i = 0; i < t.n; i++) {
      var p = t.parent[i], up = p >= 0 && (inside[p] || t.func[p] === f);
      inside[i] = up ? 1 : 0;
      if (t.func[i] === f && !up) out.push(i);
    }
    return out;
  }
  function calleesTree(t, f) {
    var b = new TreeBuilder(), roots = outermost(t, f), v2 = !!t.value2;
    b.func[0] = f;
    roots.forEach(function (r) {
      var stack = [[r, 0]];
      while (stack.length) {
        var top = stack.pop(), i = top[0], k = top[1];
        if (i !== r) k = b.child(k, t.func[i], t.merged[i]);
        b.value[k] += t.value[i]; b.self[k] += t.self[i];
        if (v2) b.value2[k] += t.value2[i];
        for (var c = t.firstChild[i]; c >= 0; c = t.nextSibling[c]) stack.push([c, k]);
      }
    });
    return makeTree(b.finish(t.funcs, v2), t.funcs);
  }
  function callersTree(t, f) {
    var b = new TreeBuilder(), roots = outermost(t, f), v2 = !!t.value2;
    b.func[0] = f;
    roots.forEach(function (r) {
      var k = 0;
      b.value[0] += t.value[r]; b.self[0] += t.self[r];
      if (v2) b.value2[0] += t.value2[r];
      for (var p = t.parent[r]; p >= 0 && t.parent[p] >= 0; p = t.parent[p]) {
        k = b.child(k, t.func[p], t.merged[p]);
        b.value[k] += t.value[r];
        if (v2) b.value2[k] += t.value2[r];
      }
    });
    return makeTree(b.finish(t.funcs, v2), t.funcs);
  }

  // ---- the flame chart (canvas) ----

  function FlameChart(box, opts) {
    this.box = box; this.opts = opts || {}; this.tree = null; this.zoom = 0;
    this.icicle = !!this.opts.icicle; this.hits = null; this.hover = -1;
    this.canvas = el('canvas'); box.appendChild(this.canvas);
    this.ctx = this.canvas.getContext('2d');
    var self = this;
    this.canvas.addEventListener('mousemove', function (e) { self.onMove(e); });
    this.canvas.addEventListener('mouseleave', function () { self.hover = -1; hideTip(); });
    this.canvas.addEventListener('click', function (e) {
      var i = self.frameAt(e);
      if (i < 0) return;
      self.setZoom(self.tree.parent[i] < 0 ? 0 : i);
      if (self.opts.onSelect && self.tree.func[i] >= 0) self.opts.onSelect(self.tree.func[i]);
    });
  }
  FlameChart.prototype.setTree = function (tree) {
    this.tree = tree; this.zoom = 0; this.hits = null; this.render(); this.toRoots();
  };
  // Deep stacks scroll inside the chart: show the roots first.
  FlameChart.prototype.toRoots = function () {
    this.box.scrollTop = this.icicle ? 0 : this.box.scrollHeight;
  };
  // Scroll so that frame i is in sight (tests, links).
  FlameChart.prototype.reveal = function (i) {
    var y = this.rowY(this.tree.depth[i]);
    this.box.scrollTop = Math.max(0, y - this.box.clientHeight / 2);
    var r = this.box.getBoundingClientRect();
    if (r.top < 0 || r.top > window.innerHeight - 100) window.scrollBy(0, r.top - 120);
  };
  FlameChart.prototype.setZoom = function (i) {
    this.zoom = i; this.render();
    if (this.opts.onZoom) this.opts.onZoom(i);
  };
  FlameChart.prototype.rowY = function (d) {
    return this.icicle ? d * ROW + 4 : (this.depthShown - d) * ROW + 4;
  };
  FlameChart.prototype.render = function () {
    var t = this.tree, box = this.box;
    if (!t || !t.n || !t.total) {
      this.canvas.width = 0; this.canvas.height = 0;
      if (!box.querySelector('.empty')) box.appendChild(el('div', 'empty', 'Nothing to draw: the profile is empty.'));
      box.setAttribute('data-drawn', '0');
      return;
    }
    var old = box.querySelector('.empty'); if (old) box.removeChild(old);
    var dpr = window.devicePixelRatio || 1, c = this.canvas, ctx = this.ctx;
    // Browsers draw no canvas taller than about 32k pixels: deeper frames wait for a zoom.
    var rowsFit = Math.floor(30000 / (ROW * dpr)) - 1;
    this.depthShown = Math.min(t.maxDepth, t.depth[this.zoom] + rowsFit);
    var W = Math.max(300, box.clientWidth || 1000), H = (this.depthShown + 1) * ROW + 8;
    c.width = Math.round(W * dpr); c.height = Math.round(H * dpr);
    c.style.width = W + 'px'; c.style.height = H + 'px';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.font = '11px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';
    ctx.textBaseline = 'middle';
    var z = this.zoom, x0 = t.x[z], span = t.value[z] || 1, zd = t.depth[z], scale = (W - 2) / span;
    var rows = this.rows = [];
    for (var d = 0; d <= this.depthShown; d++) rows.push([]);
    var onPath = new Uint8Array(t.n);
    for (var a = z; a >= 0; a = t.parent[a]) onPath[a] = 1;
    var sel = this.opts.selected ? this.opts.selected() : -1, drawn = 0;
    for (var i = 0; i < t.n; i++) {
      var dep = t.depth[i], px, pw;
      if (dep > this.depthShown) continue;
      if (dep < zd) { if (!onPath[i]) continue; px = 1; pw = W - 2; }
      else {
        var xi = t.x[i];
        if (xi + t.value[i] <= x0 || xi >= x0 + span) continue;
        px = 1 + (xi - x0) * scale; pw = t.value[i] * scale;
        if (pw < 0.4) continue;
      }
      var y = this.rowY(dep);
      rows[dep].push(i, px, pw);
      drawn++;
      ctx.globalAlpha = dep < zd ? 0.55 : 1;
      ctx.fillStyle = this.color(i);
      ctx.fillRect(px, y, Math.max(pw - 0.5, 0.4), ROW - 1);
      if (t.func[i] === sel && sel >= 0 && pw >= 2) {
        ctx.strokeStyle = '#1d4ed8'; ctx.lineWidth = 2;
        ctx.strokeRect(px + 1, y + 1, Math.max(pw - 2.5, 0.5), ROW - 3);
      }
      if (pw > 28) {
        var label = frameName(t, i), fits = Math.floor((pw - 8) / 6.2);
        if (fits >= 3) {
          if (label.length > fits) label = label.slice(0, fits - 1) + '\u2026';
          ctx.fillStyle = this.hits && this.hits[i] ? '#fff' : '#1b1b1b';
          ctx.fillText(label, px + 4, y + ROW / 2);
        }
      }
    }
    ctx.globalAlpha = 1;
    box.setAttribute('data-drawn', String(drawn));
    box.setAttribute('data-zoom', String(z));
  };
  FlameChart.prototype.color = function (i) {
    var t = this.tree;
    if (this.hits && this.hits[i]) return '#d21fd2';
    if (t.func[i] < 0) return t.parent[i] < 0 ? '#c9c6bd' : '#dedbd3';
    if (t.value2) return diffColor(t.value[i] - t.value2[i], t.maxDelta);
    return kindColor(t.funcs.kind[t.func[i]], t.funcs.name[t.func[i]]);
  };
  FlameChart.prototype.frameAt = function (e) {
    if (!this.rows) return -1;
    var r = this.canvas.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
    for (var d = 0; d < this.rows.length; d++) {
      var y = this.rowY(d);
      if (my < y || my >= y + ROW) continue;
      var row = this.rows[d];
      for (var k = 0; k < row.length; k += 3)
        if (mx >= row[k + 1] && mx < row[k + 1] + row[k + 2]) return row[k];
    }
    return -1;
  };
  // Where a drawn frame is on the page (used by tests and keyboard users).
  FlameChart.prototype.boxOf = function (i) {
    var r = this.canvas.getBoundingClientRect(), d = this.tree.depth[i], row = this.rows[d];
    for (var k = 0; k < row.length; k += 3)
      if (row[k] === i) return { x: r.left + row[k + 1], y: r.top + this.rowY(d), w: row[k + 2], h: ROW - 1 };
    return null;
  };
  FlameChart.prototype.onMove = function (e) {
    var i = this.frameAt(e);
    this.canvas.style.cursor = i >= 0 ? 'pointer' : 'default';
    if (i < 0) { hideTip(); return; }
    showTip(e, frameTip(this.tree, i, this.zoom));
  };
  FlameChart.prototype.search = function (re) {
    var t = this.tree;
    if (!re || !t) { this.hits = null; this.render(); return null; }
    var hits = new Uint8Array(t.n), under = new Uint8Array(t.n), sum = 0;
    var lo = t.x[this.zoom], hi = lo + t.value[this.zoom];
    for (var i = 0; i < t.n; i++) {
      var p = t.parent[i];
      under[i] = p >= 0 && (under[p] || hits[p]) ? 1 : 0;
      if (p < 0 || t.func[i] < 0) continue;
      var f = t.func[i];
      if (patternMatches(re, t.funcs.name[f], t.funcs.file[f], t.funcs.line[f])) {
        hits[i] = 1;
        if (!under[i]) sum += Math.max(0, Math.min(hi, t.x[i] + t.value[i]) - Math.max(lo, t.x[i]));
      }
    }
    this.hits = hits; this.render();
    return hi > lo ? sum / (hi - lo) : 0;
  };

  // ---- tooltip ----

  var tip = $('tooltip');
  function hideTip() { tip.hidden = true; }
  function showTip(e, content) {
    clear(tip); tip.appendChild(content); tip.hidden = false;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var x = e.clientX + 14, y = e.clientY + 16;
    if (x + w > window.innerWidth - 8) x = Math.max(8, e.clientX - w - 14);
    if (y + h > window.innerHeight - 8) y = Math.max(8, e.clientY - h - 12);
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  }
  function tipRow(table, label, value, cls) {
    var tr = el('tr'); tr.appendChild(el('td', null, label));
    tr.appendChild(el('td', cls || null, value)); table.appendChild(tr);
  }
  function frameTip(t, i, zoom) {
    var d = el('div'), f = t.func[i], v = t.value[i], unit = state.view.unit;
    d.appendChild(el('div', 'name', frameName(t, i)));
    var place = funcPlace(t.funcs, f);
    if (place) d.appendChild(el('div', 'file', place));
    var tb = el('table');
    tipRow(tb, t.value2 ? 'after' : 'value', fmt(v, unit));
    if (t.self[i] && t.func[i] >= 0) tipRow(tb, 'self', fmt(t.self[i], unit));
    tipRow(tb, 'of total', pctText(v, t.total));
    if (t.parent[i] >= 0) tipRow(tb, 'of parent', pctText(v, t.value[t.parent[i]]));
    if (zoom > 0 && zoom !== i) tipRow(tb, 'of zoomed frame', pctText(v, t.value[zoom]));
    if (t.value2) {
      var b = t.value2[i], delta = v - b;
      tipRow(tb, 'before', fmt(b, unit));
      tipRow(tb, 'change', fmtDelta(delta, unit) + '  (' + (changePct(b, v) || '0 %') + ')', delta > 0 ? 'up' : delta < 0 ? 'down' : null);
    }
    d.appendChild(tb);
    if (state.view.estimated && t.parent[i] >= 0)
      d.appendChild(el('div', 'est', 'estimated: the input has no stacks, widths come from the call graph'));
    return d;
  }

  // ---- state, views ----

  var state = { view: null, tree: null, selected: -1, sort: { key: 'incl', asc: false }, viewIndex: 0 };
  var flame = new FlameChart($('flame-chart'), {
    icicle: !!DATA.inverted,
    selected: function () { return state.selected; },
    onZoom: function () { renderCrumbs(); applySearch(); },
    onSelect: function (f) { select(f, 'flame'); }
  });
  var swCallers = new FlameChart($('sw-callers'), { selected: function () { return -1; } });
  var swCallees = new FlameChart($('sw-callees'), { icicle: true, selected: function () { return -1; } });

  function loadView(k) {
    state.viewIndex = k;
    state.selected = -1;
    showView((memoryView && memoryView.view(k)) || DATA.views[k]);
  }
  // Draw every view of v: one of DATA.views, or a window of it (time.js, heap.js).
  function showView(v) {
    state.view = v;
    state.tree = makeTree(v.frames, v.funcs);
    renderHeader();
    flame.setTree(state.tree);
    renderCrumbs(); applySearch();
    buildTable(); buildLines(); buildSandwichPicker();
    swPending = true;
    if (currentTab === 'sandwich') renderSandwich();
  }

  function renderHeader() {
    var v = state.view, title = DATA.title;
    if (!title) title = (DATA.diff ? 'Differential profile' : (DATA.format || 'Profile') + ' profile') + (v.name ? ' \u2014 ' + v.name : '');
    $('title').textContent = title;
    if (!DATA.title) document.title = title;
    var sub = v.metric + ': total ' + fmt(v.total, v.unit);
    if (v.window) sub += ' in the time window';
    if (DATA.diff) sub = v.metric2 + ' ' + fmt(v.total2, v.unit) + ' \u2192 ' + v.metric + ' ' + fmt(v.total, v.unit) + ' (' + (changePct(v.total2, v.total) || '0 %') + ')';
    sub += ' \u00b7 ' + (v.table.func.length + (v.table.omitted || 0)) + ' functions \u00b7 ' + v.frames.parent.length + ' frames';
    if (DATA.format) sub += ' \u00b7 read from ' + DATA.format;
    $('subtitle').textContent = sub;
    var notes = $('notes'); clear(notes);
    if (v.estimated) notes.appendChild(el('span', 'note', 'Estimated: the input has no stacks, the flame graph is estimated from the call graph'));
    if (v.filter_estimated) notes.appendChild(el('span', 'note', 'Estimated: ' + v.filter_estimated));
    if (DATA.notes) notes.appendChild(el('span', 'note', DATA.notes));
    if (DATA.diff) {
      var n = el('span', 'note diff', 'Colour by change:');
      var up = el('span', 'swatch'); up.style.background = 'rgb(250,70,70)'; n.appendChild(up); n.appendChild(document.createTextNode('grew'));
      var dn = el('span', 'swatch'); dn.style.background = 'rgb(70,70,250)'; n.appendChild(dn); n.appendChild(document.createTextNode('shrank; widths are ' + v.metric));
      notes.appendChild(n);
    }
    if (DATA.reverse) notes.appendChild(el('span', 'note', 'Stacks merged from the leaf (reverse)'));
    notes.appendChild(el('span', 'note diff', 'Frames under ' + (+v.minwidth.toPrecision(2)) + ' % of the total are merged'));
  }

  // ---- flame tab: orientation, zoom, breadcrumbs, search ----

  Array.prototype.forEach.call(document.querySelectorAll('#orient button'), function (b) {
    b.addEventListener('click', function () {
      flame.icicle = b.getAttribute('data-orient') === 'icicle';
      Array.prototype.forEach.call(document.querySelectorAll('#orient button'), function (o) { o.classList.toggle('on', o === b); });
      flame.render(); flame.toRoots();
    });
  });
  if (DATA.inverted) {
    document.querySelector('#orient [data-orient=flame]').classList.remove('on');
    document.querySelector('#orient [data-orient=icicle]').classList.add('on');
  }
  $('reset-zoom').addEventListener('click', function () { flame.setZoom(0); });

  function renderCrumbs() {
    var box = $('crumbs'), t = state.tree, path = [];
    clear(box);
    for (var i = flame.zoom; i >= 0; i = t.parent[i]) path.unshift(i);
    path.forEach(function (i, k) {
      if (k) box.appendChild(el('span', 'sep', '\u203a'));
      var a = el('a', null, frameName(t, i));
      a.addEventListener('click', function () { flame.setZoom(i); });
      box.appendChild(a);
    });
    $('reset-zoom').disabled = flame.zoom === 0;
  }

  function currentRegex(text) {
    try { return text ? pyRegex(text) : null; } catch (e) { return undefined; }
  }
  function applySearch() {
    var text = $('search').value, re = currentRegex(text), m = $('matched');
    if (re === undefined) { m.textContent = 'not a regular expression'; return; }
    var share = flame.search(re);
    m.textContent = re ? 'Matched: ' + (100 * share).toFixed(2) + ' %' : '';
    $('time-search').value = text;
    if (timeView && currentTab === 'time') timeView.renderChart();
  }
  $('time-search').addEventListener('input', function () { $('search').value = $('time-search').value; applySearch(); });
  $('search').addEventListener('input', applySearch);
  window.addEventListener('keydown', function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === 'f' && currentTab === 'flame') { e.preventDefault(); $('search').focus(); }
    else if (e.key === 'Escape' && currentTab === 'flame') { $('search').value = ''; applySearch(); flame.setZoom(0); }
  });

  // ---- selecting a function everywhere ----

  function select(f, from) {
    state.selected = f;
    if (from !== 'flame') flame.render();
    markTableSelection();
    $('sw-pick').value = f >= 0 ? state.view.funcs.name[f] : '';
    renderSandwich();
  }

  // ---- sandwich ----

  function buildSandwichPicker() {
    var dl = $('sw-names'); clear(dl);
    var rows = state.view.table.func, seen = Object.create(null);
    for (var i = 0; i < rows.length && i < 3000; i++) {
      var name = state.view.funcs.name[rows[i]];
      if (seen[name]) continue;
      seen[name] = 1;
      var o = el('option'); o.value = name; dl.appendChild(o);
    }
  }
  $('sw-pick').addEventListener('change', function () {
    var name = $('sw-pick').value, rows = state.view.table.func;
    for (var i = 0; i < rows.length; i++)
      if (state.view.funcs.name[rows[i]] === name) { select(rows[i], 'sandwich'); return; }
  });
  function renderSandwich() {
    var f = state.selected, t = state.tree;
    if (f < 0) {
      // the function with the most self value, a useful start
      var best = -1, bv = -1, tb = state.view.table;
      for (var i = 0; i < tb.func.length; i++) if (tb.self[i] > bv) { bv = tb.self[i]; best = tb.func[i]; }
      f = best;
    }
    if (f < 0 || currentTab !== 'sandwich') { swPending = true; return; }
    swPending = false;
    $('sw-pick').value = state.view.funcs.name[f];
    var callers = callersTree(t, f);
    $('sw-summary').textContent = funcPlace(t.funcs, f) + ' \u00b7 ' + fmt(callers.total) + ' (' + pctText(callers.total, t.total) + ' of the total)';
    swCallers.setTree(callers);
    swCallees.setTree(calleesTree(t, f));
  }
  var swPending = true;

  // ---- function table ----

  var tableRows = [];
  function columns() {
    var cols = [{ key: 'name', label: 'Function', text: true }];
    if (DATA.diff) {
      cols.push({ key: 'self2', label: 'Self before' }, { key: 'self', label: 'Self after' },
        { key: 'dself', label: 'Self change', delta: true }, { key: 'incl2', label: 'Total before' },
        { key: 'incl', label: 'Total after' }, { key: 'dincl', label: 'Total change', delta: true },
        { key: 'pincl', label: 'Change %', pct: true });
    } else {
      cols.push({ key: 'self', label: 'Self' }, { key: 'selfp', label: 'Self %', share: 'self' },
        { key: 'incl', label: 'Total' }, { key: 'inclp', label: 'Total %', share: 'incl' });
      if (DATA.hasCalls) cols.push({ key: 'calls', label: 'Calls', count: true }, { key: 'percall', label: 'Per call' });
    }
    return cols;
  }
  function rowValue(r, key) {
    switch (key) {
      case 'name': return r.name.toLowerCase();
      case 'selfp': return r.self;
      case 'inclp': return r.incl;
      case 'dself': return r.self - r.self2;
      case 'dincl': return r.incl - r.incl2;
      case 'pincl': return r.incl2 ? (r.incl - r.incl2) / Math.abs(r.incl2) : (r.incl ? Infinity : 0);
      case 'percall': return r.calls ? r.incl / r.calls : -1;
      default: return r[key];
    }
  }
  function buildTable() {
    var v = state.view, tb = v.table;
    tableRows = [];
    for (var i = 0; i < tb.func.length; i++) {
      var f = tb.func[i];
      tableRows.push({
        f: f, name: v.funcs.name[f], place: funcPlace(v.funcs, f), self: tb.self[i], incl: tb.incl[i],
        calls: tb.calls[i], self2: tb.self2 ? tb.self2[i] : 0, incl2: tb.incl2 ? tb.incl2[i] : 0
      });
    }
    var thead = document.querySelector('#func-table thead'); clear(thead);
    var tr = el('tr');
    columns().forEach(function (c) {
      var th = el('th', c.text ? 'text' : null, c.label);
      th.setAttribute('data-key', c.key);
      th.addEventListener('click', function () {
        if (state.sort.key === c.key) state.sort.asc = !state.sort.asc;
        else { state.sort.key = c.key; state.sort.asc = !!c.text; }
        renderTable();
      });
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    $('func-table').className = 'data';
    if (DATA.diff && state.sort.key === 'incl') state.sort.key = 'dincl';
    renderTable();
  }
  var TABLE_LIMIT = 1000;
  function renderTable() {
    var v = state.view, key = state.sort.key, asc = state.sort.asc, cols = columns();
    var re = currentRegex($('table-filter').value);
    var fs = state.view.funcs;
    var rows = tableRows.filter(function (r) { return !re || patternMatches(re, r.name, fs.file[r.f], fs.line[r.f]); });
    var absSort = key === 'dself' || key === 'dincl';
    rows.sort(function (a, b) {
      var x = rowValue(a, key), y = rowValue(b, key);
      if (absSort && !asc) { x = Math.abs(x); y = Math.abs(y); }
      if (x === y) return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      return (x < y ? -1 : 1) * (asc ? 1 : -1);
    });
    Array.prototype.forEach.call(document.querySelectorAll('#func-table th'), function (th) {
      th.classList.toggle('sorted', th.getAttribute('data-key') === key);
      th.classList.toggle('asc', asc);
    });
    var body = document.querySelector('#func-table tbody'), frag = document.createDocumentFragment();
    clear(body);
    var total = v.total || 1;
    rows.slice(0, TABLE_LIMIT).forEach(function (r) {
      var tr = el('tr');
      tr.setAttribute('data-func', String(r.f));
      cols.forEach(function (c) {
        var td;
        if (c.text) {
          td = el('td', 'text'); td.appendChild(el('span', null, r.name));
          if (r.place) td.appendChild(el('span', 'file', r.place));
          td.title = r.name + (r.place ? '  ' + r.place : '');
        } else if (c.share) {
          td = el('td'); var box = el('span', 'barbox'), bar = el('span', 'bar');
          bar.style.width = (Math.min(1, Math.max(0, r[c.share] / total)) * 100).toFixed(1) + '%';
          box.appendChild(bar); td.appendChild(box); td.appendChild(document.createTextNode(pctText(r[c.share], total)));
        } else if (c.delta) {
          var d = rowValue(r, c.key); td = el('td', d > 0 ? 'up' : d < 0 ? 'down' : null, d ? fmtDelta(d) : '0');
        } else if (c.pct) {
          td = el('td', r.incl > r.incl2 ? 'up' : r.incl < r.incl2 ? 'down' : null, changePct(r.incl2, r.incl));
        } else if (c.count) td = el('td', null, groupDigits(r.calls));
        else if (c.key === 'percall') td = el('td', null, r.calls ? fmt(r.incl / r.calls) : '');
        else td = el('td', null, fmt(r[c.key]));
        tr.appendChild(td);
      });
      tr.addEventListener('click', function () { select(r.f, 'table'); });
      frag.appendChild(tr);
    });
    body.appendChild(frag);
    var omitted = v.table.omitted ? ' (' + v.table.omitted + ' lighter functions not in the report)' : '';
    $('table-count').textContent = (rows.length > TABLE_LIMIT ? 'showing ' + TABLE_LIMIT + ' of ' : '') + rows.length + ' functions' + omitted;
    markTableSelection();
  }
  function markTableSelection() {
    Array.prototype.forEach.call(document.querySelectorAll('#func-table tbody tr'), function (tr) {
      tr.classList.toggle('selected', +tr.getAttribute('data-func') === state.selected);
    });
  }
  $('table-filter').addEventListener('input', renderTable);

  // ---- hottest lines and their source ----

  function buildLines() {
    var v = state.view, L = v.lines, has = L && L.func.length > 0;
    document.querySelector('[data-tab=lines]').hidden = !has;
    if (!has) return;
    var table = $('line-table'); table.className = 'data';
    var thead = table.querySelector('thead'), body = table.querySelector('tbody');
    clear(thead); clear(body);
    var tr = el('tr');
    ['Line', 'Value', '% of total'].forEach(function (h, k) { tr.appendChild(el('th', k ? null : 'text', h)); });
    thead.appendChild(tr);
    for (var i = 0; i < L.func.length; i++) {
      (function (i) {
        var f = L.func[i], row = el('tr'), td = el('td', 'text');
        td.appendChild(el('span', null, v.funcs.name[f]));
        td.appendChild(el('span', 'file', (v.funcs.file[f] || '?') + ':' + L.line[i]));
        row.appendChild(td);
        row.appendChild(el('td', null, fmt(L.value[i])));
        row.appendChild(el('td', null, pctText(L.value[i], v.total)));
        row.addEventListener('click', function () {
          Array.prototype.forEach.call(body.children, function (r) { r.classList.toggle('selected', r === row); });
          showSource(f, L.line[i]);
        });
        body.appendChild(row);
      })(i);
    }
  }
  function showSource(f, line) {
    var v = state.view, pane = $('source-pane'), file = v.funcs.file[f], src = DATA.sources[file];
    clear(pane);
    pane.appendChild(el('h4', null, v.funcs.name[f] + ' \u2014 ' + file));
    if (!src) { pane.appendChild(el('p', 'muted', 'The source is not in this report (write it with pconv --embed-source).')); return; }
    var values = Object.create(null), L = v.lines;
    for (var i = 0; i < L.func.length; i++) if (v.funcs.file[L.func[i]] === file) values[L.line[i]] = (values[L.line[i]] || 0) + L.value[i];
    var pre = el('pre', 'src'), current = null;
    src.lines.forEach(function (text, k) {
      var n = src.first + k, row = el('div', n === line ? 'current' : values[n] ? 'hot' : null);
      row.appendChild(el('span', 'v', values[n] ? fmt(values[n]) : ''));
      row.appendChild(el('span', 'n', n));
      row.appendChild(el('span', null, text));
      if (n === line) current = row;
      pre.appendChild(row);
    });
    pane.appendChild(pre);
    if (current) current.scrollIntoView({ block: 'center' });
  }

  // ---- memory over time (memray's rss and heap, mprof's rss alone) ----

  function renderMemory() {
    var s = DATA.series, box = $('memory-chart');
    if (!s || !s.t.length) return;
    var lines = s.names[1] == null ? [s.a] : [s.a, s.b], marked = lines.length - 1, mv = lines[marked];
    var c = box.querySelector('canvas') || box.appendChild(el('canvas'));
    var W = Math.max(400, box.clientWidth || 1000), H = 320, dpr = window.devicePixelRatio || 1;
    c.width = W * dpr; c.height = H * dpr; c.style.width = W + 'px'; c.style.height = H + 'px';
    var ctx = c.getContext('2d'); ctx.setTransform(dpr, 0, 0, dpr, 0, 0); ctx.clearRect(0, 0, W, H);
    var L = 80, R = 20, T = 20, B = 40, t0 = s.t[0], t1 = s.t[s.t.length - 1] || t0 + 1, vmax = 1;
    // memray's --time window: seconds from the capture's start, shaded
    var startMs = +(DATA.meta['memray.start_time_ms'] || 0), win = DATA.meta['time.window_s'];
    if (startMs && win) t0 = Math.min(t0, startMs * 1e6);
    var span = memoryView && memoryView.span(); // every epoch can be dragged over
    if (span) { t0 = Math.min(t0, span[0]); t1 = Math.max(t1, span[1]); }
    var w0 = -Infinity, w1 = Infinity, shade = memoryView && memoryView.shade();
    if (win) {
      var ends = win.split(':');
      if (ends[0]) w0 = t0 + 1e9 * +ends[0];
      if (ends[1]) w1 = t0 + 1e9 * +ends[1];
    }
    if (shade && memoryView.window()) { w0 = shade[0]; w1 = shade[1]; }
    for (var i = 0; i < s.t.length; i++) vmax = Math.max(vmax, s.a[i], mv[i]);
    var X = function (t) { return L + (t - t0) / Math.max(1, t1 - t0) * (W - L - R); };
    memoryAxis = { L: L, R: R, W: W, t0: t0, t1: t1 };
    var Y = function (v) { return H - B - v / vmax * (H - T - B); };
    ctx.font = '11px system-ui, "DejaVu Sans", sans-serif'; ctx.fillStyle = '#6a717b'; ctx.strokeStyle = '#e6e2d9';
    for (var g = 0; g <= 4; g++) {
      var gv = vmax * g / 4, gy = Y(gv);
      ctx.beginPath(); ctx.moveTo(L, gy); ctx.lineTo(W - R, gy); ctx.stroke();
      ctx.textAlign = 'right'; ctx.fillText(fmt(gv, 'bytes'), L - 6, gy + 4);
    }
    ctx.textAlign = 'center';
    for (var k = 0; k <= 5; k++) {
      var tt = t0 + (t1 - t0) * k / 5;
      ctx.fillText(((tt - t0) / 1e9).toFixed(2) + ' s', X(tt), H - B + 16);
    }
    var colors = ['#2563eb', '#c2410c'];
    lines.forEach(function (vals, j) {
      ctx.strokeStyle = colors[j]; ctx.lineWidth = 1.6; ctx.beginPath();
      for (var i = 0; i < vals.length; i++) { if (i) ctx.lineTo(X(s.t[i]), Y(vals[i])); else ctx.moveTo(X(s.t[i]), Y(vals[i])); }
      ctx.stroke();
      ctx.fillStyle = colors[j]; ctx.textAlign = 'left';
      ctx.fillRect(L + 10 + j * 110, T - 12, 10, 10);
      ctx.fillStyle = '#1f2328'; ctx.fillText(s.names[j], L + 24 + j * 110, T - 3);
    });
    if (win) {
      ctx.fillStyle = 'rgba(29,78,216,0.10)';
      var sx0 = X(Math.max(t0, w0)), sx1 = X(Math.min(t1, w1));
      ctx.fillRect(sx0, T, Math.max(1, sx1 - sx0), H - T - B);
      ctx.fillStyle = '#1d4ed8'; ctx.textAlign = 'left'; ctx.fillText('--time ' + win, sx0 + 4, H - B - 6);
    }
    if (shade) { // a window of the heap's history, or the range being dragged
      var hx0 = X(Math.max(t0, shade[0])), hx1 = X(Math.min(t1, shade[1]));
      ctx.fillStyle = 'rgba(29,78,216,0.16)';
      ctx.fillRect(hx0, T, Math.max(1, hx1 - hx0), H - T - B);
      ctx.fillStyle = 'rgba(29,78,216,0.8)';
      ctx.fillRect(hx0, T, 1, H - T - B); ctx.fillRect(hx1 - 1, T, 1, H - T - B);
    }
    var peak = -1; // the highest point inside the window
    for (var p = 0; p < mv.length; p++) if (s.t[p] >= w0 && s.t[p] < w1 && (peak < 0 || mv[p] > mv[peak])) peak = p;
    if (peak < 0) peak = 0;
    var px = X(s.t[peak]), py = Y(mv[peak]);
    ctx.strokeStyle = '#c2410c'; ctx.setLineDash([4, 3]); ctx.beginPath(); ctx.moveTo(px, T); ctx.lineTo(px, H - B); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = '#c2410c'; ctx.beginPath(); ctx.arc(px, py, 4.5, 0, 2 * Math.PI); ctx.fill();
    var label = 'peak ' + s.names[marked] + ' ' + fmt(mv[peak], 'bytes') + ' at ' + ((s.t[peak] - t0) / 1e9).toFixed(3) + ' s';
    ctx.textAlign = px > W / 2 ? 'right' : 'left'; ctx.fillStyle = '#1f2328';
    ctx.fillText(label, px + (px > W / 2 ? -8 : 8), Math.max(T + 12, py - 8));
    box.setAttribute('data-peak', String(mv[peak]));
    c.onmousemove = function (e) {
      var r = c.getBoundingClientRect(), mx = e.clientX - r.left, best = 0;
      for (var i = 1; i < s.t.length; i++) if (Math.abs(X(s.t[i]) - mx) < Math.abs(X(s.t[best]) - mx)) best = i;
      var d = el('div'), tb = el('table');
      d.appendChild(el('div', 'name', ((s.t[best] - t0) / 1e9).toFixed(3) + ' s'));
      tipRow(tb, s.names[0], fmt(s.a[best], 'bytes'));
      if (marked) tipRow(tb, s.names[1], fmt(s.b[best], 'bytes'));
      d.appendChild(tb);
      showTip(e, d);
    };
    c.onmouseleave = hideTip;
    $('memory-note').textContent = s.t.length + ' points' + (DATA.views.length > 1 ? '; the flame graph view (' + DATA.views.map(function (v) { return v.name; }).join(', ') + ') is chosen at the top.' : '.');
  }
  var memoryAxis = null;
  // The time (ns since the epoch) under a mouse's clientX on the chart.
  function memoryTimeAt(clientX) {
    var c = $('memory-chart').querySelector('canvas'), A = memoryAxis;
    if (!c || !A) return 0;
    var x = clientX - c.getBoundingClientRect().left;
    return A.t0 + (x - A.L) / (A.W - A.L - A.R) * (A.t1 - A.t0);
  }

  // ---- windows of the memory chart ----
  // A range dragged over the chart keeps whole epochs of a history (W:
  // heap.js for memray's heap, calls.js for mprof's call graph), whose
  // view(name, i, j) every tab then shows; the bar names the same window as
  // pconv's --time.
  function memoryWindows(W) {
    var win = null, drag = null, S = W.start_ms, n = S.length - 1;
    function msAt(e) { return memoryTimeAt(e.clientX) / 1e6 - W.originMs; }
    function epochFrom(ms) { var e = 0; while (e + 1 < n && S[e + 1] <= ms) e++; return e; }
    function epochTo(ms) { var e = n; while (e - 1 > 0 && S[e - 1] >= ms) e--; return e; }
    function setWindow(i, j) {
      win = i === null || (i <= 0 && j >= n) ? null : [i, j];
      loadView(state.viewIndex); showTab(currentTab);
      renderInfo();
    }
    // Seconds from the chart's start, open at either end of the run.
    function timeArg() {
      var sec = function (e) { return (S[e] / 1000).toFixed(3); };
      return (win[0] > 0 ? sec(win[0]) : '') + ':' + (win[1] < n ? sec(win[1]) : '');
    }
    function renderInfo() {
      $('memory-clear').disabled = !win;
      $('memory-window').textContent = win
        ? 'Window --time ' + timeArg() + ' (' + (win[1] - win[0]) + ' of ' + n + ' epochs): ' + W.shows
        : 'Whole run. Drag over the chart to keep a window: it snaps to epochs of ' + (S[n] / n).toFixed(1) + ' ms.';
    }
    $('memory-chart').addEventListener('mousedown', function (e) {
      drag = { a: msAt(e), b: msAt(e), x: e.clientX };
      e.preventDefault();
    });
    window.addEventListener('mousemove', function (e) {
      if (!drag) return;
      drag.b = msAt(e); renderMemory();
    });
    window.addEventListener('mouseup', function (e) {
      if (!drag) return;
      var d = drag, moved = Math.abs(e.clientX - d.x) > 3;
      drag = null;
      if (!moved) { renderMemory(); return; }
      var i = epochFrom(Math.min(d.a, d.b)), j = Math.max(i + 1, epochTo(Math.max(d.a, d.b)));
      setWindow(i, j);
    });
    $('memory-clear').addEventListener('click', function () { setWindow(null); });
    $('memory-bar').hidden = false;
    renderInfo();
    return {
      // The window's view of DATA.views[k], or null without a window.
      view: function (k) { return win ? W.view(DATA.views[k].name || DATA.views[0].name, win[0], win[1]) : null; },
      window: function () { return win; },
      setWindow: setWindow,
      epochs: n,
      timeArg: function () { return win ? timeArg() : null; },
      // The epochs' span, in ns since the epoch.
      span: function () { return [W.originMs * 1e6, (W.originMs + S[n]) * 1e6]; },
      // What the chart shades, in ns since the epoch: the window, or the drag.
      shade: function () {
        var ms = drag ? [Math.min(drag.a, drag.b), Math.max(drag.a, drag.b)] : win ? [S[win[0]], S[win[1]]] : null;
        return ms && [(W.originMs + ms[0]) * 1e6, (W.originMs + ms[1]) * 1e6];
      }
    };
  }

  // ---- tabs ----

  var currentTab = 'flame';
  function showTab(name) {
    currentTab = name;
    Array.prototype.forEach.call(document.querySelectorAll('#tabs button'), function (b) { b.classList.toggle('active', b.getAttribute('data-tab') === name); });
    Array.prototype.forEach.call(document.querySelectorAll('.tab'), function (s) { s.classList.toggle('active', s.id === 'tab-' + name); });
    if (name === 'flame') flame.render();
    if (name === 'sandwich') renderSandwich();
    if (name === 'memory') renderMemory();
    if (name === 'time' && timeView) timeView.renderChart();
  }
  Array.prototype.forEach.call(document.querySelectorAll('#tabs button'), function (b) {
    b.addEventListener('click', function () { showTab(b.getAttribute('data-tab')); });
  });
  var _select = select;
  select = function (f, from) {
    _select(f, from);
    if (from === 'table') showTab('flame');
    if (from === 'time' && timeView) timeView.renderChart();
  };

  // ---- start ----

  if (DATA.views.length > 1) {
    var sel = $('view-select');
    DATA.views.forEach(function (v, k) { var o = el('option', null, v.name || ('view ' + (k + 1))); o.value = String(k); sel.appendChild(o); });
    sel.addEventListener('change', function () {
      if (timeView && timeView.window()) timeView.setWindow(null);
      loadView(+sel.value); showTab(currentTab);
    });
    $('view-box').hidden = false;
  }
  if (DATA.series && DATA.series.t.length) document.querySelector('[data-tab=memory]').hidden = false;
  // Windows of the memory chart when the first view carries a history: the
  // heap's (heap.js) or the call graph's (calls.js).
  var memoryView = null, histories = { heap: window.profkitHeapWindows, calls: window.profkitCallsWindows };
  Object.keys(histories).forEach(function (key) {
    if (!DATA.views[0][key] || !histories[key] || memoryView) return;
    memoryView = memoryWindows(histories[key]({
      data: DATA, siteFrames: siteFrames, siteLines: siteLines, siteTable: siteTable, varints: varints
    }));
  });
  loadView(0);
  // The time view (time.js) when the first view carries samples.
  var timeView = null;
  if (DATA.views[0].time && window.profkitTimeView) {
    $('time-box').hidden = false;
    document.body.classList.add('timed');
    document.querySelector('[data-tab=time]').hidden = false;
    timeView = window.profkitTimeView({
      data: DATA, state: state, $: $, el: el, fmt: fmt, pctText: pctText, showTip: showTip, hideTip: hideTip,
      tipRow: tipRow, frameName: frameName, funcPlace: funcPlace, kindColor: kindColor,
      patternMatches: patternMatches, showView: function (v) { showView(v); showTab(currentTab); },
      siteLines: siteLines, siteTable: siteTable, varints: varints,
      select: function (f, from) { select(f, from); }, currentTab: function () { return currentTab; },
      searchRegex: function () { return currentRegex($('search').value) || null; }
    });
  }
  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { showTab(currentTab); if (timeView) timeView.redraw(); }, 120);
  });

  // A small handle for tests and the console.
  window.profkitReport = {
    data: DATA, flame: flame, state: state, showTab: showTab, select: function (f) { select(f, 'api'); },
    time: timeView,
    memory: memoryView,
    findFrame: function (name) {
      var t = state.tree, best = -1;
      for (var i = 0; i < t.n; i++) if (t.func[i] >= 0 && t.funcs.name[t.func[i]] === name && (best < 0 || t.value[i] > t.value[best])) best = i;
      return best;
    },
    boxOf: function (i) { flame.reveal(i); return flame.boxOf(i); }
  };
  document.body.setAttribute('data-ready-ms', String(Math.round(performance.now())));
  document.body.setAttribute('data-ready', '1');
})();
