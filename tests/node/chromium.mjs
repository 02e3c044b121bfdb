// Debian's Chromium, headless, as every browser check here starts it: no
// sandbox (containers, root), nothing fetched in the background.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

export function launchChromium(executablePath) {
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// A page of the browser whose trouble lands in `problems`: console errors
// and warnings, uncaught errors, requests that leave file://.
export async function watchedPage(browser, problems) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`); });
  return page;
}

// `node SCRIPT CHROMIUM OUTDIR SPEC.json`: check(browser, outdir, spec) for
// every spec in the file, in order; prints their results as one JSON array
// (a check that throws gives its error as a problem).
export async function runChecks(check) {
  const [executablePath, outdir, specFile] = process.argv.slice(2);
  const specs = JSON.parse(readFileSync(specFile, 'utf8'));
  const browser = await launchChromium(executablePath);
  const results = [];
  for (const spec of specs) {
    try {
      results.push(await check(browser, outdir, spec));
    } catch (e) {
      results.push({ file: spec.file, facts: {}, requests: [], problems: [`check failed: ${e.message}`] });
    }
  }
  await browser.close();
  console.log(JSON.stringify(results));
}

// A mouse drag across the element `selector`, from fraction a to fraction b
// of its width, y pixels below its top.
export async function dragAcross(page, selector, a, b, y) {
  const box = await page.locator(selector).boundingBox();
  await page.mouse.move(box.x + box.width * a, box.y + y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * b, box.y + y, { steps: 8 });
  await page.mouse.up();
}

// Run in a report's page: what its view shows now, total, table rows and
// lines by name (functions of one name and file summed, as the tests'
// models do).
export function viewNow() {
  const v = window.profkitReport.state.view, fs = v.funcs, key = (f) => fs.name[f] + '\u0000' + fs.file[f];
  const table = {}, lines = {};
  v.table.func.forEach((f, i) => {
    const t = table[key(f)] || [0, 0, 0];
    table[key(f)] = [t[0] + v.table.self[i], t[1] + v.table.incl[i], t[2] + v.table.calls[i]];
  });
  v.lines.func.forEach((f, i) => { lines[key(f) + '\u0000' + v.lines.line[i]] = v.lines.value[i]; });
  return { name: v.name, total: v.total, table, lines, frameTotal: window.profkitReport.state.tree.total };
}
