// Opens profkit HTML reports of memray captures and mprof files in headless
// Chromium and reports what the page computes for windows of the memory
// chart, so the test can hold it against `pconv [--view V] --time A:B`
// (tests/formats/html/test_html_time.py).
//   node heap_check.mjs CHROMIUM OUTDIR SPEC.json
// SPEC: [{"file": ..., "windows": [[from_epoch, to_epoch], ...]}]
// Prints one JSON result per report: per window and view the --time
// argument the page gives, its total, table, lines and flame graph by path;
// what a drag did.
import { basename, join } from 'node:path';
import { dragAcross, runChecks, viewNow, watchedPage } from './chromium.mjs';

// Run in the page: the flame graph's values by path of names, root first.
function framesNow() {
  const t = window.profkitReport.state.tree, path = [], out = {};
  for (let i = 0; i < t.n; i++) {
    const f = t.func[i], p = t.parent[i];
    path[i] = (p >= 0 ? path[p] + ';' : '') + (f >= 0 ? t.funcs.name[f] : t.merged[i] ? '[narrow]' : 'all');
    out[path[i]] = (out[path[i]] || 0) + t.value[i];
  }
  return out;
}
const viewAndFrames = `Object.assign((${viewNow})(), { frames: (${framesNow})() })`;

async function eachView(page, fn) {
  const n = await page.evaluate(() => window.profkitReport.data.views.length);
  for (let k = 0; k < n; k++) {
    if (n > 1) await page.selectOption('#view-select', String(k));
    await fn(k);
  }
}

async function check(browser, outdir, spec) {
  const problems = [], facts = {}, page = await watchedPage(browser, problems);
  await page.goto('file://' + spec.file, { waitUntil: 'load', timeout: 60000 });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  facts.heap = await page.evaluate(() => !!window.profkitReport.memory);
  facts.bar = await page.evaluate(() => !document.getElementById('memory-bar').hidden);
  if (!facts.heap) { await page.close(); return { file: spec.file, facts, problems }; }
  facts.epochs = await page.evaluate(() => window.profkitReport.memory.epochs);
  facts.whole = [];
  await eachView(page, async () => facts.whole.push(await page.evaluate(viewAndFrames)));
  // windows set through the page's own handle, as a drag would
  facts.windows = [];
  for (const [a, b] of spec.windows || []) {
    await page.evaluate(([a, b]) => window.profkitReport.memory.setWindow(a, b), [a, b]);
    const timeArg = await page.evaluate(() => window.profkitReport.memory.timeArg());
    await eachView(page, async () => facts.windows.push({ asked: [a, b], timeArg, view: await page.evaluate(viewAndFrames) }));
  }
  await page.evaluate(() => window.profkitReport.memory.setWindow(null));
  await page.selectOption('#view-select', '0').catch(() => {});
  // a drag over the memory chart, from 20 % to 60 % of its width
  await page.click('[data-tab=memory]');
  await dragAcross(page, '#memory-chart canvas', 0.2, 0.6, 150);
  facts.dragged = await page.evaluate(() => window.profkitReport.memory.window());
  facts.draggedArg = await page.evaluate(() => window.profkitReport.memory.timeArg());
  facts.info = await page.textContent('#memory-window');
  await page.screenshot({ path: join(outdir, basename(spec.file) + '.memory.png') });
  await page.click('[data-tab=table]');
  facts.tableRows = await page.$$eval('#func-table tbody tr', (r) => r.length);
  facts.draggedView = await page.evaluate(viewAndFrames);
  await page.click('[data-tab=flame]');
  facts.flameDrawn = +(await page.getAttribute('#flame-chart', 'data-drawn') || 0);
  await page.screenshot({ path: join(outdir, basename(spec.file) + '.window.png') });
  await page.click('[data-tab=memory]');
  await page.click('#memory-clear');
  facts.cleared = await page.evaluate(() => window.profkitReport.memory.window());
  await page.close();
  return { file: spec.file, facts, problems };
}

await runChecks(check);
