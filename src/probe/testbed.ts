/**
 * What makes this machine this machine, for the run's `testbed`: latencies are a property of a
 * machine and a kernel together (two hosts of one cloud instance type ran the same kernel 2-5x
 * apart), so runs say which machine they were made on and compare never sets latencies of two
 * testbeds against each other.
 *
 * The identity (hashed into the fingerprint) is what a machine keeps across reboots and kernel
 * upgrades: CPU vendor, model, family and stepping, logical CPUs, SMT, hypervisor, DMI product,
 * memory size, the machine id, and whether the CPU is emulated. Settings that can change between
 * runs of one machine and move the figures (kernel command line, CPU vulnerability mitigations,
 * THP, cpufreq governor and boost) are recorded as confounders beside it, not in it.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import type { Testbed } from '../results/schema.js';
import { readTrimmed as read, selectedChoice } from './sysfs.js';

/** The first value of `key` in /proc/cpuinfo. */
function cpuinfoField(cpuinfo: string, key: string): string | null {
  const m = new RegExp(`^${key}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo);
  return m ? m[1]!.trim() : null;
}

/** `guardbench.accel=tcg` on the kernel command line: set by `guardbench kernel run` for a guest under QEMU. */
export function acceleratorFromCmdline(cmdline: string): 'kvm' | 'tcg' | null {
  const m = /(?:^|\s)guardbench\.accel=(kvm|tcg)(?:\s|$)/.exec(cmdline);
  return m ? (m[1] as 'kvm' | 'tcg') : null;
}

function mitigations(): Record<string, string> {
  const dir = '/sys/devices/system/cpu/vulnerabilities';
  const out: Record<string, string> = {};
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    const v = read(`${dir}/${n}`);
    if (v !== null) out[n] = v;
  }
  return out;
}

/** A short, readable name from the identity: "amd-epyc-2cpu-vm-1a2b3c4d". */
export function derivedTestbedName(id: Testbed['identity'], fingerprint: string): string {
  const cpu = id.cpuModel.toLowerCase().replace(/\((r|tm)\)/g, '').replace(/\b(cpu|processor|\d+-core)\b/g, '').replace(/@.*$/, '');
  const slug = `${cpu}`.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 32) || 'cpu';
  const where = id.emulated ? 'tcg' : id.hypervisor ? 'vm' : 'metal';
  return `${slug}-${id.logicalCpus}cpu-${where}-${fingerprint.slice(0, 8)}`;
}

export function fingerprintOf(id: Testbed['identity']): string {
  const stable = JSON.stringify(Object.entries(id).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(stable).digest('hex').slice(0, 16);
}

/** This machine's testbed; `name` when the user gave one (--testbed), else one derived from the fingerprint. */
export function captureTestbed(name?: string): Testbed {
  const cpuinfo = read('/proc/cpuinfo') ?? '';
  const cmdline = read('/proc/cmdline') ?? '';
  const flags = (cpuinfoField(cpuinfo, 'flags') ?? '').split(/\s+/);
  const accelerator = acceleratorFromCmdline(cmdline);
  const smt = read('/sys/devices/system/cpu/smt/active');
  const machineId = read('/etc/machine-id');
  const identity: Testbed['identity'] = {
    cpuVendor: cpuinfoField(cpuinfo, 'vendor_id') ?? os.machine(),
    cpuModel: cpuinfoField(cpuinfo, 'model name') ?? os.cpus()[0]?.model.trim() ?? 'unknown',
    cpuFamily: cpuinfoField(cpuinfo, 'cpu family'),
    cpuModelNumber: cpuinfoField(cpuinfo, 'model'),
    cpuStepping: cpuinfoField(cpuinfo, 'stepping'),
    logicalCpus: Math.max(1, os.cpus().length),
    smt: smt === null ? null : smt === '1',
    hypervisor: flags.includes('hypervisor') || accelerator !== null,
    hypervisorType: read('/sys/hypervisor/type'),
    product: [read('/sys/class/dmi/id/sys_vendor'), read('/sys/class/dmi/id/product_name')].filter(Boolean).join(' ') || null,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    // Hashed, so a run does not publish the machine's id; it tells two machines of one kind apart.
    machine: machineId ? createHash('sha256').update(machineId).digest('hex').slice(0, 12) : null,
    emulated: accelerator === 'tcg',
  };
  const fingerprint = fingerprintOf(identity);
  return {
    name: name ?? derivedTestbedName(identity, fingerprint),
    named: name !== undefined,
    fingerprint,
    identity,
    accelerator,
    confounders: {
      cmdline,
      mitigations: mitigations(),
      thp: `${selectedChoice(read('/sys/kernel/mm/transparent_hugepage/enabled'))}, defrag ${selectedChoice(read('/sys/kernel/mm/transparent_hugepage/defrag'))}`,
      governor: read('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor'),
      boost: read('/sys/devices/system/cpu/cpufreq/boost'),
    },
  };
}
