/**
 * scripts/ci-bench.sh decides what the pull request sees: only a regression that repeats in a second
 * run is a regression (1); unusable input is 2, and guardbench failing (3, or dying some other way)
 * is an internal error, never "a regression that repeated". The real script runs here with a
 * stand-in `node` first on PATH that plays each step's exit code, so every path is cheap to reach.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratchDir } from './helpers.js';

/** Stands in for `node bin/guardbench.js ARGS`: logs the call and exits with the code planned for its step. */
const STUB = `#!/usr/bin/env bash
shift
echo "$*" >> "$STUB_LOG"
case "$1" in
  run) if [[ "$*" == *run2* ]]; then step=RUN2; else step=RUN1; fi ;;
  baseline) echo /baselines/6.18.44.json; step=PICK ;;
  compare) if [[ "$*" == *--confirm* ]]; then step=CONFIRM; else step=COMPARE; fi ;;
  *) exit 99 ;;
esac
code="STUB_$step"
exit "\${!code:-0}"
`;

type Step = 'RUN1' | 'PICK' | 'COMPARE' | 'RUN2' | 'CONFIRM';

interface CiOutcome {
  code: number | null;
  out: string;
  /** each guardbench command line the script ran */
  calls: string[];
  recorded: string;
  outcome: string;
  stderr: string;
}

function ciBench(plan: Partial<Record<Step, number>>): CiOutcome {
  const dir = scratchDir('guardbench-ci-');
  const bin = join(dir, 'bin');
  spawnSync('mkdir', [bin]);
  writeFileSync(join(bin, 'node'), STUB);
  chmodSync(join(bin, 'node'), 0o755);
  const log = join(dir, 'calls');
  writeFileSync(log, '');
  const env: NodeJS.ProcessEnv = { PATH: `${bin}:${process.env.PATH}`, STUB_LOG: log };
  for (const [step, code] of Object.entries(plan)) env[`STUB_${step}`] = String(code);
  const out = join(dir, 'out');
  const r = spawnSync('bash', [join(ROOT, 'scripts/ci-bench.sh'), out], { encoding: 'utf8', env, timeout: 30_000 });
  const read = (f: string) => (existsSync(join(out, f)) ? readFileSync(join(out, f), 'utf8').trim() : '(missing)');
  return {
    code: r.status,
    out,
    calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean),
    recorded: read('exit-code'),
    outcome: read('outcome.md'),
    stderr: r.stderr,
  };
}

const cases: { name: string; plan: Partial<Record<Step, number>>; code: number; calls: number; says: RegExp }[] = [
  { name: 'no regression', plan: {}, code: 0, calls: 3, says: /no regression beyond the threshold/ },
  { name: 'a regression that repeats', plan: { COMPARE: 1, CONFIRM: 1 }, code: 1, calls: 5, says: /a regression that repeated in a second run/ },
  { name: 'a regression that does not repeat', plan: { COMPARE: 1, CONFIRM: 0 }, code: 0, calls: 5, says: /no regression/ },
  { name: 'the run fails inside guardbench', plan: { RUN1: 3 }, code: 3, calls: 1, says: /internal error in guardbench at 'run'/ },
  { name: 'the run crashes', plan: { RUN1: 134 }, code: 3, calls: 1, says: /'run' ended with exit code 134/ },
  { name: 'the run exits 1', plan: { RUN1: 1 }, code: 3, calls: 1, says: /internal error: 'run' exited 1/ },
  { name: 'no baseline to pick', plan: { PICK: 2 }, code: 2, calls: 2, says: /unusable input at 'baseline pick'/ },
  { name: 'compare cannot use the runs', plan: { COMPARE: 2 }, code: 2, calls: 3, says: /unusable input at 'compare'/ },
  { name: 'compare fails inside guardbench', plan: { COMPARE: 3 }, code: 3, calls: 3, says: /internal error in guardbench at 'compare'/ },
  { name: 'the confirming run fails after a regression', plan: { COMPARE: 1, RUN2: 3 }, code: 3, calls: 4, says: /internal error in guardbench at 'second run'/ },
  { name: 'the confirming compare fails after a regression', plan: { COMPARE: 1, CONFIRM: 3 }, code: 3, calls: 5, says: /internal error in guardbench at 'compare --confirm'/ },
  { name: 'the run is interrupted', plan: { RUN1: 130 }, code: 130, calls: 1, says: /interrupted by SIGINT at 'run'/ },
  { name: 'the confirming run is terminated', plan: { COMPARE: 1, RUN2: 143 }, code: 143, calls: 4, says: /interrupted by SIGTERM at 'second run'/ },
];

for (const c of cases) {
  test(`ci-bench.sh: ${c.name} -> exit ${c.code}, recorded, and said as such`, () => {
    const r = ciBench(c.plan);
    assert.equal(r.code, c.code, `${r.stderr}\ncalls: ${r.calls.join(' | ')}`);
    assert.equal(r.recorded, String(c.code), 'exit-code recorded on this path');
    assert.match(r.outcome, c.says);
    assert.equal(r.calls.length, c.calls, r.calls.join(' | '));
    if (c.code !== 1) assert.doesNotMatch(r.outcome + r.stderr, /a regression that repeated/);
  });
}

test('ci-bench.sh confirms a regression with a second run against the same baseline, and only then', () => {
  const first = (out: string) => [
    `run --quick --out ${out}/run1 --quiet --report md,html`,
    'baseline pick --profile quick',
    `compare /baselines/6.18.44.json ${out}/run1/run.json --out ${out}/compare --quiet`,
  ];
  const fine = ciBench({});
  assert.deepEqual(fine.calls, first(fine.out));
  const regressed = ciBench({ COMPARE: 1, CONFIRM: 1 });
  assert.deepEqual(regressed.calls, [...first(regressed.out),
    `run --quick --out ${regressed.out}/run2 --quiet --report md,html`,
    `compare /baselines/6.18.44.json ${regressed.out}/run1/run.json --confirm ${regressed.out}/run2/run.json --out ${regressed.out}/compare --quiet`]);
});
