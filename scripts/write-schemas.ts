/**
 * Writes the contract's JSON Schema files (schema/*.json) from the TypeBox source. Run after
 * changing src/results/schema.ts or census-schema.ts: `node --import tsx scripts/write-schemas.ts`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaFiles } from '../src/results/json-schema.js';
import { writeFileAtomic } from '../src/results/write.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
for (const f of schemaFiles()) {
  writeFileAtomic(join(ROOT, f.path), f.text);
  console.log(`wrote ${f.path}`);
}
