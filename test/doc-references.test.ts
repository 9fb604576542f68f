/**
 * Every reference in src/ to a section of the documentation (README "Heading", docs/x.md "Heading")
 * names a heading that exists, in README.md or docs/*.md, and in the file it names when that file
 * exists: a section renamed or moved must take its references along. "Regression verdicts" names
 * a heading "Regression verdicts" or one that starts "Regression verdicts:".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './helpers.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** The headings of a Markdown file, code blocks left out (a shell comment is no heading). */
function headings(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return [...text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)].map((m) => m[1]!);
}

const names = (heads: string[], ref: string) => heads.some((h) => h === ref || h.startsWith(`${ref}:`));

interface Reference {
  file: string;
  doc: string;
  heading: string;
}

/** References in a source file, read across comment line breaks. */
function referencesIn(file: string): Reference[] {
  const text = readFileSync(file, 'utf8').replace(/\n\s*(\*|\/\/)\s*/g, ' ');
  return [...text.matchAll(/\b(README(?:\.md)?|docs\/[\w-]+\.md),?\s+"([^"]+)"/g)].map((m) => ({ file: relative(ROOT, file), doc: m[1]!, heading: m[2]! }));
}

test('every README or docs/ section named in src/ exists', () => {
  const docsDir = join(ROOT, 'docs');
  const docs = [join(ROOT, 'README.md'), ...(existsSync(docsDir) ? readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => join(docsDir, f)) : [])];
  const all = docs.flatMap(headings);
  const refs = sourceFiles(join(ROOT, 'src')).flatMap(referencesIn);
  assert.ok(refs.length >= 2, `found only ${refs.length} references: the pattern lost them`);
  const broken = refs.filter((r) => {
    const named = join(ROOT, r.doc === 'README' ? 'README.md' : r.doc);
    return !names(all, r.heading) || (existsSync(named) && !names(headings(named), r.heading));
  });
  assert.deepEqual(broken.map((r) => `${r.file}: ${r.doc} "${r.heading}"`), []);
});

test('the reference check finds a broken reference', () => {
  const heads = ['Regression verdicts: a kernel\'s change, or the machine\'s?', 'Commands'];
  assert.equal(names(heads, 'Regression verdicts'), true);
  assert.equal(names(heads, 'How steady the figures are'), false);
  assert.equal(names(heads, 'Command'), false);
});
