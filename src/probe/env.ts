/** The environment a run was made in: what a reader needs to judge and compare its numbers. */
import os from 'node:os';
import { koffiVersion, libcVersion, pageSize } from '../sys/libc.js';
import { aslrDisabled } from '../sys/personality.js';
import type { Env } from '../results/schema.js';
import type { FeatureProbe } from './features.js';
import { readTrimmed, selectedChoice } from './sysfs.js';
import { captureTestbed } from './testbed.js';
import { readVmaSlabLayout } from '../metrics/slab.js';

/** The environment of a run on this machine; `testbedName` names its testbed (--testbed), else one is derived. */
export function captureEnv(probe: FeatureProbe, testbedName?: string): Env {
  const cpus = os.cpus();
  const maxMap = readTrimmed('/proc/sys/vm/max_map_count');
  const slab = readVmaSlabLayout();
  return {
    kernel: { release: os.release(), version: os.version(), machine: os.machine() },
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', count: Math.max(1, cpus.length) },
    memBytes: os.totalmem(),
    pageSize: pageSize(),
    maxMapCount: maxMap === null ? null : Number(maxMap),
    thp: selectedChoice(readTrimmed('/sys/kernel/mm/transparent_hugepage/enabled')),
    libc: libcVersion(),
    node: process.version,
    koffi: koffiVersion,
    root: process.getuid?.() === 0,
    features: probe.features,
    featureReasons: probe.reasons,
    pidfdSelfValue: probe.pidfdSelfValue,
    governor: readTrimmed('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor') ?? 'unknown',
    aslr: aslrDisabled() ? 'off for this run (ADDR_NO_RANDOMIZE)' : `on (randomize_va_space=${readTrimmed('/proc/sys/kernel/randomize_va_space') ?? 'unknown'})`,
    overcommit: readTrimmed('/proc/sys/vm/overcommit_memory') ?? 'unknown',
    loadAvg: os.loadavg().map((l) => Math.round(l * 100) / 100),
    fileDir: probe.fileBacking.dir,
    fileSystem: probe.fileBacking.fileSystem,
    testbed: captureTestbed(testbedName),
    ...('caches' in slab ? { slabCaches: slab.caches } : { slabCachesReason: slab.reason }),
  };
}
