/**
 * The package as npm would ship it: `files` holds what a user needs to run guardbench (bin, src,
 * bench, the JSON Schemas of its documents, README, LICENSE) and nothing else, and the packed tarball, installed the way npm lays a
 * dependency out, runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runNode, scratchDir } from './helpers.js';
import { COMMAND_NAMES } from '../src/cli.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string; license: string; engines: { node: string }; files: string[];
};

/** `npm pack` once for the file: the tarball and what npm says it holds. */
const packDir = scratchDir('guardbench-pack-');
const packed = (() => {
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(packDir, pack!.filename), files: pack!.files.map((f) => f.path).sort() };
})();

test('npm pack holds bin, src, bench, schema, README and LICENSE, and nothing else', () => {
  const { files } = packed;
  for (const f of ['package.json', 'README.md', 'LICENSE', 'bin/guardbench.js', 'src/cli.ts', 'src/version.ts', 'bench/profiles.ts', 'src/report/assets/page.js', 'schema/run.v1.json']) {
    assert.ok(files.includes(f), `${f} is missing from the package`);
  }
  const stray = files.filter((f) => !/^(bin|src|bench|schema)\//.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f));
  assert.deepEqual(stray, [], 'only what a user needs');
  // Every source file in the checkout ships: none forgotten by a pattern.
  const sources = execFileSync('git', ['-C', ROOT, 'ls-files', 'bin', 'src', 'bench', 'schema'], { encoding: 'utf8' }).trim().split('\n');
  if (sources[0]) for (const f of sources) assert.ok(files.includes(f), `${f} is not packed`);
});

test('the license, engines and version are stated', () => {
  assert.equal(manifest.license, 'MIT');
  assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} guardbench contributors\n/);
  assert.equal(manifest.engines.node, '>=20');
});

test('the packed tarball, laid out as npm installs a dependency, loads every command and answers --version', () => {
  // An application that depends on guardbench: the package in node_modules/guardbench, its
  // dependencies beside it (links to this checkout's install, which holds the same ones).
  const app = join(packDir, 'app');
  const modules = join(app, 'node_modules');
  mkdirSync(join(modules, 'guardbench'), { recursive: true });
  execFileSync('tar', ['xzf', packed.tarball, '-C', join(modules, 'guardbench'), '--strip-components=1']);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));

  const bin = join(modules, 'guardbench/bin/guardbench.js');
  const version = runNode([bin, '--version'], { cwd: app });
  assert.equal(version.stdout, `guardbench ${manifest.version}\n`, version.stderr);
  // Loading each command loads nearly all of src/: a file the package lacks fails here.
  const load = COMMAND_NAMES.map((c) => `await import('guardbench/src/commands/${c}.ts');`).join(' ');
  const loaded = runNode(['--import', 'tsx', '--input-type=module', '-e', `${load} console.log('loaded');`], { cwd: app });
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.equal(loaded.stdout.trim(), 'loaded');
});
