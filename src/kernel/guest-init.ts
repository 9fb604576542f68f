/**
 * What runs inside the guest. The init script depends only on the guest's kind (so the initramfs
 * can be cached per kernel); what a session runs comes in a job file the init sources.
 *
 * Two kinds of guest:
 * - '9p': the init loads the 9p modules, mounts the host's root read-only and the output share
 *   read-write, and runs the host's Node and a copy of the project from there; the job is in the
 *   output share and the run is written straight into it.
 * - 'initramfs': for a kernel with no 9p (no modules for it, or built without CONFIG_9P_FS), the
 *   initramfs carries Node, its libraries and the project; the run comes back as a framed base64
 *   tar stream on the second serial port (ttyS1: the 8250 UART is built into every x86 distribution
 *   kernel, and needs no PCI or virtio driver).
 * Both mount a scratch ext4 disk (a virtio block device) on /var/tmp when the kernel can, so that
 * file-backed memory lives on a disk filesystem; when it cannot, the run is told why.
 *
 * The host follows the guest by its console: every line the init prints starts with GUEST_MARK.
 */

export const GUEST_MARK = 'guardbench-guest:';
export const ROOT_TAG = 'guardbench-root';
export const OUT_TAG = 'guardbench-out';
/** where the run is written in the guest (inside the chroot in a 9p guest) */
export const GUEST_OUT_DIR = '/tmp/guardbench-out';
/** the job's file name in the output share; hidden, and removed before the results are kept */
export const JOB_FILE = '.guest-job.sh';
/** where an initramfs guest finds its job and the project tarball (the session's part of the initramfs) */
export const INITRAMFS_JOB = 'job.sh';
export const INITRAMFS_PROJECT = 'project.tar';
/** the lines around the run's tar stream on ttyS1 */
export const RESULTS_BEGIN = 'guardbench-results-begin';
export const RESULTS_END = 'guardbench-results-end';
/** where file-backed memory goes: guardbench takes /var/tmp when the temp directory is a tmpfs */
const DISK_MOUNT = '/var/tmp';
/** what tells guardbench in the guest that file-backed memory has no disk here, and why */
export const NO_FILE_MEMORY_ENV = 'GUARDBENCH_NO_FILE_MEMORY';

export type GuestKind = '9p' | 'initramfs';

/** `value` as one word for sh: single quotes, with each ' closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// 256 KiB messages instead of 9p's default 8 KiB: the root share is read file by file, the tarball
// in one stream. (QEMU's virtio-9p caps msize near 512 KiB.)
const NINEP = 'trans=virtio,version=9p2000.L,msize=262144';

/** Start of every init: busybox's applets, the marked say/halt helpers, /proc, /sys and /dev. */
const PRELUDE = `#!/bin/busybox sh
# guardbench guest init, written by src/kernel/guest-init.ts
/bin/busybox --install -s /bin
export PATH=/bin
say() { echo "${GUEST_MARK} $*"; }
halt() { sync; poweroff -f; reboot -f; }
missing() { say "missing $*"; halt; }
fail() { say "error $*"; halt; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say stage booted
`;

/**
 * The scratch disk on $R/var/tmp, or NOFILE saying why not: the host's reason (GB_NO_DISK: no
 * mkfs.ext4, no modules for the drivers), a module that would not load, no device, no mount.
 */
const DISK = `
setup_disk() {
  [ -n "$GB_NO_DISK" ] && { NOFILE="$GB_NO_DISK"; return; }
  while read -r m; do
    insmod "/modules/$m.ko" || { NOFILE="kernel module $m: insmod failed (see kernel-console.log)"; return; }
  done < /modules/disk-order
  [ -d /sys/bus/virtio/drivers/virtio_blk ] || { NOFILE="the kernel has no virtio_blk driver (CONFIG_VIRTIO_BLK is not built in, and no module for it was at hand)"; return; }
  i=0
  while [ ! -b /dev/vda ] && [ $i -lt 10 ]; do sleep 1; i=$((i+1)); done
  [ -b /dev/vda ] || { NOFILE="no virtio block device appeared in 10 s"; return; }
  grep -qw ext4 /proc/filesystems || { NOFILE="the kernel has no ext4 (CONFIG_EXT4_FS)"; return; }
  mount -t ext4 -o noatime /dev/vda "$R${DISK_MOUNT}" || { NOFILE="mount -t ext4 /dev/vda failed (see kernel-console.log)"; return; }
  chmod 1777 "$R${DISK_MOUNT}"
}
NOFILE=
setup_disk
if [ -n "$NOFILE" ]; then say disk none: $NOFILE; else say disk ext4 on a virtio block device at ${DISK_MOUNT}; fi
`;

/** guardbench in a clean environment, as in CI: progress as lines, no host variables. */
function runGuardbench(prefix: string): string {
  return `env -i HOME=/tmp TMPDIR=/tmp CI=1 LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin \
  \${NOFILE:+"${NO_FILE_MEMORY_ENV}=no writable disk in the guest: $NOFILE"} \
  ${prefix}"$GB_NODE" "$GB_PROJECT_DIR/bin/guardbench.js" "$@"
code=$?`;
}

function ninepInit(): string {
  const out = `/newroot${GUEST_OUT_DIR}`;
  return `${PRELUDE}while read -r m; do
  insmod "/modules/$m.ko" || missing "kernel module $m: insmod failed (see kernel-console.log)"
done < /modules/order
mkdir -p /newroot
mount -t 9p -o ro,${NINEP} ${ROOT_TAG} /newroot || missing "9p: the guest cannot mount the host's root (the kernel needs CONFIG_9P_FS and CONFIG_NET_9P_VIRTIO)"
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp || fail "cannot mount a tmpfs on /tmp"
mkdir -p ${out}
mount -t 9p -o rw,${NINEP} ${OUT_TAG} ${out} || missing "9p: the guest cannot mount the output share"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
say stage mounted
. ${out}/${JOB_FILE} || fail "no job in the output share"
R=/newroot
${DISK}
# The project runs from a tmpfs at its host path: the same paths in messages, and tsx's cache (keyed by
# path) stays valid.
mkdir -p "/newroot$GB_PROJECT_DIR" && mount -t tmpfs tmpfs "/newroot$GB_PROJECT_DIR" || fail "cannot mount a tmpfs on $GB_PROJECT_DIR"
tar -xf "/newroot$GB_PROJECT_TAR" -C "/newroot$GB_PROJECT_DIR" || fail "cannot unpack the project"
say stage copied
${runGuardbench('/bin/chroot /newroot ')}
say exit $code
halt
`;
}

function initramfsInit(): string {
  return `${PRELUDE}mount -t tmpfs -o mode=1777 tmpfs /tmp || fail "cannot mount a tmpfs on /tmp"
mkdir -p ${GUEST_OUT_DIR} ${DISK_MOUNT}
say stage mounted
. /${INITRAMFS_JOB} || fail "no job in the initramfs"
R=
${DISK}
mkdir -p "$GB_PROJECT_DIR" && tar -xf /${INITRAMFS_PROJECT} -C "$GB_PROJECT_DIR" && rm /${INITRAMFS_PROJECT} || fail "cannot unpack the project"
say stage copied
${runGuardbench('')}
# The run goes back before the exit line: the host stops waiting soon after that line.
stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null
{ echo ${RESULTS_BEGIN}; tar -C ${GUEST_OUT_DIR} -cf - . | gzip -c | base64; echo ${RESULTS_END}; } > /dev/ttyS1 || say "error cannot write the run to /dev/ttyS1"
say exit $code
halt
`;
}

/**
 * The guest's /init. Each failure ends in "missing ..." (something the user must install or build)
 * or "error ..." (something else), then power-off, so the host never waits for a guest that gave up.
 */
export function initScript(kind: GuestKind = '9p'): string {
  return kind === '9p' ? ninepInit() : initramfsInit();
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
  /** why the guest gets no scratch disk, known on the host (no mkfs.ext4, no driver modules) */
  noDisk?: string | null;
}

/** The job file the init sources: its variables and the positional arguments. */
export function jobScript(job: GuestJob): string {
  return [
    `GB_PROJECT_TAR=${shellQuote(job.projectTar)}`,
    `GB_PROJECT_DIR=${shellQuote(job.projectDir)}`,
    `GB_NODE=${shellQuote(job.node)}`,
    `GB_NO_DISK=${shellQuote(job.noDisk ?? '')}`,
    `set -- ${job.args.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

export type GuestEvent =
  | { kind: 'stage'; stage: 'booted' | 'mounted' | 'copied' }
  | { kind: 'exit'; code: number }
  | { kind: 'disk'; what: string }
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
  if (word === 'disk') return { kind: 'disk', what: tail };
  if (word === 'missing') return { kind: 'missing', what: tail };
  if (word === 'error') return { kind: 'error', what: tail };
  return null;
}
