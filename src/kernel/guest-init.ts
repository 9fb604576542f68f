/**
 * What runs inside the guest. The init script is the same for every session (so the initramfs can
 * be cached per kernel): it loads the 9p modules, mounts the host's root read-only and the output
 * share read-write, and runs the job the host left in the output share. The job names this
 * session's tarball, Node and guardbench arguments.
 *
 * The host follows the guest by its console: every line the init prints starts with GUEST_MARK.
 */

export const GUEST_MARK = 'guardbench-guest:';
export const ROOT_TAG = 'guardbench-root';
export const OUT_TAG = 'guardbench-out';
/** where the output share is mounted in the guest (inside the chroot) */
export const GUEST_OUT_DIR = '/tmp/guardbench-out';
/** the job's file name in the output share; hidden, and removed before the results are kept */
export const JOB_FILE = '.guest-job.sh';

/** `value` as one word for sh: single quotes, with each ' closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// 256 KiB messages instead of 9p's default 8 KiB: the root share is read file by file, the tarball
// in one stream. (QEMU's virtio-9p caps msize near 512 KiB.)
const NINEP = 'trans=virtio,version=9p2000.L,msize=262144';

/**
 * The guest's /init. Each failure ends in "missing ..." (something the user must install or build)
 * or "error ..." (something else), then power-off, so the host never waits for a guest that gave up.
 */
export function initScript(): string {
  const out = `/newroot${GUEST_OUT_DIR}`;
  return `#!/bin/busybox sh
# guardbench guest init, written by src/kernel/guest-init.ts
/bin/busybox --install -s /bin
export PATH=/bin
say() { echo "${GUEST_MARK} $*"; }
halt() { sync; poweroff -f; reboot -f; }
missing() { say "missing $*"; halt; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say stage booted
while read -r m; do
  insmod "/modules/$m.ko" || missing "kernel module $m: insmod failed (see kernel-console.log)"
done < /modules/order
mkdir -p /newroot
mount -t 9p -o ro,${NINEP} ${ROOT_TAG} /newroot || missing "9p: the guest cannot mount the host's root (the kernel needs CONFIG_9P_FS and CONFIG_NET_9P_VIRTIO)"
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp || { say "error cannot mount a tmpfs on /tmp"; halt; }
mkdir -p ${out}
mount -t 9p -o rw,${NINEP} ${OUT_TAG} ${out} || missing "9p: the guest cannot mount the output share"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
say stage mounted
. ${out}/${JOB_FILE} || { say "error no job in the output share"; halt; }
# The project runs from a tmpfs at its host path: the same paths in messages, and tsx's cache (keyed by
# path) stays valid.
mkdir -p "/newroot$GB_PROJECT_DIR" && mount -t tmpfs tmpfs "/newroot$GB_PROJECT_DIR" || { say "error cannot mount a tmpfs on $GB_PROJECT_DIR"; halt; }
tar -xf "/newroot$GB_PROJECT_TAR" -C "/newroot$GB_PROJECT_DIR" || { say "error cannot unpack the project"; halt; }
say stage copied
# A clean environment, as in CI: progress as lines, no host variables.
env -i HOME=/tmp TMPDIR=/tmp CI=1 LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin \\
  /bin/chroot /newroot "$GB_NODE" "$GB_PROJECT_DIR/bin/guardbench.js" "$@"
say exit $?
halt
`;
}

export interface GuestJob {
  /** the project tarball's path on the host, seen at the same path through the root share */
  projectTar: string;
  /** the project's directory on the host, where the guest unpacks it */
  projectDir: string;
  /** the host's Node binary, run from the root share */
  node: string;
  /** guardbench's arguments in the guest, e.g. ['run', '--quick', '--out', GUEST_OUT_DIR] */
  args: readonly string[];
}

/** The job file the init sources: two variables and the positional arguments. */
export function jobScript(job: GuestJob): string {
  return [
    `GB_PROJECT_TAR=${shellQuote(job.projectTar)}`,
    `GB_PROJECT_DIR=${shellQuote(job.projectDir)}`,
    `GB_NODE=${shellQuote(job.node)}`,
    `set -- ${job.args.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

export type GuestEvent =
  | { kind: 'stage'; stage: 'booted' | 'mounted' | 'copied' }
  | { kind: 'exit'; code: number }
  | { kind: 'missing'; what: string }
  | { kind: 'error'; what: string };

/** The event a console line reports, or null for every other line (the kernel's, guardbench's). */
export function parseGuestLine(line: string): GuestEvent | null {
  const at = line.indexOf(GUEST_MARK);
  if (at < 0) return null;
  const rest = line.slice(at + GUEST_MARK.length).trim();
  const [word, ...more] = rest.split(/\s+/);
  const tail = more.join(' ');
  if (word === 'stage' && (tail === 'booted' || tail === 'mounted' || tail === 'copied')) return { kind: 'stage', stage: tail };
  if (word === 'exit' && /^\d+$/.test(tail)) return { kind: 'exit', code: Number(tail) };
  if (word === 'missing') return { kind: 'missing', what: tail };
  if (word === 'error') return { kind: 'error', what: tail };
  return null;
}
