/**
 * Reading Debian's archive for `guardbench kernel fetch`, on fixed package descriptions shaped as
 * `apt-cache show` prints them (no network here): the three layouts, the newest complete version of
 * a series, Debian's version order and the mirror taken from the system's sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareDebianVersions } from '../src/kernel/debian-version.js';
import { archiveKernels, debianMirror, isGenericKernelPackage, newestOfSeries, parseStanzas, seriesOf, sourcesList } from '../src/kernel/debian.js';
import { runCli } from './helpers.js';

function stanza(pkg: string, version: string, size: number): string {
  return `Package: ${pkg}\nVersion: ${version}\nArchitecture: amd64\nDepends: kmod\nSize: ${size}\nDescription: x\n`;
}

const SHOW = [
  stanza('linux-image-6.1.0-50-amd64', '6.1.176-1', 70_305_560),
  stanza('linux-image-6.16.12+deb13-amd64', '6.16.12-1~bpo13+1', 169_667_600),
  // 6.19: the meta package and its binary only, its modules and base gone
  stanza('linux-image-6.19.14+deb13-amd64', '6.19.14-1~bpo13+1', 2052),
  stanza('linux-binary-6.19.14+deb13-amd64', '6.19.14-1~bpo13+1', 13_504_740),
  // 7.3: a release candidate in experimental and a complete point release
  stanza('linux-image-7.3-amd64', '7.3~rc7-1~exp1', 1888),
  stanza('linux-binary-7.3-amd64', '7.3~rc7-1~exp1', 14_425_180),
  stanza('linux-modules-7.3-amd64', '7.3~rc7-1~exp1', 110_000_000),
  stanza('linux-base-7.3-amd64', '7.3~rc7-1~exp1', 460_000),
  stanza('linux-binary-7.3.4+deb13-amd64', '7.3.4-1~bpo13+1', 14_138_336),
  stanza('linux-modules-7.3.4+deb13-amd64', '7.3.4-1~bpo13+1', 107_000_000),
  stanza('linux-base-7.3.4+deb13-amd64', '7.3.4-1~bpo13+1', 469_412),
  // 7.2: a newer image-only release beside an older complete one
  stanza('linux-binary-7.2.13+deb14-amd64', '7.2.13-1', 14_000_000),
  stanza('linux-binary-7.2.12+deb13-amd64', '7.2.12-1~bpo13+1', 14_000_000),
  stanza('linux-modules-7.2.12+deb13-amd64', '7.2.12-1~bpo13+1', 110_000_000),
  stanza('linux-base-7.2.12+deb13-amd64', '7.2.12-1~bpo13+1', 469_000),
  // other flavours are never chosen
  stanza('linux-image-7.4.1+deb14-cloud-amd64', '7.4.1-1', 50_000_000),
  stanza('linux-binary-7.4.1+deb14-rt-amd64', '7.4.1-1', 14_000_000),
].join('\n');

test('Debian versions order as dpkg orders them', () => {
  const ascending = ['7.3~rc7-1~exp1', '7.3-1', '7.3.4-1~bpo13+1', '7.3.4-1', '7.3.4-1+b1', '7.3.10-1', '1:6.1-1'];
  for (let i = 1; i < ascending.length; i++) {
    assert.ok(compareDebianVersions(ascending[i - 1]!, ascending[i]!) < 0, `${ascending[i - 1]} < ${ascending[i]}`);
    assert.ok(compareDebianVersions(ascending[i]!, ascending[i - 1]!) > 0, `${ascending[i]} > ${ascending[i - 1]}`);
  }
  assert.equal(compareDebianVersions('6.16.12-1~bpo13+1', '6.16.12-1~bpo13+1'), 0);
  assert.ok(compareDebianVersions('1.0a-1', '1.0+-1') < 0, 'letters sort before other characters');
});

test('the archive\'s kernels: three layouts, generic flavour only, the newest complete version of each series', () => {
  const kernels = archiveKernels(parseStanzas(SHOW));
  assert.deepEqual(seriesOf(kernels), ['6.1', '6.16', '6.19', '7.2', '7.3']);
  const pick = (series: string) => {
    const k = newestOfSeries(kernels, series)!;
    return { release: k.release, version: k.version, layout: k.layout, packages: k.packages.map((p) => p.package) };
  };
  assert.deepEqual(pick('6.1'), { release: '6.1.0-50-amd64', version: '6.1.176-1', layout: 'one-package', packages: ['linux-image-6.1.0-50-amd64'] });
  assert.deepEqual(pick('6.16').layout, 'one-package');
  assert.deepEqual(pick('6.19'), { release: '6.19.14+deb13-amd64', version: '6.19.14-1~bpo13+1', layout: 'image-only', packages: ['linux-binary-6.19.14+deb13-amd64'] });
  assert.deepEqual(pick('7.3'), {
    release: '7.3.4+deb13-amd64', version: '7.3.4-1~bpo13+1', layout: 'split',
    packages: ['linux-binary-7.3.4+deb13-amd64', 'linux-modules-7.3.4+deb13-amd64', 'linux-base-7.3.4+deb13-amd64'],
  });
  assert.equal(pick('7.2').release, '7.2.12+deb13-amd64', 'a complete kernel wins over a newer one without modules');
  assert.equal(newestOfSeries(kernels, '5.4'), null);
  assert.equal(isGenericKernelPackage('linux-image-7.4.1+deb14-cloud-amd64'), false);
  assert.equal(isGenericKernelPackage('linux-image-amd64'), false, 'the unversioned meta package is not a kernel');
  assert.equal(isGenericKernelPackage('linux-base-7.3.4+deb13-amd64'), true);
});

test('the mirror is the one the system\'s sources use (deb822 and one-line), never security or ports', () => {
  const deb822 = 'Types: deb\n# http://snapshot.debian.org/archive/debian/20250520T000000Z\nURIs: http://mirror.example/debian\nSuites: bookworm\n\n'
    + 'Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n';
  assert.equal(debianMirror([deb822]), 'http://mirror.example/debian');
  assert.equal(debianMirror(['deb http://security.example/debian-security bookworm-security main\n', 'deb [arch=amd64] https://m.example/debian/ bookworm main\n']), 'https://m.example/debian');
  assert.equal(debianMirror(['deb https://packages.cloud.google.com/apt cloud-sdk main\n']), 'http://deb.debian.org/debian');
  const list = sourcesList('http://m.example/debian', '/k.gpg');
  assert.deepEqual(list.trim().split('\n').map((l) => l.split(' ').at(-2)), ['bookworm', 'trixie', 'trixie-backports', 'sid', 'experimental']);
  assert.match(list, /^deb \[arch=amd64 signed-by=\/k\.gpg\] http:\/\/m\.example\/debian bookworm main$/m);
});

test('kernel fetch: a malformed series or no series is one line and exit 2, before the archive is read', () => {
  for (const args of [['fetch', '6'], ['fetch'], ['fetch', '7.3', '--all'], ['run', 'x', '--all']]) {
    const r = runCli(['kernel', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /reading Debian/);
  }
});
