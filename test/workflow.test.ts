/**
 * The CI workflow: valid by @action-validator/cli (which rejects a broken copy, so it is really
 * checking), wired to the scripts it names, safe with untrusted PR data, and the PR comment script
 * updates its one marked comment instead of adding new ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runNode, scratchDir } from './helpers.js';
import { fitComment, markerLine, upsertComment, type CommentApi, type IssueComment } from '../scripts/pr-comment.js';

const WORKFLOW = join(ROOT, '.github/workflows/bench.yml');
// The package's bin entry, run with this node: the same file node_modules/.bin/action-validator links to.
const VALIDATOR = join(ROOT, 'node_modules/@action-validator/cli/cli.mjs');
const yaml = readFileSync(WORKFLOW, 'utf8');

test('action-validator accepts .github/workflows/bench.yml', () => {
  const r = runNode([VALIDATOR, WORKFLOW]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('action-validator rejects a broken copy (so the check above checks something)', () => {
  const dir = scratchDir('guardbench-workflow-');
  const broken = join(dir, 'bench.yml');
  writeFileSync(broken, yaml.replace('runs-on:', 'runs_on:'));
  const r = runNode([VALIDATOR, broken]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /runs_on/);
});

test('the workflow runs on pull requests, compares, uploads the charts, comments, and fails on a regression', () => {
  assert.match(yaml, /^on:\n {2}pull_request:/m);
  assert.match(yaml, /pull-requests: write/);
  assert.match(yaml, /scripts\/ci-bench\.sh "\$RUNNER_TEMP\/guardbench"/);
  assert.match(yaml, /uses: actions\/upload-artifact@v4[\s\S]*guardbench\/compare/);
  assert.match(yaml, /scripts\/pr-comment\.ts --repo "\$REPO" --pr "\$PR"/);
  assert.match(yaml, /if: steps\.bench\.outputs\.code != '0'/);
  for (const script of ['scripts/ci-bench.sh']) accessSync(join(ROOT, script), constants.X_OK);
  accessSync(join(ROOT, 'scripts/pr-comment.ts'), constants.R_OK);
  const ci = readFileSync(join(ROOT, 'scripts/ci-bench.sh'), 'utf8');
  assert.match(ci, /baseline pick --profile quick/);
  assert.match(ci, /--confirm "\$out\/run2\/run\.json"/);
});

test('no expression is expanded inside a run: script (PR data reaches scripts only through env)', () => {
  const lines = yaml.split('\n');
  let inRun = false;
  let runIndent = 0;
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    if (inRun && line.trim() !== '' && indent <= runIndent) inRun = false;
    const m = /^(\s*)(?:- )?run: ?(.*)$/.exec(line);
    if (m) {
      inRun = m[2] === '|' || m[2] === '>';
      runIndent = m[1]!.length;
      assert.doesNotMatch(m[2]!, /\$\{\{/, line);
    } else if (inRun) {
      assert.doesNotMatch(line, /\$\{\{/, line);
    }
  }
});

/** An in-memory issue thread with the API's paging (100 per page). */
function fakeThread(initial: string[]): { api: CommentApi; comments: IssueComment[]; calls: string[] } {
  const comments: IssueComment[] = initial.map((body, i) => ({ id: i + 1, body }));
  const calls: string[] = [];
  const api: CommentApi = {
    async listComments(page) {
      calls.push(`list ${page}`);
      return comments.slice((page - 1) * 100, page * 100);
    },
    async createComment(body) {
      calls.push('create');
      const c = { id: comments.length + 1, body };
      comments.push(c);
      return c;
    },
    async updateComment(id, body) {
      calls.push(`update ${id}`);
      const c = comments.find((x) => x.id === id)!;
      c.body = body;
      return c;
    },
  };
  return { api, comments, calls };
}

test('the PR comment is created once, then found by its hidden marker (even on a later page) and updated', async () => {
  const t = fakeThread(['LGTM', 'guardbench compare said something (no marker)']);
  assert.deepEqual(await upsertComment(t.api, 'guardbench-compare', 'first'), { action: 'created', id: 3 });
  assert.equal(t.comments[2]!.body, `${markerLine('guardbench-compare')}\nfirst`);
  assert.deepEqual(await upsertComment(t.api, 'guardbench-compare', 'second'), { action: 'updated', id: 3 });
  assert.equal(t.comments.length, 3);
  assert.equal(t.comments[1]!.body, 'guardbench compare said something (no marker)', 'unmarked comments are left alone');

  const busy = fakeThread([...Array.from({ length: 150 }, (_, i) => `comment ${i}`)]);
  busy.comments[120]!.body = `${markerLine('guardbench-compare')}\nold`;
  assert.deepEqual(await upsertComment(busy.api, 'guardbench-compare', 'new'), { action: 'updated', id: 121 });
  assert.deepEqual(busy.calls, ['list 1', 'list 2', 'update 121']);
});

test('a body over the comment limit keeps its head and whole sections, and says what was cut', () => {
  const head = '## guardbench compare\n\n**2 regressed beyond 5%**\n\n### Regressed (2)\n| a | b |\n';
  const section = (n: number) => `\n<details>\n<summary>Unchanged ${n}</summary>\n\n${'| row | 1 |\n'.repeat(400)}\n</details>\n`;
  const body = head + section(1) + section(2) + section(3);
  assert.equal(fitComment(body, body.length), body);
  const fitted = fitComment(body, head.length + section(1).length + 300, 'https://example.invalid/run');
  assert.ok(fitted.length <= head.length + section(1).length + 300);
  assert.ok(fitted.startsWith(head + section(1)));
  assert.doesNotMatch(fitted, /Unchanged 2/);
  assert.match(fitted, /2 folded sections cut to fit a GitHub comment; the full report is in the \[workflow artifacts\]\(https:\/\/example\.invalid\/run\)/);
});
