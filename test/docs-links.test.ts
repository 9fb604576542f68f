/**
 * The documentation's relative links resolve: every `[text](path)` and `[text](path#anchor)` in
 * README.md, CONTRIBUTING.md, results/baselines/README.md and docs/*.md names a file that exists and,
 * for a Markdown file, a heading it has (anchors made as GitHub makes them). Links to the web are
 * not followed. The README stays a front door: findings in its first screen, at most ~150 lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT } from './helpers.js';

const DOCS = [
  'README.md', 'CONTRIBUTING.md', join('results', 'baselines', 'README.md'),
  ...(existsSync(join(ROOT, 'docs')) ? readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f)) : []),
];

/** Markdown outside fenced code blocks. */
function prose(text: string): string {
  return text.split(/^```.*$/m).filter((_, i) => i % 2 === 0).join('\n');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function linksOf(text: string): string[] {
  return [...prose(text).replace(/`[^`\n]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!)
    .filter((l) => !/^[a-z]+:/i.test(l));
}

test('every relative link and anchor in the documentation resolves', () => {
  const broken: string[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    for (const link of linksOf(text)) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path ? join(ROOT, dirname(doc), path) : join(ROOT, doc);
      if (!existsSync(target)) {
        broken.push(`${doc}: ${link} (no ${relative(ROOT, target)})`);
        continue;
      }
      if (anchor && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) {
        broken.push(`${doc}: ${link} (no heading #${anchor} in ${relative(ROOT, target)})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('anchors are made as GitHub makes them', () => {
  const anchors = anchorsOf('# Regression verdicts\n## What "unchanged" could have seen\n## Other kernels: what is comparable\n## Exit codes\n## Exit codes\n');
  assert.deepEqual([...anchors], ['regression-verdicts', 'what-unchanged-could-have-seen', 'other-kernels-what-is-comparable', 'exit-codes', 'exit-codes-1']);
});

test('the README is a front door: findings first, short, and the methodology keeps the heading compare cites', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const lines = readme.split('\n');
  assert.ok(lines.length <= 160, `README.md is ${lines.length} lines`);
  const findings = lines.findIndex((l) => /^## What it found/.test(l));
  assert.ok(findings >= 0 && findings < 10, 'the findings open the README');
  assert.match(readme, /slower/, 'the findings name losses as well as wins');
  assert.match(readme, /https:\/\/lore\.kernel\.org\//, 'the cover letter is linked');
  assert.match(readme, /man2\/madvise\.2/, 'madvise(2) is linked');
  // The quick start is the two commands a fresh clone needs; .ci/run runs the second.
  assert.match(readme, /^npm ci && npm run bench\b/m);
  assert.match(readme, /^npm ci && npm test\b/m);
  assert.ok(anchorsOf(readFileSync(join(ROOT, 'docs', 'methodology.md'), 'utf8')).has('regression-verdicts'));
});
