// Opens profkit HTML reports from file:// in headless Chromium and checks
// the page after its scripts ran: frames drawn, search, click-to-zoom,
// table sorting, the sandwich and the other tabs; no request left the page
// and nothing went wrong in the console. Saves a screenshot of each.
//   node report_check.mjs CHROMIUM OUTDIR SPEC.json
// SPEC: [{"file": ..., "search": "regex", "expect": {...}}, ...]
// Prints one JSON result per report.
import { basename, join } from 'node:path';
import { runChecks } from './chromium.mjs';

async function check(browser, outdir, spec) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = [], facts = {};
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  const url = 'file://' + spec.file;
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: 60000 });
  try {
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  } catch (e) {
    problems.push('the report did not finish starting');
  }
  facts.loadMs = Date.now() - t0;
  facts.readyMs = +(await page.getAttribute('body', 'data-ready-ms') || -1);
  facts.pwned = await page.evaluate(() => window.pwned === true || document.querySelectorAll('[data-pwned]').length > 0);
  facts.drawn = +(await page.getAttribute('#flame-chart', 'data-drawn') || 0);
  facts.title = await page.title();
  facts.notes = await page.textContent('#notes');
  facts.headers = await page.$$eval('#func-table th', (t) => t.map((x) => x.textContent));
  if (spec.hostile || spec.quick) {
    // the hostile-names and speed checks stop here
    await page.screenshot({ path: join(outdir, basename(spec.file) + '.png') });
    await page.close();
    return { file: spec.file, facts, requests, problems };
  }
  // search
  if (spec.search) {
    await page.fill('#search', spec.search);
    facts.matched = await page.textContent('#matched');
    facts.matchedPct = parseFloat((facts.matched.match(/([\d.]+) %/) || [0, 'NaN'])[1]);
    await page.fill('#search', '');
  }
  // click-to-zoom on the widest frame below the root that has children
  const target = await page.evaluate(() => {
    const r = window.profkitReport, t = r.state.tree;
    let best = -1;
    for (const kids of [true, false]) {
      for (let i = 0; i < t.n; i++)
        if (t.parent[i] >= 0 && t.func[i] >= 0 && (t.firstChild[i] >= 0 || !kids) && t.value[i] < t.total &&
            (best < 0 || t.value[i] > t.value[best])) best = i;
      if (best >= 0) break;
    }
    if (best < 0) return null;
    const b = r.boxOf(best);
    return b && { i: best, x: b.x + Math.min(b.w / 2, 20), y: b.y + b.h / 2 };
  });
  if (target) {
    await page.mouse.move(target.x, target.y);
    facts.tooltip = await page.evaluate(() => { const t = document.getElementById('tooltip'); return t.hidden ? '' : t.textContent; });
    await page.mouse.click(target.x, target.y);
    facts.zoomedTo = +(await page.getAttribute('#flame-chart', 'data-zoom'));
    facts.zoomTarget = target.i;
    facts.crumbs = await page.locator('#crumbs a').count();
    facts.drawnZoomed = +(await page.getAttribute('#flame-chart', 'data-drawn'));
  }
  await page.screenshot({ path: join(outdir, basename(spec.file) + '.png') });
  // icicle switch
  await page.click('#orient [data-orient=icicle]');
  facts.icicleDrawn = +(await page.getAttribute('#flame-chart', 'data-drawn'));
  await page.click('#reset-zoom').catch(() => {});
  // sandwich
  await page.click('[data-tab=sandwich]');
  facts.sandwich = {
    callers: +(await page.getAttribute('#sw-callers', 'data-drawn') || 0),
    callees: +(await page.getAttribute('#sw-callees', 'data-drawn') || 0),
  };
  await page.screenshot({ path: join(outdir, basename(spec.file) + '.sandwich.png') });
  // table: sort by self, then by total, read the first rows
  await page.click('[data-tab=table]');
  const firstNames = async () => page.$$eval('#func-table tbody tr', (rows) => rows.slice(0, 5).map((r) => r.cells[0].textContent));
  const sortBy = async (key) => { await page.click(`#func-table th[data-key=${key}]`); return firstNames(); };
  facts.rows = await page.locator('#func-table tbody tr').count();
  facts.byName = await sortBy('name');
  facts.byNameAgain = await sortBy('name');
  facts.bySelf = await page.evaluate(async () => {
    document.querySelector('#func-table th[data-key=self]').click();
    const cells = [...document.querySelectorAll('#func-table tbody tr')].slice(0, 50);
    return cells.map((r) => +r.getAttribute('data-func'));
  });
  facts.selfSorted = await page.evaluate((funcs) => {
    const r = window.profkitReport, tb = r.state.view.table, self = new Map();
    tb.func.forEach((f, i) => self.set(f, tb.self[i]));
    const vals = funcs.map((f) => self.get(f));
    return vals.every((v, i) => i === 0 || vals[i - 1] >= v);
  }, facts.bySelf);
  await page.screenshot({ path: join(outdir, basename(spec.file) + '.table.png') });
  // clicking a row selects the function in the flame graph
  if (facts.rows > 0) {
    await page.click('#func-table tbody tr:first-child');
    facts.selected = await page.evaluate(() => window.profkitReport.state.selected);
    facts.tabAfterRowClick = await page.evaluate(() => document.querySelector('#tabs button.active').getAttribute('data-tab'));
  }
  // lines
  facts.linesTab = await page.evaluate(() => !document.querySelector('[data-tab=lines]').hidden);
  if (facts.linesTab) {
    await page.click('[data-tab=lines]');
    await page.click('#line-table tbody tr:first-child');
    facts.sourceShown = await page.locator('#source-pane pre.src div').count();
    await page.screenshot({ path: join(outdir, basename(spec.file) + '.lines.png') });
  }
  // memory
  facts.memoryTab = await page.evaluate(() => !document.querySelector('[data-tab=memory]').hidden);
  if (facts.memoryTab) {
    await page.click('[data-tab=memory]');
    facts.peak = +(await page.getAttribute('#memory-chart', 'data-peak') || 0);
    facts.views = await page.$$eval('#view-select option', (o) => o.map((x) => x.textContent));
    await page.screenshot({ path: join(outdir, basename(spec.file) + '.memory.png') });
    if (facts.views.length > 1) {
      await page.selectOption('#view-select', '1');
      facts.view1Title = await page.textContent('#title');
    }
  }
  await page.close();
  return { file: spec.file, facts, requests, problems };
}

await runChecks(check);
