/**
 * Cross-CPU interrupts, system-wide, from /proc/interrupts: what telling other CPUs about a freed
 * page table costs. Under a hypervisor with paravirtual TLB flushing (KVM here) the kernel flushes
 * other CPUs through function-call IPIs ("CAL"), and the "TLB shootdowns" row stays at zero, so
 * both are read.
 */
import { readFileSync } from 'node:fs';

export interface InterruptCounts {
  /** CAL: function call interrupts, summed over CPUs */
  functionCall: number;
  /** TLB: TLB shootdowns, summed over CPUs */
  tlbShootdown: number;
}

function rowSum(text: string, label: string): number {
  const m = new RegExp(`^\\s*${label}:((?:\\s+\\d+)+)`, 'm').exec(text);
  return m ? m[1]!.trim().split(/\s+/).reduce((s, x) => s + Number(x), 0) : 0;
}

export function readInterrupts(): InterruptCounts {
  const text = readFileSync('/proc/interrupts', 'latin1');
  return { functionCall: rowSum(text, 'CAL'), tlbShootdown: rowSum(text, 'TLB') };
}
