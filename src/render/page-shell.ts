/**
 * The self-contained HTML page that the report, compare and history pages share: chart.js, the
 * chart runtime and the page's own script inlined, allowed by a Content-Security-Policy that lists
 * their hashes and nothing else (no network, no other script), and the page's data as escaped JSON
 * that the page script turns into DOM with textContent.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chartJsUmdSource, runtimeSource } from './runtime.js';

export interface PageShell {
  title: string;
  style: string;
  /** id of the <main> the page script fills */
  mainId: string;
  /** shown when JavaScript is off (fixed text of ours, not data) */
  noscript: string;
  /** id of the JSON data block */
  dataId: string;
  data: unknown;
  /** path of the page's own script */
  pageScript: string;
}

/** JSON for a <script type="application/json"> block: `<` escaped so no string can close it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function renderPageShell(p: PageShell): string {
  const scripts = [chartJsUmdSource(), `var guardbenchChartRuntime = ${runtimeSource().trim()};`, readFileSync(p.pageScript, 'utf8')];
  for (const s of scripts) if (/<\/script/i.test(s)) throw new Error('an inlined script contains </script');
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    "style-src 'unsafe-inline'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${p.title.replace(/[<>&"]/g, '')}</title>`,
    `<style>${p.style}</style>`,
    '</head>',
    '<body>',
    `<main id="${p.mainId}"><noscript>${p.noscript}</noscript></main>`,
    `<script type="application/json" id="${p.dataId}">${jsonForScript(p.data)}</script>`,
    ...scripts.map((s) => `<script>${s}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
