/**
 * `guardbench report` end to end on the real quick-profile run: all three formats are written, the
 * PNGs are real images with the data drawn to scale, report.md fits a GitHub comment and its image
 * links resolve, and bad input is one line with exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { isOneLineError, runCli, scratchDir } from './helpers.js';
import { QUICK_RUN_PATH } from './fixtures/report-synthetic.js';

const out = scratchDir('guardbench-report-');
const cli = runCli(['report', QUICK_RUN_PATH, '--out', out]);

interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

async function pixels(file: string): Promise<Pixels> {
  const img = await loadImage(readFileSync(file));
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { width: img.width, height: img.height, data: ctx.getImageData(0, 0, img.width, img.height).data };
}

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Top and bottom rows of the pixels of exactly this colour (bar interiors are drawn without blending). */
function extent(p: Pixels, hex: string): { count: number; top: number; bottom: number } {
  const [r, g, b] = rgb(hex);
  let count = 0;
  let top = Infinity;
  let bottom = -Infinity;
  for (let i = 0; i < p.data.length; i += 4) {
    if (p.data[i] === r && p.data[i + 1] === g && p.data[i + 2] === b) {
      const y = Math.floor(i / 4 / p.width);
      count++;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return { count, top, bottom };
}

test('guardbench report renders report.md, report.html and charts/*.png', () => {
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /wrote .*report\.md.*report\.html.*\d+ charts/);
  for (const f of ['report.md', 'report.html']) assert.ok(existsSync(join(out, f)), `${f} missing`);
  const charts = readdirSync(join(out, 'charts'));
  for (const id of ['thread-stacks-create', 'allocator-arenas-install', 'allocator-arenas-vmas', 'allocator-arenas-memory', 'madvise-batches-install-vs-batch']) {
    assert.ok(charts.includes(`${id}.png`), `charts/${id}.png missing (have ${charts.join(', ')})`);
  }
});

test('every PNG is a white-backed 1800px-wide image with a good share of it drawn', async () => {
  const charts = readdirSync(join(out, 'charts'));
  assert.ok(charts.length >= 8);
  for (const name of charts) {
    const p = await pixels(join(out, 'charts', name));
    assert.equal(p.width, 1800, name);
    let white = 0;
    let transparent = 0;
    for (let i = 0; i < p.data.length; i += 4) {
      if (p.data[i + 3]! < 255) transparent++;
      else if (p.data[i]! > 245 && p.data[i + 1]! > 245 && p.data[i + 2]! > 245) white++;
    }
    const total = p.data.length / 4;
    assert.equal(transparent, 0, `${name}: transparent pixels (no white background)`);
    assert.ok(white / total < 0.97, `${name}: ${(100 * (1 - white / total)).toFixed(1)}% drawn, looks blank`);
  }
});

test('allocator-arenas install bars are drawn to scale, one colour per strategy', async () => {
  const p = await pixels(join(out, 'charts', 'allocator-arenas-install.png'));
  const protNone = extent(p, '#D55E00');
  const madvise = extent(p, '#0072B2');
  const batched = extent(p, '#009E73');
  for (const [name, e] of Object.entries({ protNone, madvise, batched })) assert.ok(e.count > 500, `${name}: bar not drawn`);
  // All bars stand on the same axis; their heights follow the medians 3,335 > 1,830 > 176 ns/guard.
  assert.ok(Math.abs(protNone.bottom - madvise.bottom) <= 2 && Math.abs(madvise.bottom - batched.bottom) <= 2);
  const h = (e: typeof protNone) => e.bottom - e.top + 1;
  assert.ok(h(protNone) > h(madvise) && h(madvise) > h(batched), `heights ${h(protNone)} ${h(madvise)} ${h(batched)}`);
  const ratio = h(protNone) / h(madvise);
  assert.ok(Math.abs(ratio - 3335.1 / 1829.8) < 0.1, `prot-none/guard-madvise bar ratio ${ratio.toFixed(2)}, want ~1.82`);
});

test('the batch sweep draws the process_madvise line and both one-call-per-guard references', async () => {
  const p = await pixels(join(out, 'charts', 'madvise-batches-install-vs-batch.png'));
  const line = extent(p, '#009E73');
  const mprotect = extent(p, '#D55E00');
  const madvise = extent(p, '#0072B2');
  assert.ok(line.count > 1000, 'process_madvise line missing');
  assert.ok(mprotect.count > 300 && madvise.count > 300, 'reference lines missing');
  // The mprotect loop (3,242 ns/guard) is drawn above the madvise loop (1,776): smaller y is higher.
  assert.ok(mprotect.top < madvise.top, `mprotect at y=${mprotect.top}, madvise at y=${madvise.top}`);
});

test('report.md fits a GitHub comment, links its charts and flags noisy figures', () => {
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  assert.ok(md.length < 65000, `report.md is ${md.length} characters`);
  const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
  assert.ok(links.length >= 8, `only ${links.length} image links`);
  for (const l of links) {
    assert.match(l, /^charts\/[a-z0-9-]+\.png$/);
    assert.ok(existsSync(join(out, l)), `${l} does not exist`);
  }
  assert.match(md, /### The series' claims, on this machine/);
  assert.match(md, /\| Guard markers installed with process_madvise\(\).*\| 19x ±1\.7% \| \*\*✅ confirms\*\* \|/);
  // Noisy is one threshold everywhere (rme over 10%, where compare stops deciding too): process_madvise's
  // stack teardown (rme 11.6%) is noisy; prot-none's stack create (8.1%) and madvise's arena install (0.6%) are not.
  assert.match(md, /9,888 ±11\.6% · p99 26,277 ⚠️/);
  assert.match(md, /5,055 ±8\.1% · p99 8,011 \|/);
  assert.match(md, /1,830 ±0\.6% · p99 1,863 \|/);
  // The headline table comes first: figures compared across a row, not in sentences.
  // prot-none and the markers first, the unguarded floor last; a loss in bold as a win is.
  assert.ok(md.indexOf('| workload | figure | prot-none | guard-madvise | guard-process-madvise | no-guard |') < md.indexOf('### The series\' claims'));
  assert.match(md, /\| allocator-arenas \| install \(per guard\) \| 3\.34 µs \| 1\.83 µs · \*\*1\.82x faster\*\* \| 176 ns · \*\*19x faster\*\* \| – \|/);
  assert.match(md, /\|  \| teardown \(per stack\) \| 3\.03 µs \| 9\.93 µs · \*\*3\.3x slower\*\* \|/);
  assert.match(md, /\|  \| VMAs added \(count\) \| 32,767 \| 0 \| 0 \| 0 \|/);
  assert.match(md, /\|  \| kernel memory \(bytes\/region\) \| 414 \| 32 · 13x less \| 32 · 13x less \| 0 \|/);
  assert.doesNotMatch(md, /takes [\d,]+ ns\/guard|against prot-none's [\d,]/, 'no generated sentence compares numbers');
  assert.match(md, /once per guard, process_madvise\(\) once per batch/);
});

test('report defaults to the run directory and renders only the formats asked for', () => {
  const dir = scratchDir('guardbench-report-default-');
  copyFileSync(QUICK_RUN_PATH, join(dir, 'run.json'));
  const r = runCli(['report', dir, '--format', 'md']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'report.md')));
  assert.ok(!existsSync(join(dir, 'report.html')) && !existsSync(join(dir, 'charts')), 'rendered formats not asked for');
});

const dir = scratchDir('guardbench-report-bad-');
const notRun = join(dir, 'not-a-run.json');
writeFileSync(notRun, JSON.stringify({ schema: 'guardbench.run/v1', rows: 'nope' }));
const badCases: { name: string; args: string[]; pattern: RegExp }[] = [
  { name: 'no run given', args: ['report'], pattern: /give the run to render/ },
  { name: 'missing file', args: ['report', join(dir, 'nope.json')], pattern: /no such file/ },
  { name: 'not a run', args: ['report', notRun], pattern: /not a guardbench\.run\/v1 document/ },
  { name: 'unknown format', args: ['report', QUICK_RUN_PATH, '--format', 'md,pdf'], pattern: /unknown format 'pdf'/ },
  { name: 'two runs', args: ['report', QUICK_RUN_PATH, QUICK_RUN_PATH], pattern: /one run at a time/ },
  { name: '--out into a file', args: ['report', QUICK_RUN_PATH, '--out', notRun], pattern: /is a file, not a directory/ },
];
for (const c of badCases) {
  test(`report bad input: ${c.name} -> one line, exit 2`, () => {
    const r = runCli(c.args);
    assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
    assert.ok(isOneLineError(r.stderr), `not one line: ${JSON.stringify(r.stderr)}`);
    assert.match(r.stderr, c.pattern);
  });
}

test('report --help names the formats and exits 0', () => {
  const r = runCli(['report', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--format LIST/);
  assert.match(r.stdout, /md,png,html/);
});
