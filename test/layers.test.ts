/**
 * The code's own shape: imports point down the layers of ARCHITECTURE.md with no cycles
 * (dependency-cruiser, rules in .dependency-cruiser.cjs), and nothing is left unused: no file, export
 * or dependency that nothing reads (knip, knip.json). Both must report nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runNode, scratchDir } from './helpers.js';

const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

test('imports point down the layers and never in a circle (dependency-cruiser)', () => {
  const r = runNode([bin('depcruise'), 'src', 'bench', 'scripts', '--config', '.dependency-cruiser.cjs', '--output-type', 'err']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
});

test('a wrong-way import is caught (so the check above checks something)', () => {
  // A tree of two files where the analysis layer reads the report layer, cruised with the project's rules.
  const dir = scratchDir('guardbench-layers-');
  mkdirSync(join(dir, 'src', 'analysis'), { recursive: true });
  mkdirSync(join(dir, 'src', 'report'), { recursive: true });
  writeFileSync(join(dir, 'src', 'report', 'words.ts'), 'export const word = 1;\n');
  writeFileSync(join(dir, 'src', 'analysis', 'keys.ts'), "import { word } from '../report/words.js';\nexport const key = word;\n");
  writeFileSync(join(dir, 'tsconfig.json'), readFileSync(join(ROOT, 'tsconfig.json')));
  const r = runNode([bin('depcruise'), 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'], { cwd: dir });
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /layer-analysis: src\/analysis\/keys\.ts → src\/report\/words\.ts/);
});

test('no unused files, exports or dependencies (knip)', () => {
  const r = runNode([bin('knip'), '--no-progress'], { timeout: 120_000 });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
});
