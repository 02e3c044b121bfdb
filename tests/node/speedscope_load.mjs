// Loads speedscope JSON files into speedscope itself (the npm package's
// built app) in headless Chromium, the way its command line does, and
// reports for each whether it imported: the title names the profile, a
// flame chart canvas drew, and no alert or page error came up.
//   node speedscope_load.mjs CHROMIUM FILE...
import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';

const [executablePath, ...files] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const app = join(here, 'node_modules/speedscope/dist/release/index.html');
const browser = await launchChromium(executablePath);
const tmp = mkdtempSync(join(tmpdir(), 'speedscope-'));
const results = [];
for (const file of files) {
  const name = basename(file);
  const js = join(tmp, `${results.length}.js`);
  writeFileSync(js, `speedscope.loadFileFromBase64(${JSON.stringify(name)}, ` +
    `${JSON.stringify(readFileSync(file).toString('base64'))})`);
  const page = await browser.newPage();
  const problems = [];
  page.on('dialog', async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
  await page.goto(`file://${app}#localProfilePath=${js}`);
  let title = '';
  try {
    await page.waitForFunction(() => document.title.includes(' - speedscope'), null, { timeout: 20000 });
    title = await page.title();
  } catch (e) {
    problems.push(`no profile title after 20 s (title: ${await page.title()})`);
  }
  const canvases = await page.locator('canvas').count();
  if (canvases === 0) problems.push('no canvas drawn');
  results.push({ file: name, title, canvases, requests, problems });
  await page.close();
}
await browser.close();
console.log(JSON.stringify(results));
