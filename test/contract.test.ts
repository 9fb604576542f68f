/**
 * The contract as files: schema/*.json are what the TypeBox source says, and every run the project
 * keeps (committed baselines, test fixtures) validates against schema/run.v1.json with a plain JSON
 * Schema validator and renders in every view, so old runs stay readable as the code moves on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { schemaFiles } from '../src/results/json-schema.js';
import { parseRun } from '../src/results/schema.js';
import { buildReportModel } from '../src/report/model.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { chartsForRun } from '../src/report/charts.js';
import { renderConsoleSummary } from '../src/report/console.js';
import { censusView } from '../src/report/census.js';
import { ROOT } from './helpers.js';

test('schema/*.json match the TypeBox source (regenerate with scripts/write-schemas.ts)', () => {
  for (const f of schemaFiles()) {
    const path = join(ROOT, f.path);
    assert.ok(existsSync(path), `${f.path} is missing`);
    assert.equal(readFileSync(path, 'utf8'), f.text, `${f.path} is stale: node --import tsx scripts/write-schemas.ts`);
  }
});

/** Every run the repository keeps: baselines and fixtures that are runs. */
function keptRuns(): string[] {
  const jsonIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }) : [])
    .filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
  return [...jsonIn(join(ROOT, 'results', 'baselines')), ...jsonIn(join(ROOT, 'test', 'fixtures'))]
    .filter((f) => JSON.parse(readFileSync(f, 'utf8')).schema === 'guardbench.run/v1');
}

test('every kept run validates against schema/run.v1.json and renders in every view', () => {
  const validate = new Ajv({ strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'run.v1.json'), 'utf8')));
  const runs = keptRuns();
  assert.ok(runs.length >= 2, `only ${runs.length} kept runs found`);
  for (const file of runs) {
    const text = readFileSync(file, 'utf8');
    assert.ok(validate(JSON.parse(text)), `${file}: ${JSON.stringify(validate.errors?.[0])}`);
    const run = parseRun(text, file);
    assert.match(renderMarkdown(buildReportModel(run, censusView(run))), /^## guardbench/, file);
    assert.ok(chartsForRun(run).length > 0, `${file}: no charts`);
    assert.ok(renderConsoleSummary(run).length > 0, file);
  }
});
