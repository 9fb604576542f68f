/**
 * The QEMU command line for one guest: the kernel and initramfs, the host's root as a read-only 9p
 * share, the output directory as a read-write one, the console on the serial port (QEMU's stdout),
 * and no network, display or disk.
 */
import type { Accel } from './host-tools.js';
import { OUT_TAG, ROOT_TAG } from './guest-init.js';

export interface GuestMachine {
  accel: Accel;
  cpus: number;
  memoryMiB: number;
}

export interface QemuInvocation {
  image: string;
  initramfs: string;
  /** host directory the guest writes the run into */
  outDir: string;
  machine: GuestMachine;
}

/**
 * The guest kernel's command line. `guardbench.accel=` is how a run made in the guest knows it ran
 * under QEMU and with which accelerator (the run's testbed reads it from /proc/cmdline). panic=-1
 * reboots at once on a panic, and -no-reboot turns that reboot into QEMU's exit.
 */
export function kernelCommandLine(accel: Accel): string {
  return ['console=ttyS0', 'panic=-1', 'rdinit=/init', `guardbench.accel=${accel}`].join(' ');
}

/**
 * The accelerator's options. TCG runs single-threaded: with QEMU 7.2's default multi-threaded TCG,
 * 3 of 10 guest runs died with SIGSEGV in Node's JIT code; single-threaded, none did (about 1.5-2x
 * slower). KVM runs the host's own CPU model so the guest sees the host's features.
 */
function accelArgs(accel: Accel): string[] {
  return accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=single', '-cpu', 'max'];
}

function share(id: string, path: string, tag: string, readonly: boolean): string[] {
  // multidevs=remap: the root share spans several host file systems; remapping keeps inode numbers
  // unique. A comma in a path is doubled, QEMU's escape inside an option list.
  const fsdev = `local,id=${id},path=${path.replace(/,/g, ',,')},security_model=none,multidevs=remap${readonly ? ',readonly=on' : ''}`;
  return ['-fsdev', fsdev, '-device', `virtio-9p-pci,fsdev=${id},mount_tag=${tag}`];
}

export function qemuArgs(q: QemuInvocation): string[] {
  return [
    ...accelArgs(q.machine.accel),
    '-smp', String(q.machine.cpus),
    '-m', `${q.machine.memoryMiB}M`,
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-chardev', 'stdio,id=console,signal=off', '-serial', 'chardev:console',
    '-kernel', q.image,
    '-initrd', q.initramfs,
    '-append', kernelCommandLine(q.machine.accel),
    ...share('root', '/', ROOT_TAG, true),
    ...share('out', q.outDir, OUT_TAG, false),
  ];
}

export function describeAccel(accel: Accel): string {
  return accel === 'kvm' ? 'KVM' : 'TCG (an emulated CPU, single-threaded: counts and bytes are exact, latencies are not benchmarks)';
}
