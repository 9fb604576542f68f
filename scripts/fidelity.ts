/**
 * Fidelity check: does guardbench measure the kernel, or itself? Runs the allocator-arenas anchor
 * point (16384 regions, 12 KiB slots, 4 KiB guards) through the harness and through a plain C
 * program making the same calls in a tight loop (test/fixtures/native-install.c), interleaved round
 * by round so both see the same machine, and prints the ratios:
 *   - koffi / C per guard for each strategy (target: batched process_madvise within 5-15%,
 *     one-call-per-guard within 25%);
 *   - the excess over C per call against the FFI floor (koffi getppid loop minus C getppid loop):
 *     a ratio near 1 means the harness adds nothing beyond what any koffi call costs.
 * usage: npm run fidelity -- [--rounds N] [--pin CPU] [--json FILE]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { probeFeatures } from '../src/probe/features.js';
import { makeStrategies } from '../src/strategies/index.js';
import { prepareArena, releaseArena } from '../src/workloads/arena.js';
import { timeOperation, type TimingBudget } from '../src/runner/timing.js';
import { calibrateFfi } from '../src/probe/calibrate.js';
import { writeJsonAtomic } from '../src/results/write.js';
import { parsePinCpu, pinToCpu } from '../src/runner/noise.js';

const LAYOUT = { regions: 16384, slotBytes: 12288, guardBytes: 4096 };
const MODES = ['prot-none', 'guard-madvise', 'guard-process-madvise'] as const;
const BUDGET: TimingBudget = { timeMs: 0, minIterations: 15, warmupIterations: 3 };

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, json: { type: 'string' }, pin: { type: 'string' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`fidelity: --rounds must be a positive integer, got ${values.rounds}`);
  process.exit(2);
}

// Pinning the measuring thread also pins the C program: a spawned child inherits the affinity.
if (values.pin !== undefined) pinToCpu(parsePinCpu(values.pin));

const dir = mkdtempSync(join(tmpdir(), 'guardbench-native-'));
const native = join(dir, 'native-install');
execFileSync('gcc', ['-O2', '-o', native, new URL('../test/fixtures/native-install.c', import.meta.url).pathname]);

function nativeMedian(mode: string): number {
  const out = execFileSync(native, [mode, String(LAYOUT.regions), String(LAYOUT.slotBytes), String(LAYOUT.guardBytes), '1024', '15'], { encoding: 'utf8' });
  return (JSON.parse(out) as { medianNsPerOp: number }).medianNsPerOp;
}

const probe = probeFeatures();
const strategies = makeStrategies(probe);

function harnessMedian(mode: (typeof MODES)[number]): number {
  const strategy = strategies[mode];
  return timeOperation(mode, {
    ops: LAYOUT.regions,
    setup: () => prepareArena(LAYOUT, strategy, { batch: 1024 }),
    measure: (p) => strategy.install(p.prepared),
    teardown: releaseArena,
  }, BUDGET).median;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const samples: Record<string, { koffi: number[]; c: number[] }> = {};
for (const key of [...MODES, 'getppid']) samples[key] = { koffi: [], c: [] };
for (let r = 0; r < rounds; r++) {
  for (const mode of MODES) {
    samples[mode]!.koffi.push(harnessMedian(mode));
    samples[mode]!.c.push(nativeMedian(mode));
  }
  samples.getppid!.koffi.push(calibrateFfi(BUDGET).getppidNs);
  samples.getppid!.c.push(nativeMedian('getppid'));
  process.stderr.write(`round ${r + 1}/${rounds} done\n`);
}

const floor = median(samples.getppid!.koffi) - median(samples.getppid!.c);
const report = Object.entries(samples).map(([mode, s]) => {
  const koffi = median(s.koffi);
  const c = median(s.c);
  const perCall = mode === 'guard-process-madvise' ? LAYOUT.regions / 1024 : LAYOUT.regions;
  const excessPerCall = ((koffi - c) * LAYOUT.regions) / perCall;
  return { mode, koffiNs: koffi, cNs: c, ratio: koffi / c, excessPerCallNs: excessPerCall, excessOverFloor: excessPerCall / floor };
});

console.log(`fidelity on ${process.platform} ${probe.features.guardInstall ? 'with' : 'without'} guard markers, ${rounds} interleaved rounds`);
console.log(`FFI floor (koffi getppid - C getppid): ${floor.toFixed(0)} ns per call\n`);
console.log('mode                    koffi ns/op   C ns/op   koffi/C   excess/call   excess/floor');
for (const r of report) {
  console.log(`${r.mode.padEnd(22)} ${r.koffiNs.toFixed(0).padStart(12)} ${r.cNs.toFixed(0).padStart(9)} ${r.ratio.toFixed(3).padStart(9)} ${r.excessPerCallNs.toFixed(0).padStart(10)} ns ${r.excessOverFloor.toFixed(2).padStart(12)}`);
}
if (values.json) writeJsonAtomic(values.json, { rounds, floorNs: floor, report, samples });
