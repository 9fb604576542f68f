/**
 * compare --out in real headless Chromium: compare.html loads nothing from the network, logs no
 * errors, draws every side-by-side chart, shows the regressed rows, and shows hostile strings from a
 * run as text. The PNGs are real PNGs, one per chart.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { runCli, scratchDir } from './helpers.js';
import { parseRun, type Run } from '../src/results/schema.js';

const FIXTURE = new URL('./fixtures/quick-run.json', import.meta.url).pathname;
const HOSTILE = '<img src=x onerror="alert(1)">';
let browser: Browser;

before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
});
after(async () => {
  await browser?.close();
});

function doctored(): Run {
  const run = parseRun(readFileSync(FIXTURE, 'utf8'));
  for (const row of run.rows) {
    if (row.strategy !== 'guard-madvise' || !row.stats || row.value === null) continue;
    row.value *= 1.3;
    for (const k of ['mean', 'median', 'p75', 'p99', 'min', 'max', 'sd'] as const) row.stats[k] *= 1.3;
  }
  run.env.kernel.release = `6.19.0-${HOSTILE}`;
  run.rows.find((r) => r.status === 'skipped')!.reason = HOSTILE;
  return run;
}

test('compare.html draws every chart, names the regressions, runs nothing from the data', async () => {
  const dir = scratchDir('guardbench-compare-html-');
  const current = join(dir, 'current.json');
  writeFileSync(current, JSON.stringify(doctored()));
  const out = join(dir, 'out');
  const r = runCli(['compare', FIXTURE, current, '--out', out, '--quiet']);
  assert.equal(r.code, 1, r.stderr);

  const pngs = readdirSync(join(out, 'charts'));
  assert.ok(pngs.length >= 5, `charts: ${pngs.join(', ')}`);
  for (const f of pngs) assert.deepEqual([...readFileSync(join(out, 'charts', f)).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], f);

  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  const url = pathToFileURL(join(out, 'compare.html')).href;
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (q) => { if (q.url() !== url) requests.push(q.url()); });
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(url);
  await page.waitForFunction(() => [...document.querySelectorAll('canvas')].every((c) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let drawn = 0;
    for (let i = 0; i < d.length; i += 16) if (d[i + 3]! > 0 && (d[i]! < 230 || d[i + 1]! < 230 || d[i + 2]! < 230)) drawn++;
    return drawn > 200;
  }), undefined, { timeout: 15_000 });

  assert.deepEqual(errors, []);
  assert.deepEqual(requests, []);
  assert.deepEqual(dialogs, []);
  assert.equal(await page.locator('canvas').count(), pngs.length);
  assert.equal(await page.locator('tr.regressed').count(), 12);
  const text = await page.locator('main').innerText();
  assert.match(text, /12 regressed beyond 5%/);
  assert.ok(text.includes(HOSTILE), 'the hostile kernel string is shown as text');
  assert.equal(await page.locator('main img').count(), 0, 'no element was made from the data');
  await page.close();
});
