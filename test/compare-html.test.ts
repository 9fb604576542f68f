/**
 * compare --out in real headless Chromium: compare.html loads nothing from the network, logs no
 * errors, draws every side-by-side chart, shows the regressed rows, and shows hostile strings from a
 * run as text. The PNGs are real PNGs, one per chart.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, openDrawn } from './browser.js';
import { runCli, scratchDir } from './helpers.js';
import { parseRun, type Run } from '../src/results/schema.js';
import { onTestbed } from './fixtures/testbed.js';

/** The quick-run fixture as recorded on testbed lab-a (it predates testbeds), so its latencies compare. */
const FIXTURE = join(scratchDir('guardbench-compare-html-fixture-'), 'quick-run.json');
writeFileSync(FIXTURE, JSON.stringify(onTestbed(parseRun(readFileSync(new URL('./fixtures/quick-run.json', import.meta.url).pathname, 'utf8')))));
const HOSTILE = '<img src=x onerror="alert(1)">';
let browser: Browser;

before(async () => {
  browser = await launchChromium();
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

  const { page, errors, requests, dialogs } = await openDrawn(browser, join(out, 'compare.html'));

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

test('compare.html at 1280 px: the tables keep rows short (a short reason in the cell, the long one on hover)', async () => {
  const dir = scratchDir('guardbench-compare-html-width-');
  const host = (n: number) => new URL(`./fixtures/runs/this-host-quick-${n}.json`, import.meta.url).pathname;
  const out = join(dir, 'out');
  assert.equal(runCli(['compare', host(1), host(2), '--out', out, '--quiet']).code, 1);
  const { page, errors } = await openDrawn(browser, join(out, 'compare.html'), { width: 1280, unfold: true });
  assert.deepEqual(errors, []);
  const rows = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ h: tr.getBoundingClientRect().height, title: (tr as HTMLElement).title })));
  assert.ok(rows.length > 100);
  // Two lines of text at most: no cell is squeezed to a word per line.
  const tall = rows.filter((r) => r.h > 80);
  assert.deepEqual(tall, [], `rows taller than 80 px: ${tall.length}`);
  assert.ok(rows.every((r) => r.title.length > 0), 'every row has its long reason as a tooltip');
  await page.screenshot({ path: join(dir, 'compare-1280.png') });
  await page.close();
});
