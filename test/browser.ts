/**
 * The real headless Chromium the HTML tests open pages in, with the flags this machine needs, and
 * one way to open a page: record what a reviewer's browser would (console errors, requests,
 * dialogs) and wait until every chart has pixels on it.
 */
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface OpenedPage {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

export interface OpenOptions {
  /** ms to wait after the charts have drawn, for animations to finish */
  settleMs?: number;
  width?: number;
  /** open every folded section (<details>) first, so the charts inside have a size to draw at */
  unfold?: boolean;
}

/** Open a local HTML file and wait for its charts. */
export async function openDrawn(browser: Browser, file: string, options: OpenOptions = {}): Promise<OpenedPage> {
  const { settleMs = 0, width = 1100, unfold = false } = options;
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const opened: OpenedPage = { page, errors: [], requests: [], dialogs: [] };
  // Errors only: Chromium warns about the repeated getImageData readbacks the wait below makes.
  page.on('console', (m) => { if (m.type() === 'error') opened.errors.push(m.text()); });
  page.on('pageerror', (e) => opened.errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => { if (r.url() !== url) opened.requests.push(r.url()); });
  page.on('dialog', (d) => {
    opened.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url);
  if (unfold) await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  // Charts animate in; wait until every canvas has pixels on it.
  await page.waitForFunction(() => [...document.querySelectorAll('canvas')].every((c) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let drawn = 0;
    for (let i = 0; i < d.length; i += 16) if (d[i + 3]! > 0 && (d[i]! < 230 || d[i + 1]! < 230 || d[i + 2]! < 230)) drawn++;
    return drawn > 200;
  }), undefined, { timeout: 15_000 });
  if (settleMs > 0) await page.waitForTimeout(settleMs);
  return opened;
}
