// Opens profkit HTML reports with a time view in headless Chromium and
// reports what the page computes for time windows, so the test can hold it
// against `pconv --time` (tests/formats/html/test_html_time.py).
//   node time_check.mjs CHROMIUM OUTDIR SPEC.json
// SPEC: [{"file": ..., "windows": [[from_us, to_us], ...], "search": "regex"}]
// Prints one JSON result per report: per window the total, the function
// table and the line list; what a drag over the strip did; the chart.
import { basename, join } from 'node:path';
import { dragAcross, runChecks, viewNow, watchedPage } from './chromium.mjs';

async function check(browser, outdir, spec) {
  const problems = [], facts = {}, page = await watchedPage(browser, problems);
  const t0 = Date.now();
  await page.goto('file://' + spec.file, { waitUntil: 'load', timeout: 60000 });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  facts.loadMs = Date.now() - t0;
  facts.timeTab = await page.evaluate(() => !document.querySelector('[data-tab=time]').hidden);
  if (!facts.timeTab) { await page.close(); return { file: spec.file, facts, problems }; }
  facts.duration = await page.evaluate(() => window.profkitReport.time.duration);
  facts.strip = await page.getAttribute('#time-strip', 'data-drawn');
  facts.whole = await page.evaluate(viewNow);
  // windows set through the page's own handle, as a drag would
  facts.windows = [];
  for (const [a, b] of spec.windows || []) {
    facts.windows.push(await page.evaluate(([a, b]) => {
      window.profkitReport.time.setWindow(a, b);
      return window.profkitReport.time.window();
    }, [a, b]).then(async (w) => ({ asked: [a, b], window: w, view: await page.evaluate(viewNow) })));
  }
  await page.evaluate(() => window.profkitReport.time.setWindow(null));
  // the time tab: drawn, zoomed by the wheel, searched
  await page.click('[data-tab=time]');
  facts.chartDrawn = +(await page.getAttribute('#time-chart', 'data-drawn') || 0);
  const range0 = await page.getAttribute('#time-chart', 'data-range');
  const chart = await page.locator('#time-chart canvas').boundingBox();
  await page.mouse.move(chart.x + chart.width * 0.3, chart.y + 40);
  await page.mouse.wheel(0, -600);
  await page.waitForTimeout(100);
  facts.zoomed = [range0, await page.getAttribute('#time-chart', 'data-range')];
  // zoomed in, each thread's last row still has a bar in view (no empty rows of deeper stacks)
  facts.rowsFilled = await page.evaluate(() => {
    const c = window.profkitReport.time.chart;
    return c.layout.every((L) => {
      const last = L.rows[L.rows.length - 1];
      return !last || last.start.some((s, j) => s < c.v1 && last.end[j] > c.v0);
    });
  });
  if (spec.search) {
    await page.fill('#time-search', spec.search);
    facts.hits = +(await page.getAttribute('#time-chart', 'data-hits') || 0);
  }
  await page.screenshot({ path: join(outdir, basename(spec.file) + '.time.png') });
  // a drag over the strip: from 10 % to 40 % of the run
  await page.click('[data-tab=table]');
  const firstRow = () => page.$$eval('#func-table tbody tr', (r) => r.slice(0, 3).map((x) => x.textContent));
  facts.rowsBefore = await firstRow();
  await dragAcross(page, '#time-strip canvas', 0.1, 0.4, 20);
  facts.dragged = await page.evaluate(() => window.profkitReport.time.window());
  facts.rowsAfter = await firstRow();
  facts.draggedView = await page.evaluate(viewNow);
  facts.info = await page.textContent('#time-info');
  await page.screenshot({ path: join(outdir, basename(spec.file) + '.window.png') });
  await page.click('[data-tab=flame]');
  facts.flameDrawn = +(await page.getAttribute('#flame-chart', 'data-drawn') || 0);
  await page.click('#time-clear');
  facts.cleared = await page.evaluate(() => window.profkitReport.time.window());
  await page.close();
  return { file: spec.file, facts, problems };
}

await runChecks(check);
