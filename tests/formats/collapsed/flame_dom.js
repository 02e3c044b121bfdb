// Runs a flame graph SVG's script against a small stand-in for the DOM and
// reports what zooming and searching did. Input (stdin, JSON from
// test_flame.py): {script, width, frames: [{attrs, rect, title, text}], ids,
// actions}. Output: the state of every frame after each action.
'use strict';

class Text {
  constructor(v) { this.nodeValue = v; }
}

class El {
  constructor(tag, attrs, text) {
    this.nodeName = tag;
    this.attrs = Object.assign({}, attrs || {});
    this.children = [];
    this.parentNode = null;
    this.style = {display: ''};
    this.listeners = {};
    this.firstChild = text === undefined ? null : new Text(text);
  }
  getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  appendChild(c) { c.parentNode = this; this.children.push(c); return c; }
  getElementsByTagName(t) {
    const out = [];
    const walk = (n) => { for (const c of n.children) { if (c.nodeName === t) out.push(c); walk(c); } };
    walk(this);
    return out;
  }
  addEventListener(ev, fn) { (this.listeners[ev] = this.listeners[ev] || []).push(fn); }
  fire(ev, arg) { for (const fn of this.listeners[ev] || []) fn(arg); }
  get textContent() { return this.firstChild ? this.firstChild.nodeValue : ''; }
  set textContent(v) { this.firstChild = new Text(String(v)); }
}

const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const svg = new El('svg', {width: String(input.width)});
const byId = {};
for (const [id, text] of Object.entries(input.ids)) {
  byId[id] = svg.appendChild(new El('text', {id: id, class: id === 'unzoom' ? 'hide' : ''}, text));
}
const fg = svg.appendChild(new El('g', input.frames_attrs));
byId.frames = fg;
const frames = input.frames.map((f) => {
  const g = fg.appendChild(new El('g', f.attrs));
  g.appendChild(new El('title', {}, f.title));
  g.appendChild(new El('rect', f.rect));
  if (f.text !== null) g.appendChild(new El('text', {}, f.text));
  return g;
});
const win = new El('window');
const document = {
  documentElement: svg,
  getElementById: (id) => byId[id] || null,
  createElementNS: (ns, tag) => new El(tag, {}, ''),
};
let answer = null;
const api = new Function('document', 'window', 'prompt', 'alert',
  input.script + '\nreturn {init: init, search: search};')(
  document, win, () => answer, (m) => { throw new Error('alert: ' + m); });
api.init({});

function state() {
  return {
    frames: frames.map((g) => ({
      display: g.style.display,
      cls: g.getAttribute('class'),
      x: +g.getElementsByTagName('rect')[0].getAttribute('x'),
      w: +g.getElementsByTagName('rect')[0].getAttribute('width'),
      fill: g.getElementsByTagName('rect')[0].getAttribute('fill'),
    })),
    matched: byId.matched.firstChild.nodeValue,
    unzoom_hidden: (byId.unzoom.getAttribute('class') || '').split(' ').indexOf('hide') >= 0,
  };
}

const out = [];
for (const a of input.actions) {
  if (a.click !== undefined) fg.fire('click', {target: frames[a.click].getElementsByTagName('rect')[0]});
  if (a.search !== undefined) { answer = a.search; byId.search.fire('click'); }
  if (a.reset) byId.unzoom.fire('click');
  out.push(state());
}
process.stdout.write(JSON.stringify(out));
