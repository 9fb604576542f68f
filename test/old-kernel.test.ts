/**
 * On a kernel without guard markers the guard strategies are skipped with a reason and the rest
 * runs. A seccomp filter makes this kernel answer guard advice with EINVAL, as 6.12 does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode, scratchDir } from './helpers.js';
import { parseRun } from '../src/results/schema.js';

test('guard strategies are skipped with the reason; prot-none and no-guard still measure', () => {
  const out = scratchDir();
  const r = runNode(['--import', 'tsx', 'test/fixtures/with-seccomp.ts', 'einval', '--',
    'run', '--quick', '--workload', 'allocator-arenas', '--regions', '1024', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const run = parseRun(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(run.env.features.guardInstall, false);
  assert.equal(run.env.features.processMadvise, false);
  for (const strategy of ['guard-madvise', 'guard-process-madvise']) {
    const rows = run.rows.filter((x) => x.strategy === strategy);
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.equal(row.status, 'skipped');
      assert.match(row.reason ?? '', /EINVAL/);
      assert.match(row.reason ?? '', /6\.13/);
    }
  }
  for (const strategy of ['no-guard', 'prot-none']) {
    assert.ok(run.rows.some((x) => x.strategy === strategy && x.status === 'ok' && x.stats), `${strategy} measured`);
  }
  const vmas = run.rows.find((x) => x.strategy === 'prot-none' && x.metric === 'vma_delta');
  assert.equal(vmas?.value, 2 * 1024 - 1);
});
