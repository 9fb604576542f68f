/**
 * Fidelity check: does guardbench measure the kernel, or itself? Takes the allocator-arenas anchor
 * point (16384 regions, 12 KiB slots, 4 KiB guards) and installs its guards three ways, round by
 * round so all three see the same machine:
 *   - harness: the strategy's own install, timed by the harness exactly as a run times it;
 *   - bare koffi: the smallest JavaScript loop making the same koffi calls (no harness at all);
 *   - C: a plain C program making the same calls in a tight loop (test/fixtures/native-install.c).
 * It prints, per strategy:
 *   - harness / C per guard (target: batched process_madvise within 5%);
 *   - harness - bare koffi: what the harness adds of its own (target: nothing beyond noise);
 *   - the excess over C per call against the FFI floor (koffi getppid loop minus C getppid loop).
 * Each figure is the median over rounds of that round's paired difference, so a host burst that
 * slows one round moves one pair, not the answer. The spread over rounds is printed beside it.
 * usage: npm run fidelity -- [--rounds N] [--pin CPU] [--json FILE]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { probeFeatures } from '../src/probe/features.js';
import { makeStrategies } from '../src/strategies/index.js';
import { mapArena, prepareArena, releaseArena, unmapArena, type Arena } from '../src/workloads/arena.js';
import { timeOperation, type TimingBudget } from '../src/runner/timing.js';
import { calibrateFfi } from '../src/runner/calibrate.js';
import { writeJsonAtomic } from '../src/results/write.js';
import { parsePinCpu, pinToCpu } from '../src/runner/noise.js';
import { raw } from '../src/sys/libc.js';
import { MADV_GUARD_INSTALL, PROT_NONE } from '../src/sys/constants.js';

const LAYOUT = { regions: 16384, slotBytes: 12288, guardBytes: 4096 };
const BATCH = 1024;
const MODES = ['prot-none', 'guard-madvise', 'guard-process-madvise'] as const;
type Mode = (typeof MODES)[number];
const BUDGET: TimingBudget = { timeMs: 0, minIterations: 9, warmupIterations: 2 };

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, json: { type: 'string' }, pin: { type: 'string' } } });
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
  const out = execFileSync(native, [mode, String(LAYOUT.regions), String(LAYOUT.slotBytes), String(LAYOUT.guardBytes), String(BATCH), '9'], { encoding: 'utf8' });
  return (JSON.parse(out) as { medianNsPerOp: number }).medianNsPerOp;
}

const probe = probeFeatures();
const strategies = makeStrategies(probe);

function harnessMedian(mode: Mode): number {
  const strategy = strategies[mode];
  return timeOperation(mode, {
    ops: LAYOUT.regions,
    setup: () => prepareArena(LAYOUT, strategy, { batch: BATCH }),
    measure: (p) => strategy.install(p.prepared),
    teardown: releaseArena,
  }, BUDGET).median;
}

// The bare loops: one function per call, as small as a loop can be, so nothing but koffi stands
// between JavaScript and libc. (Separate functions keep each call site monomorphic.)
function bareMprotectLoop(arena: Arena): void {
  const mprotect = raw.mprotect;
  const { addrs, bytes } = arena.guards;
  for (let i = 0; i < addrs.length; i++) mprotect(addrs[i]!, bytes, PROT_NONE);
}
function bareMadviseLoop(arena: Arena): void {
  const madvise = raw.madvise;
  const { addrs, bytes } = arena.guards;
  for (let i = 0; i < addrs.length; i++) madvise(addrs[i]!, bytes, MADV_GUARD_INSTALL);
}
/** The same three arguments, an advice the kernel refuses at once: kernel entry without kernel work. */
function bareEinvalLoop(arena: Arena): void {
  const madvise = raw.madvise;
  const { addrs, bytes } = arena.guards;
  for (let i = 0; i < addrs.length; i++) madvise(addrs[i]!, bytes, -1);
}
const BARE_LOOPS: Partial<Record<Mode, (arena: Arena) => void>> = {
  'prot-none': bareMprotectLoop,
  'guard-madvise': bareMadviseLoop,
};

function bareMedian(mode: Mode | 'madvise-einval'): number | null {
  const loop = mode === 'madvise-einval' ? bareEinvalLoop : BARE_LOOPS[mode];
  if (!loop) return null;
  return timeOperation(`bare/${mode}`, {
    ops: LAYOUT.regions, setup: () => mapArena(LAYOUT), measure: loop, teardown: unmapArena,
  }, BUDGET).median;
}

interface Round {
  harness: Record<Mode, number>;
  bare: Record<Mode, number | null>;
  c: Record<Mode, number>;
  getppid: { koffi: number; c: number };
  einval: { koffi: number; c: number };
}

const perRound: Round[] = [];
for (let r = 0; r < rounds; r++) {
  const round = { harness: {}, bare: {}, c: {}, getppid: { koffi: 0, c: 0 }, einval: { koffi: 0, c: 0 } } as Round;
  for (const mode of MODES) {
    round.c[mode] = nativeMedian(mode);
    round.harness[mode] = harnessMedian(mode);
    round.bare[mode] = bareMedian(mode);
  }
  round.getppid.c = nativeMedian('getppid');
  round.getppid.koffi = calibrateFfi(BUDGET).getppidNs;
  round.einval.c = nativeMedian('madvise-einval');
  round.einval.koffi = bareMedian('madvise-einval')!;
  perRound.push(round);
  process.stderr.write(`round ${r + 1}/${rounds} done\n`);
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
function median(xs: number[]): number {
  const s = sorted(xs);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
/** min..max of the per-round values, for the reader to see how far one round can stray. */
const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];

const floors = perRound.map((r) => r.getppid.koffi - r.getppid.c);
const floor = median(floors);
const report = MODES.map((mode) => {
  const callsPerGuard = mode === 'guard-process-madvise' ? 1 / BATCH : 1;
  const excess = perRound.map((r) => (r.harness[mode] - r.c[mode]) / callsPerGuard);
  const own = perRound.filter((r) => r.bare[mode] !== null).map((r) => r.harness[mode] - r.bare[mode]!);
  return {
    mode,
    harnessNs: median(perRound.map((r) => r.harness[mode])),
    bareNs: own.length ? median(perRound.map((r) => r.bare[mode]!)) : null,
    cNs: median(perRound.map((r) => r.c[mode])),
    ratio: median(perRound.map((r) => r.harness[mode] / r.c[mode])),
    harnessOwnNs: own.length ? median(own) : null,
    excessPerCallNs: median(excess),
    excessRange: range(excess),
    excessOverFloor: median(excess) / floor,
  };
});

const ns = (v: number | null, width: number): string => (v === null ? '-' : v.toFixed(0)).padStart(width);
console.log(`fidelity on ${process.platform} ${probe.features.guardInstall ? 'with' : 'without'} guard markers, ${rounds} interleaved rounds`);
console.log(`FFI floor (koffi getppid - C getppid): ${floor.toFixed(0)} ns per call (rounds: ${range(floors).map((v) => v.toFixed(0)).join('..')})`);
console.log('medians over rounds of paired per-round figures, ns per guard unless said\n');
console.log('strategy                 harness  bare koffi        C  harness/C  harness-bare  excess/call (range)         excess/floor');
for (const r of report) {
  const excess = `${r.excessPerCallNs.toFixed(0)} (${r.excessRange.map((v) => v.toFixed(0)).join('..')})`;
  console.log(`${r.mode.padEnd(22)} ${ns(r.harnessNs, 9)} ${ns(r.bareNs, 11)} ${ns(r.cNs, 8)} ${r.ratio.toFixed(3).padStart(10)} ${ns(r.harnessOwnNs, 13)}  ${excess.padEnd(26)} ${r.excessOverFloor.toFixed(2).padStart(12)}`);
}

// Where the excess comes from: the same koffi-versus-C difference for calls that do more and more
// kernel work. If it were a price per call it would not grow with the work.
const gradient = [
  { call: 'getppid (the floor)', koffi: perRound.map((r) => r.getppid.koffi), c: perRound.map((r) => r.getppid.c) },
  { call: 'madvise(EINVAL), 3 args', koffi: perRound.map((r) => r.einval.koffi), c: perRound.map((r) => r.einval.c) },
  { call: 'madvise(GUARD_INSTALL)', koffi: perRound.map((r) => r.bare['guard-madvise']!), c: perRound.map((r) => r.c['guard-madvise']) },
  { call: 'mprotect(PROT_NONE)', koffi: perRound.map((r) => r.bare['prot-none']!), c: perRound.map((r) => r.c['prot-none']) },
].map((g) => ({ ...g, excess: median(g.koffi.map((k, i) => k - g.c[i]!)) }));
console.log('\nkoffi over C by the kernel work of the call (bare koffi loops; ns per call)');
console.log('call                          C    koffi   excess   excess/floor');
for (const g of gradient) {
  console.log(`${g.call.padEnd(24)} ${ns(median(g.c), 7)} ${ns(median(g.koffi), 8)} ${ns(g.excess, 8)} ${(g.excess / floor).toFixed(2).padStart(14)}`);
}
console.log('\nexcess/call is per system call: per guard for one-call-per-guard loops, per batch of '
  + `${BATCH} for process_madvise (where the floor is paid once per batch).`);
if (values.json) writeJsonAtomic(values.json, { rounds, floorNs: floor, report, gradient, perRound });
