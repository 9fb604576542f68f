/**
 * A run's environment in words: every field of `env` under a label a reader knows ("PIDFD_SELF
 * value used", not `pidfdSelfValue`), the testbed spelled out, and the long ones (the kernel
 * command line, the mitigations file by file) marked to fold. Pure functions of a run.
 */
import type { Env, Run, Testbed } from '../results/schema.js';
import { hostSpeedOf } from '../analysis/host-speed.js';
import { formatBytes, formatValue } from '../render/format.js';
import { describeHostSpeed } from './words.js';

export interface Fact {
  label: string;
  value: string;
  /** long enough to fold away (<details>): shown on request */
  folded?: boolean;
}

/** env fields described by the facts below; any other field is shown under a label made from its name. */
const DESCRIBED = new Set([
  'kernel', 'cpu', 'memBytes', 'pageSize', 'maxMapCount', 'thp', 'libc', 'node', 'koffi', 'root', 'features', 'featureReasons',
  'pidfdSelfValue', 'governor', 'aslr', 'overcommit', 'loadAvg', 'loadAvgAfter', 'pinnedCpu', 'passes', 'ffi', 'vmaCountAtStart',
  'vmaCountAtEnd', 'v8HeapBytesAtStart', 'v8HeapBytesAtEnd', 'hostSpeed', 'testbed', 'fileDir', 'fileSystem',
]);

const OVERCOMMIT: Record<string, string> = { 0: 'heuristic (0)', 1: 'always (1)', 2: 'never (2)' };
const PIDFD_SELF: Record<string, string> = { '-10000': 'PIDFD_SELF_THREAD', '-10001': 'PIDFD_SELF_THREAD_GROUP', '-20000': 'PIDFD_SELF (6.14 value)' };

/** "pidfdSelfValue" -> "pidfd self value": a label for a field added after this list was written. */
function wordsOf(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return value.join(', ');
  return JSON.stringify(value);
}

/** "AMD EPYC (AuthenticAMD family 26, model 2, stepping 1), 2 logical CPUs, no SMT, a virtual machine, 24 GiB" */
function machineWords(t: Testbed): string {
  const id = t.identity;
  const cpuid = [id.cpuFamily && `family ${id.cpuFamily}`, id.cpuModelNumber && `model ${id.cpuModelNumber}`, id.cpuStepping && `stepping ${id.cpuStepping}`]
    .filter(Boolean).join(', ');
  const smt = id.smt === null ? '' : id.smt ? ', SMT on' : ', no SMT';
  const vm = id.emulated ? ', an emulated CPU (QEMU TCG: its latencies are no benchmark)'
    : id.hypervisor ? `, a virtual machine${id.hypervisorType ? ` (${id.hypervisorType})` : ''}${t.accelerator ? ` under QEMU ${t.accelerator.toUpperCase()}` : ''}` : ', bare metal';
  const product = id.product ? `, ${id.product}` : '';
  return `${id.cpuModel} (${id.cpuVendor}${cpuid ? ` ${cpuid}` : ''}), ${id.logicalCpus} logical CPUs${smt}${vm}${product}, ${id.memGiB} GiB`;
}

/** "1 vulnerable (spec_store_bypass), 3 mitigated, 14 not affected" */
function mitigationSummary(m: Record<string, string>): string {
  const entries = Object.entries(m);
  const vulnerable = entries.filter(([, v]) => /^vulnerable/i.test(v)).map(([k]) => k);
  const mitigated = entries.filter(([, v]) => /^mitigation/i.test(v)).length;
  const unaffected = entries.filter(([, v]) => /^not affected/i.test(v)).length;
  const parts = [vulnerable.length ? `${vulnerable.length} vulnerable (${vulnerable.join(', ')})` : '', `${mitigated} mitigated`, `${unaffected} not affected`];
  return parts.filter(Boolean).join(', ');
}

function testbedFacts(t: Testbed): Fact[] {
  const c = t.confounders;
  const facts: Fact[] = [
    { label: 'testbed', value: `${t.name}${t.named ? ' (named with --testbed)' : ''}: latencies are compared only with runs of this testbed` },
    { label: 'machine', value: `${machineWords(t)}${t.identity.machine ? `; machine id hash ${t.identity.machine}` : ''}` },
    { label: 'CPU vulnerability mitigations', value: mitigationSummary(c.mitigations) },
  ];
  if (c.governor || c.boost) facts.push({ label: 'cpufreq', value: `governor ${c.governor ?? 'unknown'}, boost ${c.boost ?? 'unknown'}` });
  facts.push({ label: 'kernel command line', value: c.cmdline, folded: true });
  facts.push({ label: 'mitigations, file by file', value: Object.entries(c.mitigations).map(([k, v]) => `${k}: ${v}`).join('; '), folded: true });
  return facts;
}

function measuringFacts(run: Run): Fact[] {
  const e: Env = run.env;
  const facts: Fact[] = [{ label: 'measured', value: `${run.startedAt} to ${run.finishedAt ?? '(not finished)'}` }];
  if (e.passes !== undefined) facts.push({ label: 'passes', value: `${e.passes} over every point, samples pooled` });
  if (e.pinnedCpu !== undefined) facts.push({ label: 'measuring thread', value: e.pinnedCpu === null ? 'not pinned' : `pinned to CPU ${e.pinnedCpu}` });
  if (e.ffi) {
    facts.push({ label: 'FFI floor', value: `${formatValue(e.ffi.labsNs)} ns per call (labs), ${formatValue(e.ffi.getppidNs)} ns per system call (getppid)` });
  }
  const hs = hostSpeedOf(run);
  if (hs) facts.push({ label: 'host speed', value: describeHostSpeed(hs) });
  if (e.loadAvg || e.loadAvgAfter !== undefined) {
    const before = e.loadAvg ? `${e.loadAvg.map((x) => x.toFixed(2)).join(', ')} (1, 5, 15 min) before` : '';
    const after = e.loadAvgAfter !== undefined ? `${e.loadAvgAfter.toFixed(2)} (1 min) after` : '';
    facts.push({ label: 'load average', value: [before, after].filter(Boolean).join('; ') });
  }
  if (e.vmaCountAtStart !== undefined || e.vmaCountAtEnd !== undefined) {
    facts.push({ label: 'process VMAs', value: `${text(e.vmaCountAtStart)} before the first point, ${text(e.vmaCountAtEnd)} after the last` });
  }
  if (e.v8HeapBytesAtStart !== undefined) {
    const end = e.v8HeapBytesAtEnd !== undefined ? `, ${formatBytes(e.v8HeapBytesAtEnd)} at the end` : '';
    facts.push({ label: "V8's paged heap", value: `${formatBytes(e.v8HeapBytesAtStart)} at the start${end} (a VMA per 256 KiB page)` });
  }
  return facts;
}

/** The environment of a run, labelled, in reading order: machine, kernel, settings, software, how it was measured. */
export function envFacts(run: Run): Fact[] {
  const e = run.env;
  const facts: Fact[] = [];
  if (e.testbed) facts.push(...testbedFacts(e.testbed).slice(0, 2));
  facts.push(
    { label: 'kernel', value: `${e.kernel.release} ${e.kernel.version} (${e.kernel.machine})` },
    { label: 'CPU', value: `${e.cpu.model}, ${e.cpu.count} CPUs` },
    { label: 'memory', value: `${(e.memBytes / 2 ** 30).toFixed(1)} GiB` },
    { label: 'page size', value: formatBytes(e.pageSize) },
    { label: 'transparent huge pages', value: e.thp },
    { label: 'vm.max_map_count', value: text(e.maxMapCount) },
  );
  if (e.aslr !== undefined) facts.push({ label: 'address space randomisation', value: e.aslr });
  if (e.overcommit !== undefined) facts.push({ label: 'memory overcommit', value: OVERCOMMIT[e.overcommit] ?? e.overcommit });
  if (e.governor !== undefined && !e.testbed) facts.push({ label: 'cpufreq governor', value: e.governor });
  if (e.testbed) facts.push(...testbedFacts(e.testbed).slice(2));
  facts.push(
    { label: 'libc', value: e.libc },
    { label: 'Node.js / koffi', value: `${e.node} / ${e.koffi}` },
    { label: 'run as root', value: e.root ? 'yes' : 'no (VMA slab figures need root)' },
  );
  if (e.pidfdSelfValue !== undefined) {
    const v = e.pidfdSelfValue;
    facts.push({ label: 'PIDFD_SELF value used', value: v === null ? 'none: pidfd_open(getpid())' : `${v}${PIDFD_SELF[String(v)] ? ` (${PIDFD_SELF[String(v)]})` : ''}` });
  }
  if (e.fileDir !== undefined) facts.push({ label: 'file memory created in', value: `${e.fileDir}${e.fileSystem ? ` (${e.fileSystem})` : ''}` });
  facts.push(...measuringFacts(run));
  for (const [k, v] of Object.entries(e)) if (!DESCRIBED.has(k)) facts.push({ label: wordsOf(k), value: text(v) });
  return facts;
}
