/**
 * Measuring does not need the chart renderer: on a machine where @napi-rs/canvas has no prebuilt
 * binary, a run still measures and writes run.json, report.md and report.html, and says in one
 * line why there are no PNGs. The machine is made for real: a copy of the project whose
 * node_modules lacks the platform's canvas binary package, so the package's own loader fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRun } from '../src/results/schema.js';
import { EXIT } from '../src/commands/exit-codes.js';
import { ROOT, isOneLineError, projectCopyMissing, runNode, scratchDir } from './helpers.js';

/** @napi-rs/canvas-linux-x64-gnu and the like: the packages that hold the native binary. */
const canvasBinaries = readdirSync(join(ROOT, 'node_modules/@napi-rs')).filter((n) => n.startsWith('canvas-')).map((n) => `@napi-rs/${n}`);
const copy = projectCopyMissing(canvasBinaries, ['@napi-rs/canvas']);
const guardbench = (args: string[]) => runNode([join(copy, 'bin/guardbench.js'), ...args], { cwd: copy });

test('the copy really cannot load @napi-rs/canvas (so the tests below test something)', () => {
  assert.ok(canvasBinaries.length > 0, 'no platform package of @napi-rs/canvas installed');
  const r = runNode(['-e', "require('@napi-rs/canvas')"], { cwd: copy });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /canvas/i);
});

test('without the canvas binary a run still measures, writes run.json, report.md and report.html, and says why there are no PNGs', () => {
  const out = scratchDir();
  const r = guardbench(['run', '--quick', '--quiet', '--no-verify', '--workload', 'madvise-batches', '--guards', '256', '--batch', '1,64', '--out', out]);
  assert.equal(r.code, EXIT.ok, r.stderr);
  const run = parseRun(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(run.complete, true);
  assert.ok(run.rows.some((x) => x.status === 'ok' && x.metric === 'install'));
  assert.ok(existsSync(join(out, 'report.md')) && existsSync(join(out, 'report.html')), readdirSync(out).join(', '));
  assert.ok(!existsSync(join(out, 'charts')) || readdirSync(join(out, 'charts')).length === 0, 'no PNG was written');
  assert.ok(isOneLineError(r.stderr), JSON.stringify(r.stderr));
  assert.match(r.stderr, /^guardbench: no PNG charts: the chart renderer @napi-rs\/canvas cannot be loaded here \(.*Cannot find module '@napi-rs\/canvas-[\w-]+'.*\)$/m);
  assert.match(r.stdout, /run written to /);
});

test('without the canvas binary, report renders md and html, and asking for png is a missing piece (exit 2, one line)', () => {
  const out = scratchDir();
  const fixture = join(ROOT, 'test/fixtures/quick-run.json');
  const md = guardbench(['report', fixture, '--out', out, '--format', 'md,html']);
  assert.equal(md.code, EXIT.ok, md.stderr);
  assert.ok(existsSync(join(out, 'report.md')) && existsSync(join(out, 'report.html')));
  const png = guardbench(['report', fixture, '--out', out, '--format', 'png']);
  assert.equal(png.code, EXIT.usage, png.stderr);
  assert.ok(isOneLineError(png.stderr), JSON.stringify(png.stderr));
  assert.match(png.stderr, /no PNG charts/);
});

test('compare does not need the canvas: --json works, and --out writes all but the PNGs with the verdict intact', () => {
  const fixture = join(ROOT, 'test/fixtures/quick-run.json');
  const r = guardbench(['compare', fixture, fixture, '--json']);
  assert.equal(r.code, EXIT.ok, r.stderr);
  assert.equal(JSON.parse(r.stdout).schema, 'guardbench.compare/v2');
  const out = scratchDir();
  const written = guardbench(['compare', fixture, fixture, '--quiet', '--out', out]);
  assert.equal(written.code, EXIT.ok, written.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['compare.html', 'compare.json', 'compare.md', 'compare.txt']);
  assert.ok(isOneLineError(written.stderr), JSON.stringify(written.stderr));
  assert.match(written.stderr, /^guardbench compare: no PNG charts/);
});
