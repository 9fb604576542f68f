/**
 * The QEMU command line for one guest: the kernel and initramfs, the serial console into a file, a
 * scratch disk when there is one, and no network or display. A 9p guest gets the host's root as a
 * read-only 9p share and the output directory as a read-write one; an initramfs guest gets a second
 * serial port into a file instead, for its run to come back on.
 */
import type { Accel } from './host-tools.js';
import { OUT_TAG, ROOT_TAG, type GuestKind } from './guest-init.js';

export interface GuestMachine {
  accel: Accel;
  cpus: number;
  memoryMiB: number;
  /** the user's own kernel parameters (e.g. transparent_hugepage=madvise), after guardbench's */
  append: string;
}

export interface QemuInvocation {
  image: string;
  initramfs: string;
  kind: GuestKind;
  /** 9p: host directory the guest writes the run into; initramfs: the file ttyS1 goes to */
  outDir: string;
  /** host file the serial console goes to */
  consoleLog: string;
  /** a raw disk image for the guest's scratch ext4, or null */
  disk: string | null;
  machine: GuestMachine;
}

/**
 * The guest kernel's command line. `guardbench.accel=` is how a run made in the guest knows it ran
 * under QEMU and with which accelerator (the run's testbed reads it from /proc/cmdline). panic=-1
 * reboots at once on a panic, and -no-reboot turns that reboot into QEMU's exit.
 */
export function kernelCommandLine(accel: Accel, append = ''): string {
  return ['console=ttyS0', 'panic=-1', 'rdinit=/init', `guardbench.accel=${accel}`, append.trim()].filter(Boolean).join(' ');
}

/**
 * The accelerator's options. TCG runs single-threaded: with QEMU 7.2's default multi-threaded TCG,
 * 3 of 10 guest runs died with SIGSEGV in Node's JIT code; single-threaded, none did (about 1.5-2x
 * slower). KVM runs the host's own CPU model so the guest sees the host's features.
 */
function accelArgs(accel: Accel): string[] {
  return accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=single', '-cpu', 'max'];
}

/** A path inside a QEMU option list, where a comma is written twice. */
function optionPath(path: string): string {
  return path.replace(/,/g, ',,');
}

function share(id: string, path: string, tag: string, readonly: boolean): string[] {
  // multidevs=remap: the root share spans several host file systems; remapping keeps inode numbers unique
  const fsdev = `local,id=${id},path=${optionPath(path)},security_model=none,multidevs=remap${readonly ? ',readonly=on' : ''}`;
  return ['-fsdev', fsdev, '-device', `virtio-9p-pci,fsdev=${id},mount_tag=${tag}`];
}

export function qemuArgs(q: QemuInvocation): string[] {
  return [
    ...accelArgs(q.machine.accel),
    '-smp', String(q.machine.cpus),
    '-m', `${q.machine.memoryMiB}M`,
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    // A file, not a pipe: when a pipe backs up, QEMU's UART drops characters after a few retries
    // (under load the boot log read "gench.accel=tcg"), and the host reads its markers from here.
    '-chardev', `file,id=console,path=${optionPath(q.consoleLog)}`, '-serial', 'chardev:console',
    '-kernel', q.image,
    '-initrd', q.initramfs,
    '-append', kernelCommandLine(q.machine.accel, q.machine.append),
    ...(q.kind === '9p'
      ? [...share('root', '/', ROOT_TAG, true), ...share('out', q.outDir, OUT_TAG, false)]
      : ['-chardev', `file,id=results,path=${optionPath(q.outDir)}`, '-serial', 'chardev:results']),
    // cache=unsafe: a scratch disk thrown away after the session need not reach the host's disk
    ...(q.disk ? ['-drive', `file=${optionPath(q.disk)},format=raw,if=none,id=scratch,cache=unsafe`, '-device', 'virtio-blk-pci,drive=scratch'] : []),
  ];
}

export function describeAccel(accel: Accel): string {
  return accel === 'kvm' ? 'KVM' : 'TCG (an emulated CPU, single-threaded: counts and bytes are exact, latencies are not benchmarks)';
}
