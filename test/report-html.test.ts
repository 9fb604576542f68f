/**
 * report.html in real headless Chromium: it loads nothing from the network, logs no errors, draws
 * every chart, sorts its raw rows, and shows hostile strings from a run as text without running them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, openDrawn } from './browser.js';
import { renderReports } from '../src/report/index.js';
import { scratchDir } from './helpers.js';
import { HOSTILE_KERNEL, HOSTILE_PARAM, hostileRun, quickRun } from './fixtures/report-synthetic.js';

let browser: Browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** Open a report once its charts have drawn and finished animating. */
const open = (file: string) => openDrawn(browser, file, 1200);

async function render(run = quickRun()): Promise<string> {
  const dir = scratchDir('guardbench-html-');
  await renderReports(run, dir, ['html']);
  return join(dir, 'report.html');
}

test('the quick run report draws every chart with no errors and no requests', async () => {
  const { page, errors, requests, dialogs } = await open(await render());
  try {
    const canvases = await page.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set<string>();
      let drawn = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] === 0 || (d[i]! > 240 && d[i + 1]! > 240 && d[i + 2]! > 240)) continue;
        drawn++;
        colours.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
      }
      return { id: c.id, share: drawn / (d.length / 4), colours: colours.size, width: c.width };
    }));
    assert.equal(canvases.length, 11, `canvases: ${canvases.map((c) => c.id).join(', ')}`);
    for (const c of canvases) {
      assert.ok(c.width > 300, `${c.id} has no size`);
      assert.ok(c.share > 0.02, `${c.id}: only ${(100 * c.share).toFixed(2)}% drawn`);
      assert.ok(c.colours > 20, `${c.id}: ${c.colours} colours, no data drawn?`);
    }
    // The interactive charts are chart.js instances with tooltips on.
    const interactive = await page.evaluate(() => [...document.querySelectorAll('canvas')]
      .every((c) => (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { options: { plugins: { tooltip: { enabled: boolean } } } } | undefined } })
        .Chart.getChart(c)?.options.plugins.tooltip.enabled !== false));
    assert.ok(interactive);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    assert.deepEqual(dialogs, []);
    const text = await page.evaluate(() => document.body.innerText);
    assert.match(text, /The series' claims, on this machine/);
    assert.match(text, /✓ confirms/);
    assert.match(text, /guard-process-madvise: install takes 176 ns\/guard, 19x faster than prot-none's 3,335/);
  } finally {
    await page.close();
  }
});

test('the raw rows table sorts by a clicked column, numerically, and reverses on a second click', async () => {
  const { page } = await open(await render());
  try {
    const column = async () => page.evaluate(() => [...document.querySelectorAll('#raw-rows tbody tr')]
      .map((tr) => tr.children[5]!.textContent!).filter((t) => t !== '').map((t) => Number(t.replace(/,/g, ''))));
    const header = page.locator('#raw-rows thead th', { hasText: 'value' }).locator('button');
    await header.click();
    const up = await column();
    assert.ok(up.length > 100);
    assert.deepEqual(up, [...up].sort((a, b) => a - b), 'not ascending');
    assert.equal(up[up.length - 1], 126995);
    await header.click();
    const down = await column();
    assert.deepEqual(down, [...up].reverse(), 'second click did not reverse');
    assert.equal(await page.locator('#raw-rows thead th', { hasText: 'value' }).getAttribute('aria-sort'), 'descending');
  } finally {
    await page.close();
  }
});

test('hostile strings from a run appear as text and never run', async () => {
  const { page, errors, requests, dialogs } = await open(await render(hostileRun()));
  try {
    assert.deepEqual(dialogs, [], 'a script from the run ran');
    assert.deepEqual(requests, [], 'markup from the run made a request');
    assert.deepEqual(errors, []);
    const text = await page.evaluate(() => document.body.innerText);
    assert.ok(text.includes(HOSTILE_KERNEL), 'kernel release not shown as text');
    assert.ok(text.includes(HOSTILE_PARAM.replace(/<\/script>/g, '</script>')), 'params string not shown as text');
    assert.ok(text.includes('<script>alert(5)</script>'), 'verify detail not shown as text');
    const injected = await page.evaluate(() => ({
      imgs: document.querySelectorAll('img').length,
      svgs: document.querySelectorAll('svg').length,
      bolds: document.querySelectorAll('b').length,
      scripts: document.querySelectorAll('script').length,
    }));
    assert.deepEqual(injected, { imgs: 0, svgs: 0, bolds: 0, scripts: 4 });
  } finally {
    await page.close();
  }
});
