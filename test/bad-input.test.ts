/**
 * The bad-input tour: every flag given a wrong type, a negative, zero, a huge value or an unknown
 * name, and every file input given empty, truncated, binary, wrong-schema and future-schema content.
 * Each must give one clear line on stderr and exit 2, and measure nothing.
 */
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, isOneLineError, runCliAsync, scratchDir } from './helpers.js';

const dir = scratchDir('guardbench-bad-');
const good = join(ROOT, 'test/fixtures/quick-run.json');
const goodText = readFileSync(good, 'utf8');
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const empty = file('empty.json', '');
const truncated = file('truncated.json', goodText.slice(0, Math.floor(goodText.length / 2)));
const binary = file('binary.json', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff, 0xfe]));
const wrongSchema = file('wrong-schema.json', JSON.stringify({ schema: 'something.else/v1', rows: [] }));
const notAnObject = file('array.json', '[1, 2, 3]');
const future = file('future.json', goodText.replace('"guardbench.run/v1"', '"guardbench.run/v9"'));
const badRow = file('bad-row.json', JSON.stringify({ ...JSON.parse(goodText), rows: [{ workload: 'x' }] }));
const aDir = join(dir, 'a-dir');
mkdirSync(aDir);
const missing = join(dir, 'does-not-exist.json');

/** [name, argv, what stderr must mention] */
const cases: [string, string[], RegExp][] = [
  // run: flags of the wrong type, out of range, unknown
  ['run: unknown workload', ['run', '--workload', 'nope'], /unknown workload/],
  ['run: unknown strategy', ['run', '--strategy', 'none'], /unknown strategy/],
  ['run: unknown profile', ['run', '--profile', 'huge'], /unknown profile/],
  ['run: two profiles', ['run', '--quick', '--profile', 'full'], /choose one profile/],
  ['run: unknown flag', ['run', '--turbo'], /turbo/],
  ['run: positional argument', ['run', 'fast'], /fast|positional|Unexpected/i],
  ['run: regions negative', ['run', '--regions', '-5'], /--regions/],
  ['run: unknown memory kind', ['run', '--workload', 'allocator-arenas', '--memory', 'nvram'], /memory must be one of anon, shmem, file, got nvram/],
  ['run: regions zero', ['run', '--regions', '0'], /--regions: 0 must be at least 1/],
  ['run: regions not a number', ['run', '--regions', 'lots'], /not an integer/],
  ['run: regions fractional', ['run', '--regions', '1.5'], /not an integer/],
  ['run: regions huge', ['run', '--regions', '99999999999999'], /larger than guardbench allows/],
  ['run: regions empty list item', ['run', '--regions', '1024,'], /empty value/],
  ['run: stacks zero', ['run', '--stacks', '0'], /--stacks/],
  ['run: batch above UIO_MAXIOV', ['run', '--workload', 'madvise-batches', '--batch', '4096'], /UIO_MAXIOV/],
  ['run: batch zero', ['run', '--workload', 'madvise-batches', '--batch', '0'], /--batch/],
  ['run: guardBytes unaligned', ['run', '--workload', 'allocator-arenas', '--guardBytes', '100'], /multiple of the 4096-byte page/],
  ['run: stackBytes too small', ['run', '--workload', 'thread-stacks', '--stackBytes', '8192'], /stackBytes/],
  ['run: threads not boolean', ['run', '--workload', 'thread-stacks', '--threads', 'maybe'], /not true or false/],
  ['run: churn negative', ['run', '--workload', 'allocator-arenas', '--churn', '-1'], /--churn/],
  ['run: axis of another workload', ['run', '--workload', 'madvise-batches', '--regions', '64'], /not a parameter of the selected workloads/],
  ['run: pin not a number', ['run', '--pin', 'first'], /--pin/],
  ['run: pin beyond the CPUs', ['run', '--pin', '4096'], /--pin: CPU 4096 does not exist/],
  ['run: out is a file', ['run', '--quick', '--out', good], /is a file/],
  ['run: out missing its value', ['run', '--out'], /--out/],
  // top level
  ['unknown command', ['benchmark'], /unknown command/],
  ['probe: unknown flag', ['probe', '--verbose'], /verbose/],
  ['verify: unknown flag', ['verify', '--strategy', 'x'], /strategy/],
  // report: every kind of bad file
  ['report: no file', ['report'], /RUN|run/],
  ['report: missing file', ['report', missing], /no such file|ENOENT|not found/i],
  ['report: empty file', ['report', empty], /empty/],
  ['report: truncated file', ['report', truncated], /not JSON/],
  ['report: binary file', ['report', binary], /not JSON/],
  ['report: wrong schema', ['report', wrongSchema], /not a guardbench\.run\/v1|schema/],
  ['report: not an object', ['report', notAnObject], /guardbench\.run\/v1/],
  ['report: future schema', ['report', future], /guardbench\.run\/v9.*upgrade/],
  ['report: malformed row', ['report', badRow], /rows/],
  ['report: directory without run.json', ['report', aDir], /run\.json|no such file|ENOENT/i],
  ['report: unknown format', ['report', good, '--format', 'pdf'], /pdf/],
  // compare
  ['compare: one file', ['compare', good], /CURRENT|two runs|BASE/i],
  ['compare: empty current', ['compare', good, empty], /empty/],
  ['compare: truncated base', ['compare', truncated, good], /not JSON/],
  ['compare: binary current', ['compare', good, binary], /not JSON/],
  ['compare: wrong schema', ['compare', good, wrongSchema], /schema|guardbench\.run/],
  ['compare: future schema', ['compare', future, good], /v9/],
  ['compare: threshold not a number', ['compare', good, good, '--threshold', 'ten'], /--threshold/],
  ['compare: threshold negative', ['compare', good, good, '--threshold', '-5%'], /--threshold/],
  ['compare: threshold huge', ['compare', good, good, '--threshold', '100000%'], /--threshold/],
  // history and baseline
  ['history: no paths', ['history'], /PATH|path|run/],
  ['history: missing path', ['history', missing], /no such|ENOENT|not found/i],
  ['history: binary file', ['history', binary], /not JSON|no runs|binary/i],
  ['history: unknown metric flag', ['history', good, '--colour'], /colour/],
  ['baseline: no subcommand', ['baseline'], /save|list|pick/],
  ['baseline: unknown subcommand', ['baseline', 'delete'], /delete/],
  ['baseline: save a truncated run', ['baseline', 'save', truncated, '--dir', dir], /not JSON/],
  ['baseline: save a future run', ['baseline', 'save', future, '--dir', dir], /v9/],
  // export
  ['export: no file', ['export', '--format', 'bmf'], /give the run to export/],
  ['export: two files', ['export', good, good, '--format', 'bmf'], /one run at a time/],
  ['export: no format', ['export', good], /--format bmf or github-action-benchmark/],
  ['export: unknown format', ['export', good, '--format', 'csv'], /--format: 'csv' is not bmf or github-action-benchmark/],
  ['export: truncated file', ['export', truncated, '--format', 'bmf'], /not JSON/],
  ['export: future schema', ['export', future, '--format', 'bmf'], /v9/],
  ['export: github-action-benchmark without --out', ['export', good, '--format', 'github-action-benchmark'], /give --out DIR/],
  ['export: github-action-benchmark into a file', ['export', good, '--format', 'github-action-benchmark', '--out', good], /is a file/],
  ['export: bmf into a directory', ['export', good, '--format', 'bmf', '--out', aDir], /is a directory/],
  // census
  ['census: pid not a number', ['census', '--pid', 'abc'], /--pid/],
  ['census: pid negative', ['census', '--pid', '-1'], /--pid/],
  ['census: pid zero', ['census', '--pid', '0'], /--pid/],
  ['census: max-guard-bytes zero', ['census', '--max-guard-bytes', '0'], /--max-guard-bytes/],
  ['census: max-guard-bytes not a number', ['census', '--max-guard-bytes', 'big'], /--max-guard-bytes/],
  ['census: out is a file', ['census', '--out', good], /--out|file|directory/i],
  // kernel (the missing pieces are in kernel-setup.test.ts)
  ['kernel: no subcommand', ['kernel'], /fetch, run, matrix or trail/],
  ['kernel: unknown subcommand', ['kernel', 'boot', good], /boot/],
  ['kernel: run without an image', ['kernel', 'run'], /kernel root or image/],
  ['kernel: run with two images', ['kernel', 'run', good, good], /matrix/],
  ['kernel: cpus zero', ['kernel', 'run', good, '--cpus', '0'], /--cpus/],
  ['kernel: unknown accelerator', ['kernel', 'run', good, '--accel', 'xen'], /--accel/],
  ['kernel: a run option that does not exist', ['kernel', 'run', good, '--', '--colour'], /colour/],
];

test('the bad-input table has at least 40 cases', () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`);
});

// Each case starts the CLI once (about a second of Node and tsx): three at a time on two cores.
describe('bad input', { concurrency: 3 }, () => {
  for (const [name, argv, mentions] of cases) {
    it(name, async () => {
      const r = await runCliAsync(argv);
      assert.equal(r.code, 2, `exit ${r.code} for ${argv.join(' ')}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(0, 300)}`);
      assert.ok(isOneLineError(r.stderr), `not one clear line: ${JSON.stringify(r.stderr)}`);
      assert.match(r.stderr, mentions);
    });
  }
});
