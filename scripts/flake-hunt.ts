/**
 * Runs test files back to back and says, per test, how often it failed and how long it took.
 *
 *   npm run flake-hunt                      # the measurement-heavy files, 10 rounds
 *   npm run flake-hunt -- --rounds 3 test/core-run.test.ts
 *   npm run flake-hunt -- --slowest 10 test/*.test.ts   # also: the ten slowest tests
 *
 * A test that reads a counter the whole process or machine shares (VmPTE, slab, interrupts, the
 * process's VMA count, a clock) can pass in the session that wrote it and fail one run in five on a
 * fresh clone; only repetition shows it. Each round runs each file in a process of its own, as
 * `npm test` does (--test-concurrency=1), reading the runner's TAP output. Exit 1 when any test failed.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

/** The files whose assertions read the kernel's counters and clocks (the rest read fixed runs). */
const MEASUREMENT_HEAVY = [
  'test/core-run.test.ts',
  'test/workloads-extra.test.ts',
  'test/workloads-cleanup.test.ts',
  'test/loader-gap.test.ts',
  'test/census.test.ts',
  'test/verify.test.ts',
  'test/verify-ktap.test.ts',
  'test/old-kernel.test.ts',
  'test/robustness.test.ts',
  'test/stats.test.ts',
];

interface TestOutcome { file: string; name: string; ok: boolean; skipped: boolean; ms: number }

/** `ok N - name` / `not ok N - name # SKIP` lines of top-level tests, with the duration_ms that follows each. */
function parseTap(file: string, tap: string): TestOutcome[] {
  const outcomes: TestOutcome[] = [];
  for (const line of tap.split('\n')) {
    const head = /^(not ok|ok) \d+ - (.*?)( # SKIP.*)?$/.exec(line);
    if (head) {
      outcomes.push({ file, name: head[2]!, ok: head[1] === 'ok', skipped: head[3] !== undefined, ms: 0 });
      continue;
    }
    const duration = /^ {2}duration_ms: ([\d.]+)/.exec(line);
    const last = outcomes.at(-1);
    if (duration && last && last.ms === 0) last.ms = Number(duration[1]);
  }
  return outcomes;
}

function runFile(file: string): { outcomes: TestOutcome[]; crashed: string | null; ms: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const outcomes = parseTap(file, r.stdout);
  // A file that dies before reporting any test is a failure of its own, not a pass.
  const crashed = outcomes.length === 0 ? `exit ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` : null;
  return { outcomes, crashed, ms: performance.now() - started };
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { rounds: { type: 'string', default: '10' }, slowest: { type: 'string', default: '0' } },
  });
  const rounds = Number(values.rounds);
  const slowest = Number(values.slowest);
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(slowest) || slowest < 0) {
    console.error('flake-hunt: --rounds takes a whole number >= 1, --slowest a whole number >= 0');
    return 2;
  }
  const files = positionals.length > 0 ? positionals : MEASUREMENT_HEAVY;
  const tally = new Map<string, { file: string; name: string; runs: number; failed: number; skipped: number; ms: number[] }>();
  const crashes: string[] = [];
  const fileMs = new Map<string, number[]>();
  const started = performance.now();
  for (let round = 1; round <= rounds; round++) {
    const roundStart = performance.now();
    let failedThisRound = 0;
    for (const file of files) {
      const { outcomes, crashed, ms } = runFile(file);
      fileMs.set(file, [...(fileMs.get(file) ?? []), ms]);
      if (crashed) crashes.push(`round ${round}: ${file}: ${crashed}`);
      for (const o of outcomes) {
        const key = `${o.file}\t${o.name}`;
        const t = tally.get(key) ?? { file: o.file, name: o.name, runs: 0, failed: 0, skipped: 0, ms: [] };
        t.runs++;
        if (!o.ok) { t.failed++; failedThisRound++; }
        if (o.skipped) t.skipped++;
        t.ms.push(o.ms);
        tally.set(key, t);
      }
    }
    console.error(`round ${round}/${rounds}: ${failedThisRound} failed, ${((performance.now() - roundStart) / 1000).toFixed(0)} s`);
  }
  const all = [...tally.values()];
  const failing = all.filter((t) => t.failed > 0).sort((a, b) => b.failed - a.failed);
  console.log(`${all.length} tests in ${files.length} files, ${rounds} rounds, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (failing.length === 0 && crashes.length === 0) console.log('no test failed');
  for (const t of failing) console.log(`FAILED ${t.failed}/${t.runs}  ${t.file}  ${t.name}`);
  for (const c of crashes) console.log(`CRASHED ${c}`);
  if (slowest > 0) {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
    // A file's own time includes what it does before its first test (core-run makes a whole run there).
    console.log(`\nslowest ${slowest} files (median wall time of ${rounds} rounds, process start included):`);
    for (const [file, ms] of [...fileMs].sort((a, b) => median(b[1]) - median(a[1])).slice(0, slowest)) {
      console.log(`${(median(ms) / 1000).toFixed(1).padStart(7)} s  ${file}`);
    }
    console.log(`\nslowest ${slowest} tests (median of ${rounds} rounds):`);
    for (const t of all.sort((a, b) => median(b.ms) - median(a.ms)).slice(0, slowest)) {
      console.log(`${(median(t.ms) / 1000).toFixed(1).padStart(7)} s  ${t.file}  ${t.name}`);
    }
  }
  return failing.length > 0 || crashes.length > 0 ? 1 : 0;
}

process.exitCode = main();
