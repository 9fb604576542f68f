/**
 * guardbench kernel before any boot: every missing piece is one line and exit 2, and the pieces the
 * guest is built from (cpio archive, module dependencies, the init's job file) are right. No QEMU
 * runs here; test/kernel-vm.test.ts boots a real kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ROOT, isOneLineError, runCli, scratchDir } from './helpers.js';
import { writeCpio } from '../src/kernel/cpio.js';
import { readDynamicNeeds, readModinfo, isStaticExecutable } from '../src/kernel/elf.js';
import { planModules } from '../src/kernel/modules.js';
import { bzImageVersion, findImageInRoot, findModules, readKernelImage, resolveKernelArgument } from '../src/kernel/image.js';
import { findOnPath, readFileHead } from '../src/kernel/host-tools.js';
import { initScript, jobScript, parseGuestLine, RESULTS_BEGIN, RESULTS_END } from '../src/kernel/guest-init.js';
import { decodeResultsStream, unpackResults } from '../src/kernel/guest-results.js';
import { sharedLibraryClosure } from '../src/kernel/libraries.js';
import { kernelCommandLine, qemuArgs } from '../src/kernel/qemu.js';
import { ensureInitramfs, writeSessionInitrd } from '../src/kernel/initramfs.js';

const busybox = findOnPath('busybox');
const gcc = findOnPath('gcc');
// a session needs a static busybox (Debian's busybox-static); the dynamic one is refused
const sessionSkip = !(busybox && isStaticExecutable(readFileHead(busybox))) && 'needs busybox-static';

/** The first bytes of an x86 bzImage: enough boot header for the release to be read. */
function fakeBzImage(dir: string, version: string): string {
  const bytes = Buffer.alloc(0x400);
  bytes.write('HdrS', 0x202, 'latin1');
  bytes.writeUInt16LE(0x100, 0x20e);
  bytes.write(`${version}\0`, 0x300, 'latin1');
  const path = join(dir, 'bzImage');
  writeFileSync(path, bytes);
  return path;
}

/** A modules directory whose modules.builtin lists `builtin` (a kernel with those built in). */
function modulesDir(dir: string, builtin: string[]): string {
  const path = join(dir, 'modules');
  mkdirSync(join(path, 'kernel'), { recursive: true });
  writeFileSync(join(path, 'modules.builtin'), builtin.map((m) => `kernel/x/${m}.ko\n`).join(''));
  return path;
}

/** A PATH directory holding only the named programs, each a link to a real executable. */
function pathWith(dir: string, programs: Record<string, string>): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, target] of Object.entries(programs)) symlinkSync(target, join(bin, name));
  return bin;
}

function kernelCli(args: string[], path?: string) {
  return runCli(['kernel', ...args], path === undefined ? {} : { env: { ...process.env, PATH: path } });
}

function assertMissing(r: ReturnType<typeof runCli>, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.ok(isOneLineError(r.stderr), r.stderr);
  assert.match(r.stderr, pattern);
}

test('the release comes from the boot header; a file without one is named as not a kernel', () => {
  const dir = scratchDir();
  const image = readKernelImage(fakeBzImage(dir, '6.1.0-99-amd64 (someone@example) #1 SMP'));
  assert.equal(image.release, '6.1.0-99-amd64');
  assert.equal(bzImageVersion(Buffer.alloc(0x400)), null);
  assertMissing(kernelCli(['run', join(dir, 'nothing-here')]), /kernel image .*nothing-here: no such file/);
  assertMissing(kernelCli(['run', 'package.json']), /not a bootable x86 kernel image/);
});

test('modules are found beside an image unpacked with dpkg-deb -x, and --modules takes a root or the directory', () => {
  const root = scratchDir();
  mkdirSync(join(root, 'boot'));
  const image = readKernelImage(fakeBzImage(join(root, 'boot'), '6.1.0-99-amd64 #1'));
  const unpacked = join(root, 'lib', 'modules', '6.1.0-99-amd64');
  mkdirSync(unpacked, { recursive: true });
  writeFileSync(join(unpacked, 'modules.order'), '');
  assert.equal(findModules(image, undefined).dir, unpacked);
  assert.equal(findModules(image, root).dir, unpacked);
  assert.equal(findModules(image, unpacked).dir, unpacked);
  assertMissing(kernelCli(['run', image.path, '--modules', join(root, 'boot')]), /no modules for 6\.1\.0-99-amd64 there/);
});

test('without QEMU on PATH: one line naming qemu-system-x86, exit 2', () => {
  const dir = scratchDir();
  const image = fakeBzImage(dir, '6.1.0-99-amd64 #1');
  const modules = modulesDir(dir, ['virtio_pci', '9pnet_virtio', '9p']);
  assertMissing(kernelCli(['run', image, '--modules', modules], pathWith(dir, {})), /QEMU not found.*apt-get install qemu-system-x86/);
});

test('without busybox, or with a dynamic one: one line naming busybox-static, exit 2', () => {
  const dir = scratchDir();
  const image = fakeBzImage(dir, '6.1.0-99-amd64 #1');
  const modules = modulesDir(dir, ['virtio_pci', '9pnet_virtio', '9p']);
  const onlyQemu = pathWith(join(dir, 'a'), { 'qemu-system-x86_64': '/bin/true' });
  assertMissing(kernelCli(['run', image, '--modules', modules], onlyQemu), /busybox not found.*busybox-static/);
  // /bin/true is dynamically linked on every glibc distribution
  const dynamic = pathWith(join(dir, 'b'), { 'qemu-system-x86_64': '/bin/true', busybox: '/bin/true' });
  assertMissing(kernelCli(['run', image, '--modules', modules], dynamic), /not a static executable.*busybox-static/);
});

test('--guest 9p with a modules directory without 9p: one line naming the module and CONFIG_9P_FS, exit 2', { skip: sessionSkip }, () => {
  const dir = scratchDir();
  const image = fakeBzImage(dir, '6.1.0-99-amd64 #1');
  const modules = modulesDir(dir, ['virtio_pci', '9pnet_virtio']);
  assertMissing(kernelCli(['run', image, '--modules', modules, '--guest', '9p']), /kernel module 9p is neither built in nor in .*CONFIG_9P_FS/);
  assertMissing(kernelCli(['run', image, '--guest', 'nfs']), /--guest nfs: expected auto, 9p or initramfs/);
});

test('run options are checked on the host before any boot', () => {
  const dir = scratchDir();
  const image = fakeBzImage(dir, '6.1.0-99-amd64 #1');
  const r = kernelCli(['run', image, '--', '--no-such-option']);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(isOneLineError(r.stderr), r.stderr);
  const out = kernelCli(['run', image, '--', '--out', dir]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /give --out before --/);
});

test('a newc archive that busybox cpio lists and unpacks as written', { skip: !busybox && 'needs busybox on PATH' }, () => {
  const archive = writeCpio([
    { kind: 'dir', path: 'bin' },
    { kind: 'file', path: 'bin/hello', data: 'hello, guest\n', mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'dir', path: 'dev' },
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'odd', data: Buffer.alloc(5, 7) },
  ]);
  const listing = spawnSync(busybox!, ['cpio', '-itv'], { input: archive, encoding: 'utf8' });
  assert.equal(listing.status, 0, listing.stderr);
  const lines = listing.stdout.trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split(/\s+/).slice(-1)[0] === 'busybox' ? 'bin/sh' : l.split(/\s+/).pop()), ['bin', 'bin/hello', 'bin/sh', 'dev', 'dev/console', 'odd']);
  assert.match(lines[1]!, /^-rwxr-xr-x/);
  assert.match(lines[2]!, /^lrwxrwxrwx.*bin\/sh -> busybox$/);
  assert.match(lines[4]!, /^crw-------/);
  const out = scratchDir();
  const unpack = spawnSync(busybox!, ['cpio', '-id', 'bin/hello', 'odd'], { input: archive, cwd: out });
  assert.equal(unpack.status, 0, String(unpack.stderr));
  assert.equal(readFileSync(join(out, 'bin/hello'), 'utf8'), 'hello, guest\n');
  assert.deepEqual(readFileSync(join(out, 'odd')), Buffer.alloc(5, 7));
});

/** A relocatable ELF object with a .modinfo section, which is what a .ko is to the reader. */
function compileModule(dir: string, name: string, depends: string): Buffer {
  const source = join(dir, `${name}.c`);
  writeFileSync(source, `__attribute__((section(".modinfo"), used)) static const char info[] = "license=GPL\\0depends=${depends}\\0name=${name}";\n`);
  const object = join(dir, `${name}.o`);
  const r = spawnSync(gcc!, ['-c', '-o', object, source], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(object);
}

test('module dependencies come from each module\'s .modinfo, in load order, across compressions', { skip: (!gcc || !busybox) && 'needs gcc and busybox' }, () => {
  const dir = scratchDir();
  const root = join(dir, 'lib', 'modules', '6.1.0-99');
  const at = (sub: string) => {
    mkdirSync(join(root, 'kernel', sub), { recursive: true });
    return join(root, 'kernel', sub);
  };
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'modules.builtin'), 'kernel/drivers/virtio/virtio.ko\n');
  writeFileSync(join(at('drivers/virtio'), 'virtio_ring.ko'), compileModule(dir, 'virtio_ring', ''));
  writeFileSync(join(at('drivers/virtio'), 'virtio_pci.ko'), compileModule(dir, 'virtio_pci', 'virtio_ring,virtio'));
  writeFileSync(join(at('net/9p'), '9pnet.ko.gz'), gzipSync(compileModule(dir, '9pnet', '')));
  writeFileSync(join(at('net/9p'), '9pnet_virtio.ko'), compileModule(dir, '9pnet_virtio', '9pnet,virtio_ring'));
  writeFileSync(join(at('fs/netfs'), 'netfs.ko'), compileModule(dir, 'netfs', ''));
  writeFileSync(join(at('fs/9p'), '9p.ko'), compileModule(dir, '9p', 'netfs,9pnet'));
  const plan = planModules(root, busybox!);
  assert.deepEqual(plan.load.map((m) => m.name), ['virtio_ring', 'virtio_pci', '9pnet', '9pnet_virtio', 'netfs', '9p']);
  assert.deepEqual(plan.builtin, ['virtio']);
  assert.equal(readModinfo(plan.load[2]!.bytes).get('name'), '9pnet', 'the gzipped module is handed on uncompressed');
});

test('busybox from busybox-static is static; Node is not', { skip: !busybox && 'needs busybox on PATH' }, () => {
  assert.equal(isStaticExecutable(readFileHead(process.execPath)), false);
  assert.equal(isStaticExecutable(readFileHead(busybox!)), true);
});

test('the job file hands any argument to the guest unchanged; the init script parses', { skip: !busybox && 'needs busybox on PATH' }, () => {
  const dir = scratchDir();
  const args = ['run', '--quick', "it's", 'two words', '$(reboot)', '`x`', '"q"', 'back\\slash'];
  writeFileSync(join(dir, 'job.sh'), jobScript({ projectTar: "/tmp/a b'c.tar", projectDir: '/work/x', node: '/usr/bin/node', args }));
  const r = spawnSync(busybox!, ['sh', '-c', `. ${join(dir, 'job.sh')}; printf '%s\\n' "$GB_PROJECT_TAR" "$GB_NODE" "$@"`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').slice(0, -1), ["/tmp/a b'c.tar", '/usr/bin/node', ...args]);
  writeFileSync(join(dir, 'init'), initScript());
  chmodSync(join(dir, 'init'), 0o755);
  const syntax = spawnSync(busybox!, ['sh', '-n', join(dir, 'init')], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
});

test('the guest says where it is on the console; QEMU gets the accelerator on the kernel command line', () => {
  assert.deepEqual(parseGuestLine('guardbench-guest: stage mounted'), { kind: 'stage', stage: 'mounted' });
  assert.deepEqual(parseGuestLine('[   12.5] x guardbench-guest: exit 139'), { kind: 'exit', code: 139 });
  assert.deepEqual(parseGuestLine('guardbench-guest: missing 9p: no'), { kind: 'missing', what: '9p: no' });
  assert.equal(parseGuestLine('guardbench run: something'), null);
  assert.match(kernelCommandLine('tcg'), /(^| )guardbench\.accel=tcg( |$)/);
  assert.match(kernelCommandLine('kvm', ' transparent_hugepage=madvise '), /guardbench\.accel=kvm transparent_hugepage=madvise$/);
  const args = qemuArgs({ image: '/k', initramfs: '/i', kind: '9p', outDir: '/out,dir', consoleLog: '/log', disk: '/d.img', machine: { accel: 'tcg', cpus: 2, memoryMiB: 1024, append: '' } });
  assert.equal(args[args.indexOf('-accel') + 1], 'tcg,thread=single');
  assert.ok(args.some((a) => a.includes('path=/out,,dir,')), 'a comma in a share path is escaped');
  assert.ok(args.some((a) => a.startsWith('local,id=root,path=/,') && a.endsWith(',readonly=on')), 'the root share is read-only');
  assert.ok(args.some((a) => a.startsWith('file=/d.img,format=raw,')) && args.includes('virtio-blk-pci,drive=scratch'), 'the scratch disk is a virtio block device');
  // an initramfs guest: no 9p shares, and a second serial port for the run to come back on
  const own = qemuArgs({ image: '/k', initramfs: '/i', kind: 'initramfs', outDir: '/results.log', consoleLog: '/log', disk: null, machine: { accel: 'tcg', cpus: 2, memoryMiB: 1024, append: '' } });
  assert.equal(own.includes('-fsdev'), false);
  assert.deepEqual(own.filter((_, i) => own[i - 1] === '-serial'), ['chardev:console', 'chardev:results']);
  assert.ok(own.includes('file,id=results,path=/results.log'));
  assert.equal(own.includes('-drive'), false);
});

/** `guardbench kernel run` with a stand-in QEMU that ends each boot as FAKE_QEMU_PLAN says. */
function fakeSession(plan: string, more: string[] = []) {
  const dir = scratchDir();
  const image = fakeBzImage(dir, '6.1.0-99-amd64 #1');
  const modules = modulesDir(dir, ['virtio_pci', '9pnet_virtio', '9p']);
  const bin = pathWith(dir, { 'qemu-system-x86_64': join(ROOT, 'test/fixtures/fake-qemu.mjs') });
  const boots = join(dir, 'boots');
  const out = join(dir, 'run');
  const r = runCli(['kernel', 'run', image, '--modules', modules, '--out', out, ...more], {
    env: {
      ...process.env, CI: '1', PATH: `${bin}:${process.env.PATH}`, XDG_CACHE_HOME: join(dir, 'cache'),
      FAKE_QEMU_PLAN: plan, FAKE_QEMU_COUNTER: boots, FAKE_QEMU_RUN: join(ROOT, 'test/fixtures/runs/linux-6.1-tcg-arenas.json'),
    },
  });
  return { ...r, out, boots: Number(readFileSync(boots, 'utf8')), lastLine: r.stderr.trim().split('\n').pop() ?? '' };
}

test('a guest that crashes is booted once more, and the second boot\'s run is kept', { skip: sessionSkip }, () => {
  const r = fakeSession('segv,ok');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.boots, 2);
  assert.match(r.stderr, /the guest crashed: guardbench was killed by signal 11 \(SIGSEGV\); booting once more/);
  assert.match(r.stdout, /second boot/);
  assert.ok(existsSync(join(r.out, 'run.json')) && existsSync(join(r.out, 'kernel-console.log')));
  assert.equal(existsSync(join(r.out, '.guest-job.sh')), false);
  assert.match(readFileSync(join(r.out, 'kernel-console.log'), 'utf8'), /guardbench\.accel=(tcg|kvm)/);
});

test('an initramfs guest: the run sent back on the results port is kept, and the session\'s initrd and disk are not', { skip: sessionSkip }, () => {
  const r = fakeSession('segv,ok', ['--guest', 'initramfs']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.boots, 2);
  assert.match(r.stderr, /initramfs guest \(asked for with --guest initramfs\); initramfs built, \d+\.\d MiB/);
  assert.match(r.stdout, /guest: initramfs .*initrd \d+\.\d MiB/);
  assert.deepEqual(readdirSync(r.out).sort(), ['kernel-console.log', 'run.json']);
});

test('a guest that crashes twice is reported with both causes, exit 1', { skip: sessionSkip }, () => {
  const r = fakeSession('panic,segv');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.boots, 2);
  assert.match(r.lastLine, /^guardbench kernel: 6\.1\.0-99-amd64: the guest crashed twice: kernel panic: .*Attempted to kill init.*; then guardbench was killed by signal 11/);
  assert.equal(existsSync(r.out), false, 'no run directory for a failed session');
});

test('guardbench failing in the guest is not retried and keeps its exit code; a missing piece the guest finds is exit 2', { skip: sessionSkip }, () => {
  const usage = fakeSession('usage');
  assert.equal(usage.code, 2, usage.stderr);
  assert.equal(usage.boots, 1);
  assert.match(usage.lastLine, /guardbench exited 2 in the guest: guardbench run: --regions 0/);
  const missing = fakeSession('missing');
  assert.equal(missing.code, 2, missing.stderr);
  assert.equal(missing.boots, 1);
  assert.match(missing.lastLine, /^guardbench kernel: 9p: the guest cannot mount the host's root .*CONFIG_9P_FS/);
});

test('the initramfs holds busybox, init and the modules in load order; one per release is kept in the cache', { skip: sessionSkip }, () => {
  const dir = scratchDir();
  const image = readKernelImage(fakeBzImage(dir, '6.1.0-99-amd64 #1'));
  const cache = join(dir, 'cache');
  const module = (name: string) => ({ name, path: `/x/${name}.ko`, bytes: Buffer.from(`module ${name}`) });
  const none = { load: [], builtin: [] };
  const contents = (load: ReturnType<typeof module>[], builtin: string[] = []) => ({ kind: '9p' as const, modules: { load, builtin }, disk: none, files: [] });
  const first = ensureInitramfs(image, busybox!, contents([module('netfs'), module('9p')]), cache);
  assert.equal(first.built, true);
  assert.equal(ensureInitramfs(image, busybox!, contents([module('netfs'), module('9p')]), cache).built, false);
  const listing = spawnSync(busybox!, ['cpio', '-it'], { input: gunzipSync(readFileSync(first.path)), encoding: 'utf8' });
  assert.equal(listing.status, 0, listing.stderr);
  for (const entry of ['init', 'bin/busybox', 'dev/console', 'modules/order', 'modules/netfs.ko', 'modules/9p.ko']) assert.ok(listing.stdout.split('\n').includes(entry), entry);
  const order = spawnSync(busybox!, ['cpio', '-i', '--to-stdout', 'modules/order'], { input: gunzipSync(readFileSync(first.path)), encoding: 'utf8' });
  assert.equal(order.stdout, 'netfs\n9p\n');
  const second = ensureInitramfs(image, busybox!, contents([module('9p')], ['netfs']), cache);
  assert.equal(second.built, true);
  assert.deepEqual(readdirSync(cache), [basename(second.path)], 'the older initramfs of this release is gone');
});

test('a kernel root of every Debian layout: the image and its modules are found without --modules', () => {
  const release = '7.3.4+deb13-amd64';
  const layouts = {
    'one-package': { image: `boot/vmlinuz-${release}`, modules: `usr/lib/modules/${release}` },
    split: { image: `usr/lib/modules/${release}/vmlinuz`, modules: `usr/lib/modules/${release}` },
    'old lib/': { image: `boot/vmlinuz-${release}`, modules: `lib/modules/${release}` },
  };
  for (const [name, layout] of Object.entries(layouts)) {
    const root = scratchDir();
    mkdirSync(join(root, layout.modules), { recursive: true });
    writeFileSync(join(root, layout.modules, 'modules.builtin'), '');
    mkdirSync(join(root, layout.image, '..'), { recursive: true });
    writeFileSync(join(root, layout.image), readFileSync(fakeBzImage(scratchDir(), `${release} #1`)));
    const found = resolveKernelArgument(root);
    assert.equal(found.image, join(root, layout.image), name);
    assert.equal(found.root, root, name);
    assert.equal(findModules(readKernelImage(found.image), undefined).dir, join(root, layout.modules), name);
    // the image named directly finds the same root
    assert.equal(resolveKernelArgument(found.image).root, root, name);
  }
  // image-only (Debian's 6.19-7.1): an image and no modules anywhere
  const bare = scratchDir();
  mkdirSync(join(bare, 'boot'));
  renameSync(fakeBzImage(join(bare, 'boot'), '6.19.14+deb13-amd64 #1'), join(bare, 'boot', 'vmlinuz-6.19.14+deb13-amd64'));
  const image = readKernelImage(resolveKernelArgument(bare).image);
  assert.equal(findModules(image, undefined).dir, null);
  assert.match(findImageInRootError(scratchDir()), /no kernel image in it/);
});

function findImageInRootError(root: string): string {
  try {
    findImageInRoot(root);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

test('Node\'s shared libraries and loader are found from DT_NEEDED and PT_INTERP, without ldd', () => {
  const files = sharedLibraryClosure([process.execPath]);
  const paths = files.map((f) => f.path);
  assert.equal(paths[0], process.execPath);
  const needs = readDynamicNeeds(readFileSync(process.execPath));
  assert.ok(needs.interpreter && paths.includes(needs.interpreter), `the loader ${needs.interpreter}`);
  for (const soname of needs.needed) assert.ok(paths.some((p) => basename(p) === soname), `${soname} is carried`);
  assert.ok(paths.some((p) => basename(p) === 'libc.so.6'));
  for (const f of files) assert.ok(existsSync(f.source), f.source);
  assert.throws(() => sharedLibraryClosure([process.execPath], [scratchDir()]), /needs lib.*which is in none of/);
});

test('the run an initramfs guest sends on ttyS1 decodes whatever the console adds around it', { skip: !busybox && 'needs busybox on PATH' }, () => {
  const dir = scratchDir();
  const out = join(dir, 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'run.json'), '{"x":1}\n');
  // as the guest makes it: busybox tar | gzip | base64, between the marker lines
  const sent = spawnSync(busybox!, ['sh', '-c', `echo ${RESULTS_BEGIN}; tar -C ${out} -cf - . | gzip -c | base64; echo ${RESULTS_END}`], { encoding: 'utf8' });
  assert.equal(sent.status, 0, sent.stderr);
  const stream = join(dir, 'stream.log');
  writeFileSync(stream, `noise before\r\n${sent.stdout.replace(/\n/g, '\r\n')}`);
  const into = join(dir, 'into');
  mkdirSync(into);
  assert.equal(unpackResults(stream, into), null);
  assert.equal(readFileSync(join(into, 'run.json'), 'utf8'), '{"x":1}\n');
  const cut = decodeResultsStream(`${RESULTS_BEGIN}\nAAAA`);
  assert.equal(cut.ok, false);
  assert.match(cut.ok ? '' : cut.why, /cut off/);
  assert.match(unpackResults(join(dir, 'out', 'run.json'), into) ?? '', /sent no run/);
});

test('both guests\' init scripts parse; the initramfs guest\'s carries Node and host identity at their paths', { skip: sessionSkip }, () => {
  const dir = scratchDir();
  for (const kind of ['9p', 'initramfs'] as const) {
    writeFileSync(join(dir, `init-${kind}`), initScript(kind));
    const syntax = spawnSync(busybox!, ['sh', '-n', join(dir, `init-${kind}`)], { encoding: 'utf8' });
    assert.equal(syntax.status, 0, `${kind}: ${syntax.stderr}`);
  }
  const image = readKernelImage(fakeBzImage(dir, '6.19.14+deb13-amd64 #1'));
  const none = { load: [], builtin: [] };
  const files = sharedLibraryClosure([process.execPath]);
  const built = ensureInitramfs(image, busybox!, { kind: 'initramfs', modules: none, disk: none, files }, join(dir, 'cache'));
  assert.match(basename(built.path), /-initramfs-[0-9a-f]{24}\.cpio$/);
  const listing = spawnSync(busybox!, ['cpio', '-it'], { input: readFileSync(built.path), encoding: 'utf8', maxBuffer: 2 ** 26 }).stdout.split('\n');
  for (const f of files) assert.ok(listing.includes(f.path.slice(1)), f.path);
  assert.ok(listing.includes('init') && listing.includes('bin/busybox') && listing.includes('modules/disk-order'));
  // a session appends its job and the project as a second archive
  const session = join(dir, 'session.cpio');
  const tar = join(dir, 'p.tar');
  writeFileSync(tar, 'not really a tar');
  writeSessionInitrd(session, built.path, 'GB_NODE=x\n', tar);
  mkdirSync(join(dir, 'x'));
  const unpacked = spawnSync(busybox!, ['cpio', '-i'], { cwd: join(dir, 'x'), input: readFileSync(session).subarray(built.bytes), encoding: 'utf8' });
  assert.equal(unpacked.status, 0, unpacked.stderr);
  assert.equal(readFileSync(join(dir, 'x', 'job.sh'), 'utf8'), 'GB_NODE=x\n');
  assert.equal(readFileSync(join(dir, 'x', 'project.tar'), 'utf8'), 'not really a tar');
});
