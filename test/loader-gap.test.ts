/**
 * The loader-gap workload against a plain C program making the same mappings
 * (test/fixtures/loader-gap.c): the VMAs per library must be equal exactly, under every strategy,
 * and equal to what the kernel's merge rules predict (2S - 1 with PROT_NONE gaps, S with markers
 * or with readable gaps).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, scratchDir } from './helpers.js';
import { probeFeatures } from '../src/probe/features.js';
import { makeStrategies } from '../src/strategies/index.js';
import { runPoint } from '../src/runner/runner.js';
import { STRATEGY_NAMES } from '../src/results/schema.js';
import { fileBacking } from '../src/sys/memory.js';
import loaderGap from '../src/workloads/loader-gap.js';

const probe = probeFeatures();
const strategies = makeStrategies(probe);
const budget = { timeMs: 0, minIterations: 2, warmupIterations: 0 };
const native = join(scratchDir(), 'loader-gap');
execFileSync('gcc', ['-O2', '-Wall', '-o', native, join(ROOT, 'test/fixtures/loader-gap.c')]);

/** What the C program does for each strategy: the loader's PROT_NONE gaps, markers, or neither. */
const C_MODE = { 'no-guard': 'none', 'prot-none': 'prot-none', 'guard-madvise': 'markers', 'guard-process-madvise': 'markers' } as const;

const SHAPES = [
  { libraries: 16, segments: 4, segmentBytes: 16384, gapBytes: 49152 },
  { libraries: 8, segments: 3, segmentBytes: 4096, gapBytes: 12288 },
];

for (const shape of SHAPES) {
  test(`loader-gap VMAs equal a C program's doing the same mappings (${shape.segments} segments, ${shape.gapBytes}-byte gaps)`, () => {
    for (const name of STRATEGY_NAMES) {
      const rows = runPoint({ workload: loaderGap, strategy: strategies[name], params: { ...shape, memory: 'file' } }, { probe, budget });
      const perLibrary = rows.find((r) => r.metric === 'vmas_per_library');
      assert.equal(perLibrary?.status, 'ok', `${name}: ${perLibrary?.reason}`);
      const c = JSON.parse(execFileSync(native, [String(shape.libraries), String(shape.segments), String(shape.segmentBytes),
        String(shape.gapBytes), C_MODE[name], fileBacking().dir], { encoding: 'utf8' })) as { vmas: number };
      assert.equal(perLibrary!.value! * shape.libraries, c.vmas, `${name}: the workload's VMAs against C's`);
      const theory = name === 'prot-none' ? 2 * shape.segments - 1 : shape.segments;
      assert.equal(perLibrary!.value, theory, `${name}: VMAs per library against the merge rules`);
      for (const metric of ['map', 'unmap']) assert.ok((rows.find((r) => r.metric === metric)?.value ?? 0) > 0, `${name}: ${metric} timed`);
    }
  });
}
